"""The run configuration: `load_config(path)` reads a TOML file into frozen dataclasses.

Validation is strict and happens once, here, so every later stage can trust the
values: an unknown key, a wrong type, a bad regex, a missing URL or a duplicate
source name is a ConfigError whose message names the file, the source and the
key. Relative paths are resolved against the config file's folder, so a config
means the same thing from whatever directory the run is started.

Every key is documented in examples/README.md; examples/demo.toml uses them all.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

from pipeline.errors import ConfigError
from pipeline.options import MiB
from pipeline.version import __version__

SourceKind = Literal["feed", "sitemap", "urls"]
KINDS: tuple[SourceKind, ...] = ("feed", "sitemap", "urls")

DEFAULT_USER_AGENT = f"news-pipeline/{__version__}"

_RUN_KEYS = frozenset(
    {
        "output_dir",
        "state_path",
        "user_agent",
        "concurrency",
        "per_host",
        "per_host_delay",
        "timeouts",
        "max_bytes",
        "sources",
    }
)
_TIMEOUT_KEYS = frozenset({"connect", "read", "total"})
_SOURCE_KEYS = frozenset(
    {
        "name",
        "kind",
        "url",
        "path",
        "urls",
        "user_agent",
        "delay",
        "include",
        "exclude",
        "max_articles",
    }
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed to connect, to wait between bytes, and for a whole fetch."""

    connect: float = 10.0
    read: float = 30.0
    total: float = 60.0


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One place to discover article URLs from.

    A feed or sitemap has `url`. A urls source has exactly one of `url` (a
    remote list), `path` (a local file) or `urls` (listed inline). `user_agent`
    and `delay` override the run's values for this source when not None.
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


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a `pipeline run` needs; paths are absolute."""

    output_dir: Path
    state_path: Path
    sources: tuple[SourceConfig, ...]
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 8
    per_host: int = 2
    per_host_delay: float = 1.0
    timeouts: Timeouts = Timeouts()
    max_bytes: int = 10 * MiB


def load_config(path: str | Path) -> RunConfig:
    """Read and validate the TOML config at `path`; raise ConfigError if it is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: the config file is not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return _Reader(path).run_config(data)


T = TypeVar("T")

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "an array",
    dict: "a table",
}


def _type_name(value: object) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


