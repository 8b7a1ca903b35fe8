"""The run configuration: `load_config(path)` reads a TOML file into frozen dataclasses.

A config's tables mirror the settings objects of the run's parts, key for field:
`[fetch]` is a FetchSettings, `[extraction]` an Options, `[workers]` a
WorkerSettings, `[retry]` a RetryPolicy, `[near_duplicates]` a NearSettings,
`[alerts]` an AlertSettings (the tables are RunConfig's settings fields), and
each `[[sources]]` table a SourceConfig. One generic reader
(pipeline/settings.py, `read_settings`) reads them all from the dataclasses
themselves: keys from the fields, types from the type hints, ranges from each
class's own `__post_init__`, made there and nowhere else. The JSON Schema for
editors comes from the same introspection (`config_schema`).

Validation is strict and happens once, here, so every later stage can trust the
values. Every problem found (an unknown key, with the key probably meant; a
wrong type; a value out of range; a bad regex; a missing URL; a duplicate source
name) is in the one ConfigError raised, each naming the file, the table or
source, and the key. Relative paths are resolved against the config file's
folder, so a config means the same thing from whatever directory the run is
started.

Earlier spellings (`RENAMED`: fetch settings at the top level, `[timeouts]`, a
top-level `site_rules`) are still read, each with one warning naming its new
place. Priority, lowest first: each class's defaults, the file, `-s key=value`
overrides (`load_config(path, overrides)`), the command line's own flags.

Every key is documented in examples/README.md; examples/demo.toml uses most.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from pipeline import urls
from pipeline.coverage import DEFAULT_ALERT_SETTINGS, AlertSettings
from pipeline.dedup.near import DEFAULT_NEAR_SETTINGS, NearSettings
from pipeline.errors import ConfigError
from pipeline.exec import DEFAULT_WORKER_SETTINGS, WorkerSettings
from pipeline.fetch import DEFAULT_FETCH_SETTINGS, FetchSettings
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.settings import (
    BadValue,
    config_keys,
    convert,
    did_you_mean,
    object_schema,
    read_settings,
    read_values,
    table_schema,
    type_name,
)
from pipeline.sinks import FORMATS, sink_class
from pipeline.sources.kinds import kind_named, known_kinds
from pipeline.state import DEFAULT_RETRY_POLICY, RetryPolicy

_log = logging.getLogger("pipeline.config")

# A source's kind: a built-in name (feed, sitemap, urls), an installed one or a
# module:Class (sources/kinds.py).
SourceKind = str

# Sources give at most this many URLs a run unless max_urls says otherwise: a
# sitemap index can list millions, and discovery must not hold them all.
DEFAULT_MAX_URLS_PER_SOURCE = 50_000


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One place to discover article URLs from: a `[[sources]]` table.

    name: unique among the run's sources; recorded with every article it finds.
    kind: feed, sitemap, urls, a kind an installed package declares, or module:Class.
    url, path, urls: where its URLs are. A feed or sitemap has `url`; a urls source
        exactly one of `url` (a remote list), `path` (a local file, one URL a line)
        or `urls` (listed inline).
    user_agent, delay: this source's User-Agent and seconds between two requests to
        one host, instead of the run's (when not None).
    include, exclude: regular expressions; keep only the URLs that match one of
        include, drop those that match one of exclude.
    max_articles: at most this many article URLs a run.
    max_urls: at most this many entries read a run.
    """

    name: str
    kind: SourceKind
    url: str | None = None
    path: Path | None = None
    urls: tuple[str, ...] = ()
    user_agent: str | None = None
    delay: float | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    max_articles: int | None = None
    max_urls: int = DEFAULT_MAX_URLS_PER_SOURCE

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("name must not be empty")
        if self.user_agent is not None and not self.user_agent.strip():
            raise ConfigError("user_agent must not be empty")
        if self.delay is not None and not self.delay >= 0:  # `not >=` also refuses nan
            raise ConfigError(f"delay must be at least 0, got {self.delay}")
        if self.max_articles is not None and self.max_articles < 1:
            raise ConfigError(f"max_articles must be at least 1, got {self.max_articles}")
        if self.max_urls < 1:
            raise ConfigError(f"max_urls must be at least 1, got {self.max_urls}")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a `pipeline run` needs; paths are absolute.

    The settings of each part are that part's own settings object, composed
    here once (each with its one set of defaults), not copied field by field;
    each is a table of the config, named as its field (or its "config" metadata).
    """

    output_dir: Path
    state_path: Path
    sources: tuple[SourceConfig, ...]
    fetch: FetchSettings = DEFAULT_FETCH_SETTINGS
    extraction: Options = DEFAULT_OPTIONS
    workers: WorkerSettings = DEFAULT_WORKER_SETTINGS
    retry: RetryPolicy = DEFAULT_RETRY_POLICY
    format: str = FORMATS[0]
    near: NearSettings = field(
        default=DEFAULT_NEAR_SETTINGS, metadata={"config": "near_duplicates"}
    )
    alerts: AlertSettings = DEFAULT_ALERT_SETTINGS

    def fetch_settings(self, source: SourceConfig) -> FetchSettings:
        """The run's fetch settings with the source's own user agent and delay."""
        changes: dict[str, Any] = {}
        if source.user_agent is not None:
            changes["user_agent"] = source.user_agent
        if source.delay is not None:
            changes["per_host_delay"] = source.delay
        return replace(self.fetch, **changes) if changes else self.fetch


# The config's tables: {table name: (RunConfig field, the default settings)}.
TABLES: dict[str, tuple[str, Any]] = {
    f.metadata.get("config", f.name): (f.name, f.default)
    for f in fields(RunConfig)
    if dataclasses.is_dataclass(f.default)
}
_TOP_KEYS = ("output_dir", "state_path", "format", "sources")
# Every table's keys, dotted ("fetch.concurrency"): what a key in the wrong place may mean.
_TABLE_KEYS = tuple(
    f"{table}.{key}"
    for table, (_, default) in TABLES.items()
    for key in config_keys(default.__class__)
)

T = TypeVar("T")

# Earlier spellings, still read (with a warning): {old key path: (table, key)}.
RENAMED: dict[tuple[str, ...], tuple[str, str]] = {
    **{
        (key,): ("fetch", key)
        for key in ("user_agent", "concurrency", "per_host", "per_host_delay", "max_bytes")
    },
    ("allow_networks",): ("fetch", "allow_networks"),
    **{("timeouts", key): ("fetch", f"{key}_timeout") for key in ("connect", "read", "total")},
    ("site_rules",): ("extraction", "site_rules"),
}


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> RunConfig:
    """Read and validate the TOML config at `path`, with `overrides` ("key=value",
    a dotted key and a TOML value: `workers.jobs=4`) put over it; raise ConfigError
    naming every problem found if it is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: the config file is not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    problems: list[str] = []
    _rename(data, path, problems)
    for override in overrides:
        _override(data, override)
    config = _Reader(path).run_config(data, problems)
    if problems:
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        raise ConfigError(f"{count} in the config:\n" + "\n".join(problems))
    return config


