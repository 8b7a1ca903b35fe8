"""The run configuration: `load_config(path)` reads a TOML file into frozen dataclasses.

Validation is strict and happens once, here, so every later stage can trust the
values: an unknown key, a wrong type, a bad regex, a missing URL or a duplicate
source name is a ConfigError whose message names the file, the source and the
key. Relative paths are resolved against the config file's folder, so a config
means the same thing from whatever directory the run is started.

Every key is documented in examples/README.md; examples/demo.toml uses them all.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from pipeline import urls
from pipeline.coverage import ALERT_KEYS, DEFAULT_ALERT_SETTINGS, AlertSettings
from pipeline.dedup.near import DEFAULT_NEAR_SETTINGS, NearSettings
from pipeline.errors import ConfigError, Reason
from pipeline.exec import DEFAULT_WORKER_SETTINGS, WorkerSettings
from pipeline.fetch import DEFAULT_FETCH_SETTINGS, FetchSettings, IPNetwork, parse_networks
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.sinks import FORMATS, sink_class
from pipeline.sources.kinds import kind_named, known_kinds
from pipeline.state import DEFAULT_RETRY_POLICY, RetryPolicy

# A source's kind: a built-in name (feed, sitemap, urls), an installed one or a
# module:Class (sources/kinds.py).
SourceKind = str

# Sources give at most this many URLs a run unless max_urls says otherwise: a
# sitemap index can list millions, and discovery must not hold them all.
DEFAULT_MAX_URLS_PER_SOURCE = 50_000

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
        "allow_networks",
        "format",
        "near_duplicates",
        "alerts",
        "site_rules",
        "workers",
        "retry",
        "sources",
    }
)
_TIMEOUT_KEYS = frozenset({"connect", "read", "total"})
_WORKER_KEYS = frozenset({"jobs", "time_limit", "memory_mb", "pages_per_worker"})
_RETRY_KEYS = frozenset({"attempts", "backoff", "backoff_cap", "permanent"})
_NEAR_KEYS = frozenset({"action", "threshold", "containment", "containment_jaccard", "keep_days"})
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
        "max_urls",
    }
)


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
    max_urls: int = DEFAULT_MAX_URLS_PER_SOURCE


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a `pipeline run` needs; paths are absolute.

    The settings of each part are that part's own settings object, composed
    here once (each with its one set of defaults), not copied field by field.
    """

    output_dir: Path
    state_path: Path
    sources: tuple[SourceConfig, ...]
    fetch: FetchSettings = DEFAULT_FETCH_SETTINGS
    extraction: Options = DEFAULT_OPTIONS
    workers: WorkerSettings = DEFAULT_WORKER_SETTINGS
    retry: RetryPolicy = DEFAULT_RETRY_POLICY
    format: str = FORMATS[0]
    near: NearSettings = DEFAULT_NEAR_SETTINGS
    alerts: AlertSettings = DEFAULT_ALERT_SETTINGS

    def fetch_settings(self, source: SourceConfig) -> FetchSettings:
        """The run's fetch settings with the source's own user agent and delay."""
        changes: dict[str, Any] = {}
        if source.user_agent is not None:
            changes["user_agent"] = source.user_agent
        if source.delay is not None:
            changes["per_host_delay"] = source.delay
        return replace(self.fetch, **changes) if changes else self.fetch


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
    for override in overrides:
        _override(data, override)
    return _Reader(path).run_config(data)


def _override(data: dict[str, Any], text: str) -> None:
    """Set a dotted key of the config's data (`-s workers.jobs=4`): the value is read
    as TOML (`4`, `true`, `["a", "b"]`, `"text"`), or taken as a string."""
    key, equals, value = text.partition("=")
    names = [part.strip() for part in key.split(".")]
    if not equals or not all(names):
        raise ConfigError(f"-s {text!r}: expected key=value, the key dotted (workers.jobs=4)")
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


T = TypeVar("T")

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "an array",
    dict: "a table",
}


