"""Settings dataclasses read from config tables, generically.

`read_settings(cls, table, where)` reads a TOML table into the frozen dataclass
`cls`: the table's keys are the class's fields (a field with
`metadata={"config": False}` is not a key), each value is checked against its
field's type hint and converted (`convert`: str, int, float taking integers,
bool, `X | None`, Literal, `tuple[X, ...]`, `frozenset[X]`, timedelta as seconds,
IP networks, regular expressions, paths), and the ranges are the class's own
`__post_init__` checks. `table_schema` gives the JSON Schema of such a table
from the same introspection. pipeline/config.py composes the run config of them.
"""

from __future__ import annotations

import difflib
import inspect
import re
import types
from collections.abc import Iterable
from dataclasses import MISSING, fields, replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from pipeline.errors import ConfigError
from pipeline.fetch import IPNetwork, parse_networks
from pipeline.version import __version__

S = TypeVar("S")

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "an array",
    dict: "a table",
}


class BadValue(Exception):
    """A value that is not of its field's type: the key (`urls[2]` for an item)
    and what is wrong."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(key, problem)
        self.key, self.problem = key, problem


@cache
def config_keys(cls: Any) -> dict[str, Any]:
    """The keys of `cls`'s config table, each with its field's type hint."""
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls) if f.metadata.get("config", True)}


def read_settings(
    cls: type[S], table: object, where: str, base: S | None = None, others: Iterable[str] = ()
) -> S:
    """The settings dataclass `cls` with the values of config `table` put over
    `base` (default: `cls`'s defaults). Raises ConfigError naming every unknown key
    (with the closest of its keys or of `others`, see did_you_mean) and every value
    of the wrong type, else the first range problem `cls` finds; each message
    starts with `where` ("run.toml: table 'fetch'")."""
    values = read_values(cls, table, where, others)
    try:
        return replace(cast(Any, base), **values) if base is not None else cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def read_values(cls: type, table: object, where: str, others: Iterable[str] = ()) -> dict[str, Any]:
    """The values of `table` checked against, and converted to, the types of
    `cls`'s fields; a ConfigError names all the problems at once."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, got {type_name(table)}")
    keys = config_keys(cls)
    values: dict[str, Any] = {}
    problems = []
    for key, value in table.items():
        try:
            if key not in keys:
                raise BadValue(key, f"unknown key{did_you_mean(key, keys, others)}")
            values[key] = convert(keys[key], value, key)
        except BadValue as bad:
            problems.append(f"{where}: key {bad.key!r}: {bad.problem}")
    if problems:
        raise ConfigError("\n".join(problems))
    return values


def convert(hint: Any, value: object, key: str) -> Any:
    """`value` (as TOML gave it) as the type `hint` says, or BadValue."""
    origin, args = get_origin(hint), get_args(hint)
    if hint == IPNetwork:
        try:
            return parse_networks([convert(str, value, key)])[0]
        except ValueError as exc:
            raise BadValue(key, str(exc)) from None
    if origin in (Union, types.UnionType):  # `X | None`: TOML has no None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return convert(inner, value, key)
    if origin is Literal:
        if value not in args:
            raise BadValue(key, f"{value!r} is not one of: {', '.join(map(str, args))}")
        return value
    if origin in (tuple, frozenset):
        items = convert(list, value, key)
        return origin(convert(args[0], item, f"{key}[{n}]") for n, item in enumerate(items))
    if hint is timedelta:
        try:
            return timedelta(seconds=convert(float, value, key))
        except (ValueError, OverflowError):  # nan, or past timedelta's range
            raise BadValue(key, f"{value!r} is not a number of seconds") from None
    if hint is re.Pattern or origin is re.Pattern:
        text = convert(str, value, key)
        try:
            return re.compile(text)
        except re.error as exc:
            raise BadValue(key, f"bad regular expression {text!r}: {exc}") from None
    if hint is Path:
        return Path(convert(str, value, key))
    if hint is float and type(value) is int:
        return float(value)  # TOML `2` is as good as `2.0` for seconds
    if hint in _TYPE_NAMES:
        if type(value) is hint or (hint is float and type(value) is float):
            return value
        raise BadValue(key, f"expected {_TYPE_NAMES[hint]}, got {type_name(value)}")
    raise TypeError(f"config key {key!r}: no reading for the type {hint!r}")


def type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def did_you_mean(key: str, allowed: Iterable[str], others: Iterable[str] = ()) -> str:
    """ " (did you mean 'x'?)" with the closest of `allowed` or, when much alike, of
    `others` (dotted keys of other tables: 'fetch.concurrency' for a fetch key
    written at the top level), then the keys allowed."""
    allowed = sorted(allowed)
    candidates = [(name, name, 0.6) for name in allowed]
    candidates += [(full, full.rpartition(".")[2], 0.8) for full in others]
    best: tuple[float, str] | None = None
    for full, bare, cutoff in candidates:
        score = difflib.SequenceMatcher(None, key, bare).ratio()
        if score >= cutoff and (best is None or score > best[0]):  # a tie: the first
            best = (score, full)
    hint = f" (did you mean {best[1]!r}?)" if best else ""
    return f"{hint}; known keys: {', '.join(allowed)}"


# --- JSON Schema ---------------------------------------------------------------


def object_schema(properties: dict[str, Any], description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if description:
        out["description"] = description
    out["properties"] = properties
    return out


def table_schema(cls: type, default: object) -> dict[str, Any]:
    """The JSON Schema of `cls`'s config table: the keys, their types, the defaults
    (`default`'s values, or the fields' own) and what `cls`'s docstring says of each
    (the ranges are `cls`'s __post_init__ checks, not repeated here)."""
    docs = _field_docs(cls)
    first = " ".join(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].split())
    properties = {}
    defaults = {f.name: f.default for f in fields(cls)}
    for key, hint in config_keys(cls).items():
        schema = _schema_of(hint)
        value = _json_value(getattr(default, key) if default is not None else defaults[key])
        # The default User-Agent names the installed version: not a fixed text.
        if value is not None and value is not MISSING and __version__ not in str(value):
            schema["default"] = value
        if key in docs:  # and what the type said ("seconds")
            schema["description"] = " ".join(filter(None, (docs[key], schema.get("description"))))
        properties[key] = schema
    out = object_schema(properties, None if first.split(":")[0] in docs else first)
    required = [f.name for f in fields(cls) if f.default is MISSING]
    if required:
        out["required"] = required
    return out


def _field_docs(cls: type) -> dict[str, str]:
    """What a settings class's docstring says of each field: its lines `name: text`
    (or `a, b: text`), with the lines indented under them."""
    docs: dict[str, str] = {}
    names: list[str] = []
    for line in inspect.cleandoc(cls.__doc__ or "").splitlines():
        found = re.fullmatch(r"(\w+(?:, \w+)*): (.*)", line)
        if found:
            names = found[1].split(", ")
            docs.update(dict.fromkeys(names, found[2]))
        elif line.startswith(" ") and names:
            for name in names:
                docs[name] += " " + line.strip()
        else:
            names = []
    return docs


def _schema_of(hint: Any) -> dict[str, Any]:
    """The JSON Schema of a value of type `hint`, as `convert` reads it."""
    origin, args = get_origin(hint), get_args(hint)
    if hint == IPNetwork:
        return {"type": "string", "description": "an IP address or CIDR range"}
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _schema_of(inner)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (tuple, frozenset):
        return {"type": "array", "items": _schema_of(args[0])}
    if hint is timedelta:
        return {"type": "number", "description": "(in seconds)"}
    if hint is re.Pattern or origin is re.Pattern:
        return {"type": "string", "format": "regex"}
    names = {str: "string", Path: "string", int: "integer", float: "number", bool: "boolean"}
    return {"type": names[hint]}


def _json_value(value: object) -> object:
    """A default as JSON (None for none)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, frozenset):
        return sorted(map(_json_value, value))  # type: ignore[type-var]
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, bool | int | float | str) or value is None or value is MISSING:
        return value
    return str(value)