def _rename(data: dict[str, Any], path: Path, problems: list[str]) -> None:
    """Move the settings written in an earlier spelling (RENAMED) to their table,
    warning once for each; the old and the new spelling of one setting is a problem."""
    timeouts = data.get("timeouts")
    if "timeouts" in data and not isinstance(timeouts, dict):
        problems.append(f"{path}: key 'timeouts': expected a table, got {type_name(timeouts)}")
        del data["timeouts"]
    elif isinstance(timeouts, dict):
        known = [old[1] for old in RENAMED if old[0] == "timeouts"]
        for key in [key for key in timeouts if key not in known]:
            problems.append(
                f"{path}: table 'timeouts': key {key!r}: unknown key{did_you_mean(key, known)}"
            )
            del timeouts[key]
    for old, (table, key) in RENAMED.items():
        holder = data if len(old) == 1 else data.get(old[0])
        if not isinstance(holder, dict) or old[-1] not in holder:
            continue
        value = holder.pop(old[-1])
        spelled = ".".join(old)
        _log.warning(
            "%s: %r is the old spelling of %s.%s: write it as %s in the [%s] table",
            path,
            spelled,
            table,
            key,
            key,
            table,
        )
        new = data.setdefault(table, {})
        if not isinstance(new, dict):
            continue  # reading the table says what is wrong with it
        if key in new:
            problems.append(
                f"{path}: key {spelled!r}: the old spelling of {table}.{key}, which is "
                "given too: keep only the new one"
            )
        else:
            new[key] = value
    if data.get("timeouts") == {}:
        del data["timeouts"]