class _Reader:
    """Checks one config file; knows the file so every message can name it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.resolve().parent

    def fail(self, where: str, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}key {key!r}: {problem}")

    def get(self, table: dict[str, Any], key: str, kind: type[T], where: str) -> T | None:
        """The value of `key` if present, checked to be of `kind` (None when absent)."""
        if key not in table:
            return None
        value = table[key]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True  # TOML `2` is as good as `2.0` for seconds
        if not ok:
            raise self.fail(where, key, f"expected {_TYPE_NAMES[kind]}, got {_type_name(value)}")
        return cast(T, value)

    def check_keys(self, table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(where, key, f"unknown key (known keys: {known})")

    def at_least(
        self,
        table: dict[str, Any],
        key: str,
        kind: type[T],
        where: str,
        default: T,
        minimum: float = 1,
    ) -> T:
        value = self.get(table, key, kind, where)
        if value is None:
            return default
        if not cast(float, value) >= minimum:  # `not >=` also refuses nan
            raise self.fail(where, key, f"must be at least {minimum}, got {value}")
        return value

    def text(self, table: dict[str, Any], key: str, where: str) -> str | None:
        value = self.get(table, key, str, where)
        if value is not None and not value.strip():
            raise self.fail(where, key, "must not be empty")
        return value

    def local_path(self, value: str) -> Path:
        return (self.folder / Path(value).expanduser()).resolve()

    def run_config(self, data: dict[str, Any]) -> RunConfig:
        self.check_keys(data, _RUN_KEYS, "")
        output_dir = self.local_path(self.text(data, "output_dir", "") or "output")
        state = self.text(data, "state_path", "")
        return RunConfig(
            output_dir=output_dir,
            state_path=self.local_path(state) if state else output_dir / "state.sqlite",
            sources=self.sources(data),
            user_agent=self.text(data, "user_agent", "") or DEFAULT_USER_AGENT,
            concurrency=self.at_least(data, "concurrency", int, "", 8),
            per_host=self.at_least(data, "per_host", int, "", 2),
            per_host_delay=self.at_least(data, "per_host_delay", float, "", 1.0, minimum=0),
            timeouts=self.timeouts(data),
            max_bytes=self.at_least(data, "max_bytes", int, "", 10 * MiB),
        )

    def timeouts(self, data: dict[str, Any]) -> Timeouts:
        table = self.get(data, "timeouts", dict, "") or {}
        where = "table 'timeouts': "
        self.check_keys(table, _TIMEOUT_KEYS, where)
        default = Timeouts()
        return Timeouts(
            connect=self.at_least(table, "connect", float, where, default.connect, 0.001),
            read=self.at_least(table, "read", float, where, default.read, 0.001),
            total=self.at_least(table, "total", float, where, default.total, 0.001),
        )

    def sources(self, data: dict[str, Any]) -> tuple[SourceConfig, ...]:
        tables = self.get(data, "sources", list, "")
        if not tables:
            raise self.fail("", "sources", "at least one [[sources]] table is needed")
        seen: set[str] = set()
        out = []
        for number, table in enumerate(tables, 1):
            if not isinstance(table, dict):
                raise self.fail("", "sources", f"entry {number} is not a table")
            source = self.source(table, number)
            if source.name in seen:
                raise self.fail(f"source {source.name!r}: ", "name", "duplicate source name")
            seen.add(source.name)
            out.append(source)
        return tuple(out)

    def source(self, table: dict[str, Any], number: int) -> SourceConfig:
        name = self.text(table, "name", f"source #{number}: ")
        if name is None:
            raise self.fail(f"source #{number}: ", "name", "missing (every source needs a name)")
        where = f"source {name!r}: "
        self.check_keys(table, _SOURCE_KEYS, where)
        kind = self.kind(table, where)
        url, path, urls = self.location(table, kind, where)
        max_articles = self.get(table, "max_articles", int, where)
        if max_articles is not None and max_articles < 1:
            raise self.fail(where, "max_articles", f"must be at least 1, got {max_articles}")
        delay = self.get(table, "delay", float, where)
        if delay is not None and not delay >= 0:  # `not >=` also refuses nan
            raise self.fail(where, "delay", f"must be at least 0, got {delay}")
        return SourceConfig(
            name=name,
            kind=kind,
            url=url,
            path=path,
            urls=urls,
            user_agent=self.text(table, "user_agent", where),
            delay=delay,
            include=self.patterns(table, "include", where),
            exclude=self.patterns(table, "exclude", where),
            max_articles=max_articles,
        )

    def kind(self, table: dict[str, Any], where: str) -> SourceKind:
        kind = self.get(table, "kind", str, where)
        if kind is None:
            raise self.fail(where, "kind", f"missing (one of: {', '.join(KINDS)})")
        if kind not in KINDS:
            raise self.fail(where, "kind", f"{kind!r} is not one of: {', '.join(KINDS)}")
        return kind

    def location(
        self, table: dict[str, Any], kind: SourceKind, where: str
    ) -> tuple[str | None, Path | None, tuple[str, ...]]:
        """Where the source's content comes from: (url, path, inline urls)."""
        given = [key for key in ("url", "path", "urls") if key in table]
        if kind != "urls":
            for key in given:
                if key != "url":
                    raise self.fail(where, key, f"not allowed for a {kind} source (use 'url')")
            if not given:
                raise self.fail(where, "url", f"missing (a {kind} source needs a url)")
        elif len(given) != 1:
            problem = "missing" if not given else f"conflicts with {given[1]!r}"
            raise self.fail(
                where,
                given[0] if given else "url",
                f"{problem} (a urls source needs exactly one of url, path, urls)",
            )
        url = self.url(table, "url", where)
        path = self.list_file(table, where)
        urls = self.inline_urls(table, where)
        return url, path, urls

    def url(self, table: dict[str, Any], key: str, where: str) -> str | None:
        value = self.get(table, key, str, where)
        if value is not None and not _is_http_url(value):
            raise self.fail(where, key, f"{value!r} is not an absolute http(s) URL")
        return value

    def list_file(self, table: dict[str, Any], where: str) -> Path | None:
        value = self.text(table, "path", where)
        if value is None:
            return None
        path = self.local_path(value)
        if not path.is_file():
            raise self.fail(where, "path", f"no such file: {path}")
        return path

    def inline_urls(self, table: dict[str, Any], where: str) -> tuple[str, ...]:
        values = self.get(table, "urls", list, where)
        if values is None:
            return ()
        if not values:
            raise self.fail(where, "urls", "must list at least one URL")
        for index, value in enumerate(values):
            if not isinstance(value, str) or not _is_http_url(value):
                raise self.fail(where, f"urls[{index}]", f"{value!r} is not an http(s) URL")
        return tuple(values)

    def patterns(self, table: dict[str, Any], key: str, where: str) -> tuple[re.Pattern[str], ...]:
        values = self.get(table, key, list, where) or []
        out = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.fail(
                    where, f"{key}[{index}]", f"expected a string, got {_type_name(value)}"
                )
            try:
                out.append(re.compile(value))
            except re.error as exc:
                raise self.fail(
                    where, f"{key}[{index}]", f"bad regular expression {value!r}: {exc}"
                ) from exc
        return tuple(out)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)