def _did_you_mean(key: str, allowed: frozenset[str]) -> str:
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{hint}; known keys: {', '.join(sorted(allowed))}"


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
        unknown = [key for key in table if key not in allowed]
        if unknown:
            raise ConfigError(
                "\n".join(
                    str(self.fail(where, key, f"unknown key{_did_you_mean(key, allowed)}"))
                    for key in unknown
                )
            )

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
        """The config, each part read on its own so that one error does not hide
        another: every problem found is in the one ConfigError raised."""
        problems: list[str] = []

        def part(read: Callable[[], T], default: T) -> T:
            try:
                return read()
            except ConfigError as exc:
                problems.append(str(exc))
                return default

        part(lambda: self.check_keys(data, _RUN_KEYS, ""), None)
        output_dir = part(
            lambda: self.local_path(self.text(data, "output_dir", "") or "output"), Path("output")
        )
        state = part(lambda: self.text(data, "state_path", ""), None)
        max_bytes = part(
            lambda: self.at_least(data, "max_bytes", int, "", DEFAULT_OPTIONS.max_bytes),
            DEFAULT_OPTIONS.max_bytes,
        )
        config = RunConfig(
            output_dir=output_dir,
            state_path=self.local_path(state) if state else output_dir / "state.sqlite",
            sources=part(lambda: self.sources(data, problems), ()),
            fetch=part(lambda: self.fetch(data, max_bytes), DEFAULT_FETCH_SETTINGS),
            extraction=replace(
                DEFAULT_OPTIONS,
                max_bytes=max_bytes,
                site_rules=part(lambda: self.site_rules(data), ()),
            ),
            workers=part(lambda: self.workers(data), DEFAULT_WORKER_SETTINGS),
            retry=part(lambda: self.retry(data), DEFAULT_RETRY_POLICY),
            format=part(lambda: self.format(data), FORMATS[0]),
            near=part(lambda: self.near(data), DEFAULT_NEAR_SETTINGS),
            alerts=part(lambda: self.alerts(data), DEFAULT_ALERT_SETTINGS),
        )
        if problems:
            count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
            raise ConfigError(f"{count} in the config:\n" + "\n".join(problems))
        return config

    def site_rules(self, data: dict[str, Any]) -> tuple[str, ...]:
        """Modules that register site rules (extraction/sites.py), imported now: a
        wrong name is a config error before the run starts."""
        from pipeline.extraction import sites

        names = self.get(data, "site_rules", list, "") or []
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise self.fail("", "site_rules", "expected a list of module names")
        try:
            sites.load(names)
        except ConfigError as exc:
            raise ConfigError(f"{self.path}: key 'site_rules': {exc}") from exc
        return tuple(names)

    def alerts(self, data: dict[str, Any]) -> AlertSettings:
        table = self.get(data, "alerts", dict, "") or {}
        where = "table 'alerts': "
        self.check_keys(table, ALERT_KEYS, where)
        base = DEFAULT_ALERT_SETTINGS
        changes: dict[str, Any] = {}
        for name in sorted(ALERT_KEYS):
            kind: type[Any] = int if isinstance(getattr(base, name), int) else float
            value = self.get(table, name, kind, where)
            if value is not None:
                changes[name] = value
        try:
            return replace(base, **changes)
        except ConfigError as exc:
            raise ConfigError(f"{self.path}: {where}{exc}") from exc

    def near(self, data: dict[str, Any]) -> NearSettings:
        table = self.get(data, "near_duplicates", dict, "") or {}
        where = "table 'near_duplicates': "
        self.check_keys(table, _NEAR_KEYS, where)
        base = DEFAULT_NEAR_SETTINGS
        action = self.get(table, "action", str, where) or base.action
        if action not in ("write", "skip", "off"):
            raise self.fail(where, "action", f"{action!r} is not one of: write, skip, off")

        def number(key: str, default: float) -> float:
            value = self.get(table, key, float, where)
            return default if value is None else value

        days = self.get(table, "keep_days", int, where)
        try:
            return replace(
                base,
                action=cast(Any, action),
                threshold=number("threshold", base.threshold),
                containment=number("containment", base.containment),
                containment_jaccard=number("containment_jaccard", base.containment_jaccard),
                keep_days=base.keep_days if days is None else days,
            )
        except ConfigError as exc:
            raise ConfigError(f"{self.path}: {where}{exc}") from exc

    def format(self, data: dict[str, Any]) -> str:
        value = self.get(data, "format", str, "") or FORMATS[0]
        try:
            sink_class(value)
        except ConfigError as exc:
            raise self.fail("", "format", str(exc)) from exc
        return value

    def fetch(self, data: dict[str, Any], max_bytes: int) -> FetchSettings:
        base = DEFAULT_FETCH_SETTINGS
        timeouts = self.get(data, "timeouts", dict, "") or {}
        where = "table 'timeouts': "
        self.check_keys(timeouts, _TIMEOUT_KEYS, where)
        return replace(
            base,
            user_agent=self.text(data, "user_agent", "") or base.user_agent,
            concurrency=self.at_least(data, "concurrency", int, "", base.concurrency),
            per_host=self.at_least(data, "per_host", int, "", base.per_host),
            per_host_delay=self.at_least(
                data, "per_host_delay", float, "", base.per_host_delay, minimum=0
            ),
            connect_timeout=self.at_least(
                timeouts, "connect", float, where, base.connect_timeout, 0.001
            ),
            read_timeout=self.at_least(timeouts, "read", float, where, base.read_timeout, 0.001),
            total_timeout=self.at_least(timeouts, "total", float, where, base.total_timeout, 0.001),
            max_bytes=max_bytes,
            allow_networks=self.networks(data),
        )

    def networks(self, data: dict[str, Any]) -> tuple[IPNetwork, ...]:
        values = self.get(data, "allow_networks", list, "") or []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.fail("", f"allow_networks[{index}]", "expected a string")
        try:
            return parse_networks(values)
        except ValueError as exc:
            raise self.fail("", "allow_networks", str(exc)) from exc

    def workers(self, data: dict[str, Any]) -> WorkerSettings:
        table = self.get(data, "workers", dict, "") or {}
        where = "table 'workers': "
        self.check_keys(table, _WORKER_KEYS, where)
        base = DEFAULT_WORKER_SETTINGS
        jobs = self.get(table, "jobs", int, where)
        if jobs is not None and jobs < 1:
            raise self.fail(where, "jobs", f"must be at least 1, got {jobs}")
        return WorkerSettings(
            jobs=jobs if jobs is not None else base.jobs,
            time_limit=self.at_least(table, "time_limit", float, where, base.time_limit, 0.001),
            memory_mb=self.at_least(table, "memory_mb", int, where, base.memory_mb, 16),
            pages_per_worker=self.at_least(
                table, "pages_per_worker", int, where, base.pages_per_worker
            ),
        )

    def retry(self, data: dict[str, Any]) -> RetryPolicy:
        table = self.get(data, "retry", dict, "") or {}
        where = "table 'retry': "
        self.check_keys(table, _RETRY_KEYS, where)
        base = DEFAULT_RETRY_POLICY
        backoff = self.at_least(table, "backoff", float, where, base.base.total_seconds(), 0)
        cap = self.at_least(table, "backoff_cap", float, where, base.cap.total_seconds(), 0)
        return RetryPolicy(
            base=timedelta(seconds=backoff),
            cap=timedelta(seconds=cap),
            max_failures=self.at_least(table, "attempts", int, where, base.max_failures),
            permanent=self.reasons(table, where) if "permanent" in table else base.permanent,
        )

    def reasons(self, table: dict[str, Any], where: str) -> frozenset[str]:
        values = self.get(table, "permanent", list, where) or []
        known = {str(reason) for reason in Reason}
        for index, value in enumerate(values):
            if value not in known:
                raise self.fail(
                    where, f"permanent[{index}]", f"{value!r} is not a reason code of errors.jsonl"
                )
        return frozenset(values)

    def sources(self, data: dict[str, Any], problems: list[str]) -> tuple[SourceConfig, ...]:
        """Every source, each read on its own (its problems go to `problems`)."""
        tables = self.get(data, "sources", list, "")
        if not tables:
            raise self.fail("", "sources", "at least one [[sources]] table is needed")
        seen: set[str] = set()
        out = []
        for number, table in enumerate(tables, 1):
            if not isinstance(table, dict):
                problems.append(str(self.fail("", "sources", f"entry {number} is not a table")))
                continue
            try:
                source = self.source(table, number)
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            if source.name in seen:
                where = f"source {source.name!r}: "
                problems.append(str(self.fail(where, "name", "duplicate source name")))
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
        max_urls = self.at_least(table, "max_urls", int, where, DEFAULT_MAX_URLS_PER_SOURCE)
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
            max_urls=max_urls,
        )

    def kind(self, table: dict[str, Any], where: str) -> SourceKind:
        kind = self.get(table, "kind", str, where)
        if kind is None:
            raise self.fail(where, "kind", f"missing (one of: {', '.join(known_kinds())})")
        try:
            kind_named(kind)
        except ConfigError as exc:
            raise self.fail(where, "kind", str(exc)) from exc
        return kind

    def location(
        self, table: dict[str, Any], kind: SourceKind, where: str
    ) -> tuple[str | None, Path | None, tuple[str, ...]]:
        """Where the source's content comes from: (url, path, inline urls)."""
        given = [key for key in ("url", "path", "urls") if key in table]
        takes = [key for key in ("url", "path", "urls") if key in kind_named(kind).locations]
        for key in given:
            if key not in takes:
                use = " or ".join(repr(k) for k in takes)
                raise self.fail(where, key, f"not allowed for a {kind} source (use {use})")
        if len(given) != 1:
            problem = "missing" if not given else f"conflicts with {given[1]!r}"
            needs = "a url" if takes == ["url"] else f"exactly one of {', '.join(takes)}"
            raise self.fail(
                where, given[0] if given else takes[0], f"{problem} (a {kind} source needs {needs})"
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
    return urls.http_url(value) is not None