def _override(data: dict[str, Any], text: str) -> None:
    """Set a dotted key of the config's data (`-s workers.jobs=4`): the value is read
    as TOML (`4`, `true`, `["a", "b"]`, `"text"`), or taken as a string."""
    key, equals, value = text.partition("=")
    names = tuple(part.strip() for part in key.split("."))
    if not equals or not all(names):
        raise ConfigError(f"-s {text!r}: expected key=value, the key dotted (workers.jobs=4)")
    if names in RENAMED:
        names = RENAMED[names]
        _log.warning("-s %s: the old spelling of %s, read as that", key.strip(), ".".join(names))
    try:
        parsed: Any = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    table = data
    for name in names[:-1]:
        inner = table.setdefault(name, {})
        if not isinstance(inner, dict):
            raise ConfigError(f"-s {text!r}: {name!r} is not a table")
        table = inner
    table[names[-1]] = parsed


# --- the run config ---------------------------------------------------------------


class _Reader:
    """Checks one config file; knows the file so every message can name it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.resolve().parent

    def run_config(self, data: dict[str, Any], problems: list[str]) -> RunConfig:
        """The config, each part read on its own so that one error does not hide
        another: every problem found goes to `problems`."""

        def part(read: Callable[[], T], default: T) -> T:
            try:
                return read()
            except ConfigError as exc:
                problems.extend(str(exc).splitlines())
                return default

        for key in data:
            if key not in _TOP_KEYS and key not in TABLES:
                known = did_you_mean(key, [*_TOP_KEYS, *TABLES], _TABLE_KEYS)
                problems.append(f"{self.path}: key {key!r}: unknown key{known}")
        output_dir = part(
            lambda: self.local_path(self.text(data, "output_dir") or "output"), Path("output")
        )
        state = part(lambda: self.text(data, "state_path"), None)
        settings: dict[str, Any] = {}
        for table, (name, default) in TABLES.items():
            base = default
            if table == "extraction":  # [fetch] max_bytes bounds extraction too, unless set
                base = replace(default, max_bytes=settings["fetch"].max_bytes)
            read = self.table(data, table, base)
            settings[name] = part(read, base)
        extraction = settings["extraction"]
        settings["extraction"] = part(lambda: self.site_rules(extraction), extraction)
        return RunConfig(
            output_dir=output_dir,
            state_path=self.local_path(state) if state else output_dir / "state.sqlite",
            sources=part(lambda: self.sources(data, problems), ()),
            format=part(lambda: self.format(data), FORMATS[0]),
            **settings,
        )

    def table(self, data: dict[str, Any], table: str, base: T) -> Callable[[], T]:
        where = f"{self.path}: table {table!r}"
        return lambda: read_settings(type(base), data.get(table, {}), where, base, _TABLE_KEYS)

    def text(self, data: dict[str, Any], key: str) -> str | None:
        """A top-level string, not empty (None when absent)."""
        if key not in data:
            return None
        try:
            value: str = convert(str, data[key], key)
        except BadValue as bad:
            raise ConfigError(f"{self.path}: key {key!r}: {bad.problem}") from None
        if not value.strip():
            raise ConfigError(f"{self.path}: key {key!r}: must not be empty")
        return value

    def local_path(self, value: str | Path) -> Path:
        return (self.folder / Path(value).expanduser()).resolve()

    def format(self, data: dict[str, Any]) -> str:
        value = self.text(data, "format") or FORMATS[0]
        try:
            sink_class(value)
        except ConfigError as exc:
            raise ConfigError(f"{self.path}: key 'format': {exc}") from exc
        return value

    def site_rules(self, options: Options) -> Options:
        """The options, their site rule modules (extraction/sites.py) imported now:
        a wrong name is a config error before the run starts."""
        from pipeline.extraction import sites

        try:
            sites.load(options.site_rules)
        except ConfigError as exc:
            where = f"{self.path}: table 'extraction': key 'site_rules'"
            raise ConfigError(f"{where}: {exc}") from exc
        return options

    def sources(self, data: dict[str, Any], problems: list[str]) -> tuple[SourceConfig, ...]:
        """Every source, each read on its own (its problems go to `problems`)."""
        tables = data.get("sources", [])
        where = f"{self.path}: key 'sources'"
        if not isinstance(tables, list):
            raise ConfigError(f"{where}: expected an array, got {type_name(tables)}")
        if not tables:
            raise ConfigError(f"{where}: at least one [[sources]] table is needed")
        seen: set[str] = set()
        out = []
        for number, table in enumerate(tables, 1):
            if not isinstance(table, dict):
                problems.append(f"{where}: entry {number} is not a table")
                continue
            try:
                source = self.source(table, number)
            except ConfigError as exc:
                problems.extend(str(exc).splitlines())
                continue
            if source.name in seen:
                problems.append(
                    f"{self.path}: source {source.name!r}: key 'name': duplicate source name"
                )
            seen.add(source.name)
            out.append(source)
        return tuple(out)

    def source(self, table: dict[str, Any], number: int) -> SourceConfig:
        name = table.get("name")
        named = isinstance(name, str) and name.strip()
        where = f"{self.path}: source {name!r}" if named else f"{self.path}: source #{number}"
        values = read_values(SourceConfig, table, where)
        if "name" not in values:
            raise ConfigError(f"{where}: key 'name': missing (every source needs a name)")
        if "kind" not in values:
            kinds = ", ".join(known_kinds())
            raise ConfigError(f"{where}: key 'kind': missing (one of: {kinds})")
        if "path" in values:
            values["path"] = self.local_path(values["path"])
        try:
            source = SourceConfig(**values)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        self.check_location(source, table, where)
        return source

    def check_location(self, source: SourceConfig, table: dict[str, Any], where: str) -> None:
        """The source's kind is known, and its URLs are where that kind takes them from."""
        kind = source.kind
        try:
            locations = kind_named(kind).locations
        except ConfigError as exc:
            raise ConfigError(f"{where}: key 'kind': {exc}") from exc
        given = [key for key in ("url", "path", "urls") if key in table]
        takes = [key for key in ("url", "path", "urls") if key in locations]
        for key in given:
            if key not in takes:
                use = " or ".join(repr(k) for k in takes)
                raise ConfigError(
                    f"{where}: key {key!r}: not allowed for a {kind} source (use {use})"
                )
        if len(given) != 1:
            problem = "missing" if not given else f"conflicts with {given[1]!r}"
            needs = "a url" if takes == ["url"] else f"exactly one of {', '.join(takes)}"
            at = given[0] if given else takes[0]
            raise ConfigError(f"{where}: key {at!r}: {problem} (a {kind} source needs {needs})")
        if source.url is not None and not _is_http_url(source.url):
            raise ConfigError(f"{where}: key 'url': {source.url!r} is not an absolute http(s) URL")
        if source.path is not None and not source.path.is_file():
            raise ConfigError(f"{where}: key 'path': no such file: {source.path}")
        if given == ["urls"] and not source.urls:
            raise ConfigError(f"{where}: key 'urls': must list at least one URL")
        for index, url in enumerate(source.urls):
            if not _is_http_url(url):
                raise ConfigError(f"{where}: key 'urls[{index}]': {url!r} is not an http(s) URL")


