"""Field coverage per source, and the alerts that say a source changed.

The most damaging failure of a scheduled scraper is silent: a site changes its
templates and from that night on its records come out without an author, a
date or half the body. So every run tallies, per source, what its records hold
(and `pipeline extract`, per host: `ByHost`, in its summary and `--coverage`):

    records          articles extracted (written, unchanged or duplicate alike:
                     the template is what is measured, not what is new)
    title, authors, published, published_at, language, tables
                     the share of records with the field (`published_at`: a
                     date that parsed to an instant; a date taken from the feed
                     entry in place of the page's own does not count)
    median_words     the median body word count
    failed           pages that gave no record; failed_<reason>: the share of
                     the source's pages (records + failed) failed for it

The state store keeps each run's figures. A source departs from its own recent
history (the median of its last `history` runs with at least `min_records`
records) when, with at least `min_records` records or failures this run:

    a field's share falls below `field_drop` times its usual share, and by at
        least `field_points` (author coverage 0.9 -> 0.1)
    the median words fall below `words_drop` times the usual
    a failure reason's share rises by `failure_rise` or more (`not_article` from
        0.02 to 0.60)

A source needs `min_history` earlier runs before it is judged: a new source is
never alerted on. `AlertSettings` holds the margins; the config's `[alerts]`
table sets them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import ConfigError
from pipeline.record import Article

#: The fields whose coverage is tallied, in report order.
FIELDS: tuple[str, ...] = ("title", "authors", "published", "published_at", "language", "tables")

Figures = dict[str, float]


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """When a source's figures depart from its history (see the module docstring).

    history: the usual figures are the median of this many latest runs.
    min_history: earlier runs a source needs before it is judged.
    min_records: records (or failures) a run needs to be judged or to count as history.
    field_drop, field_points: a field's share below field_drop times its usual share,
        and lower by at least field_points, is an alert.
    words_drop: a median word count below this times the usual is an alert.
    failure_rise: a failure reason's share risen by this much is an alert.
    """

    history: int = 5
    min_history: int = 2
    min_records: int = 5
    field_drop: float = 0.5
    field_points: float = 0.2
    words_drop: float = 0.5
    failure_rise: float = 0.25

    def __post_init__(self) -> None:
        for name in ("history", "min_history", "min_records"):
            if getattr(self, name) < 1:
                raise ConfigError(f"alerts.{name} must be at least 1, got {getattr(self, name)}")
        for name in ("field_drop", "field_points", "words_drop", "failure_rise"):
            value = getattr(self, name)
            if not 0 < value <= 1:  # `not` also refuses nan
                raise ConfigError(f"alerts.{name} must be above 0 and at most 1, got {value}")
        if self.min_history > self.history:
            raise ConfigError(
                f"alerts.min_history ({self.min_history}) must not exceed history ({self.history})"
            )


DEFAULT_ALERT_SETTINGS = AlertSettings()


class Tally:
    """One source's records in one run (a plain slots class: it is updated once per
    page). Its failures are counted where the source's other outcomes are."""

    __slots__ = ("present", "records", "words")

    def __init__(self) -> None:
        self.records = 0
        self.present: Counter[str] = Counter()
        self.words: list[int] = []

    def add(self, article: Article) -> None:
        self.records += 1
        self.words.append(article.word_count)
        present = self.present
        # A date the feed gave in place of the page's own is not the page's: a
        # template that lost its dateline must show.
        own = article.provenance is None or article.provenance.published_from != "entry"
        for name, value in (
            ("title", article.title),
            ("authors", article.authors),
            ("published", own and article.published),
            ("published_at", own and article.published_at),
            ("language", article.language),
            ("tables", article.tables),
        ):
            if value:
                present[name] += 1

    def to_dict(self) -> dict[str, object]:
        """Its counts as they are (a unit's marker, a Ray actor's answer): `merge`
        adds them up again."""
        return {"records": self.records, "present": dict(self.present), "words": self.words}

    def merge(self, data: Mapping[str, Any]) -> None:
        self.records += int(data.get("records", 0))
        self.present.update({str(k): int(v) for k, v in dict(data.get("present", {})).items()})
        self.words.extend(int(w) for w in data.get("words", ()))

    def figures(self, failed: Mapping[str, int]) -> Figures:
        """The run's figures, with the source's pages `failed` by reason (see the
        module docstring), rounded for people and JSON."""
        pages = self.records + sum(failed.values())
        out: Figures = {"records": self.records, "failed": pages - self.records}
        if self.records:
            for name in FIELDS:
                out[name] = round(self.present[name] / self.records, 4)
            out["median_words"] = float(median(self.words))
        for reason, count in sorted(failed.items()):
            if count:
                out[f"failed_{reason}"] = round(count / pages, 4)
        return out