def _is_http_url(value: str) -> bool:
    return urls.http_url(value) is not None


# --- the JSON Schema, for editors -------------------------------------------------

SCHEMA_ID = "https://example.invalid/news-pipeline/config.schema.json"


def config_schema() -> dict[str, Any]:
    """The JSON Schema of a run config, made from the dataclasses the reader reads:
    the keys, their types, defaults and descriptions (the ranges are checked by
    `pipeline run`). pipeline/schema/config.schema.json is its text (`schema_text`),
    written by `python -m scripts.config_schema`."""
    properties: dict[str, Any] = {
        "output_dir": {
            "type": "string",
            "minLength": 1,
            "description": "records, errors and the state store go here (default: output)",
        },
        "state_path": {
            "type": "string",
            "minLength": 1,
            "description": "the state store (default: <output_dir>/state.sqlite)",
        },
        "format": {
            "type": "string",
            "minLength": 1,
            "default": FORMATS[0],
            "description": "the records' format: jsonl, parquet, markdown, an installed "
            "format, or a sink class as module:Class",
        },
    }
    for table, (_, default) in TABLES.items():
        properties[table] = table_schema(type(default), default)
    source = table_schema(SourceConfig, None)
    properties["sources"] = {"type": "array", "minItems": 1, "items": source}
    for old, (table, key) in RENAMED.items():
        new = {name: value for name, value in properties[table]["properties"][key].items()}
        new.pop("default", None)
        new.update(deprecated=True, description=f"the old spelling of {table}.{key}")
        if len(old) == 1:
            properties[old[0]] = new
        else:
            holder = properties.setdefault(
                old[0], object_schema({}, "the old place of fetch timeouts")
            )
            holder["deprecated"] = True
            holder["properties"][old[1]] = new
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "pipeline run config (TOML)",
        "description": "The config of `pipeline run CONFIG.toml`, generated from the "
        "settings classes (pipeline/config.py); examples/README.md describes every key. "
        "`pipeline run` checks the same keys and types, and the ranges, and names every "
        "problem at once.",
        **object_schema(properties, None),
        "required": ["sources"],
    }


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