class ByHost:
    """`pipeline extract`'s coverage: a tally and the failures of each host."""

    __slots__ = ("failed", "tallies")

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}
        self.failed: dict[str, Counter[str]] = {}

    def add(self, url: str | None, article: Article) -> None:
        host = host_of(url)
        if host not in self.tallies:
            self.tallies[host] = Tally()
        self.tallies[host].add(article)

    def fail(self, url: str | None, reason: str) -> None:
        self.failed.setdefault(host_of(url), Counter())[reason] += 1

    def to_dict(self) -> dict[str, object]:
        return {
            "tallies": {host: tally.to_dict() for host, tally in self.tallies.items()},
            "failed": {host: dict(counts) for host, counts in self.failed.items()},
        }

    def merge(self, data: Mapping[str, Any]) -> None:
        for host, tally in dict(data.get("tallies", {})).items():
            self.tallies.setdefault(host, Tally()).merge(tally)
        for host, counts in dict(data.get("failed", {})).items():
            self.failed.setdefault(host, Counter()).update(counts)

    def figures(self) -> dict[str, Figures]:
        """Each host's figures, the hosts with most pages first."""
        hosts = set(self.tallies) | set(self.failed)
        found = {
            host: self.tallies.get(host, Tally()).figures(self.failed.get(host, Counter()))
            for host in hosts
        }
        order = sorted(hosts, key=lambda h: (-(found[h]["records"] + found[h]["failed"]), h))
        return {host: found[host] for host in order}


def host_of(url: str | None) -> str:
    """The host a record is counted under ("www." dropped); "-" for a page without URL."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else "-"


def departures(
    name: str,
    now: Mapping[str, float],
    history: Sequence[Mapping[str, float]],
    settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
) -> list[str]:
    """What a person should hear about source `name`: each way its figures this run
    (`now`) depart from its recent `history` (newest first), in words."""
    pages = now.get("records", 0) + now.get("failed", 0)
    if pages < settings.min_records:
        return []
    enough = settings.min_records
    earlier = [h for h in history[: settings.history] if h.get("records", 0) >= enough]
    if len(earlier) < settings.min_history:
        return []
    runs = len(earlier)
    said: list[str] = []
    if now.get("records", 0) >= settings.min_records:
        for field in FIELDS:
            usual = median(h.get(field, 0.0) for h in earlier)
            share = now.get(field, 0.0)
            if share < settings.field_drop * usual and usual - share >= settings.field_points:
                said.append(
                    f"source {name!r}: {field} in {_percent(share)} of records, usually"
                    f" {_percent(usual)} (median of {runs} runs)"
                )
        usual_words = median(h.get("median_words", 0.0) for h in earlier)
        words = now.get("median_words", 0.0)
        if usual_words and words < settings.words_drop * usual_words:
            said.append(
                f"source {name!r}: median body {words:.0f} words, usually {usual_words:.0f}"
                f" (median of {runs} runs)"
            )
    for reason in _reasons(now, earlier):
        key = f"failed_{reason}"
        usual = median(h.get(key, 0.0) for h in earlier)
        share = now.get(key, 0.0)
        if share - usual >= settings.failure_rise:
            said.append(
                f"source {name!r}: {reason} for {_percent(share)} of pages, usually"
                f" {_percent(usual)} (median of {runs} runs)"
            )
    return said


def _reasons(now: Mapping[str, float], earlier: Iterable[Mapping[str, float]]) -> list[str]:
    keys = {k for k in now if k.startswith("failed_")}
    for h in earlier:
        keys.update(k for k in h if k.startswith("failed_"))
    return sorted(k.removeprefix("failed_") for k in keys)


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"
