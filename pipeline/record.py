"""The article record (schema_version 1) and its parts, all frozen dataclasses.

`Article.to_dict()` gives exactly the JSON object described in the README and in
`pipeline/schema/article.schema.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pipeline.errors import DiscoveryError, ExtractionError, FetchError

    PipelineErrorWithReason = ExtractionError | FetchError | DiscoveryError

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    """Turn nested records, tuples and lists into JSON-ready values."""
    if value is None or isinstance(value, (str, int, float)):  # most values: first
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


# Field names per record class, in order (dataclasses.fields() is slow in a loop).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


class _Record:
    """Mixin: a dataclass whose to_dict() keeps field order and a leading `type`."""

    kind: ClassVar[str | None] = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind} if self.kind else {}
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))  # type: ignore[arg-type]
        for name in names:
            out[name] = _plain(getattr(self, name))
        return out


@dataclass(frozen=True, slots=True)
class Heading(_Record):
    kind: ClassVar[str | None] = "heading"
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph(_Record):
    kind: ClassVar[str | None] = "paragraph"
    text: str


@dataclass(frozen=True, slots=True)
class ListItem(_Record):
    text: str
    children: tuple[ListBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class ListBlock(_Record):
    """A list; `start` is the number of an ordered list's first item (`<ol start>`)."""

    kind: ClassVar[str | None] = "list"
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Quote(_Record):
    kind: ClassVar[str | None] = "quote"
    text: str


@dataclass(frozen=True, slots=True)
class Code(_Record):
    kind: ClassVar[str | None] = "code"
    text: str


@dataclass(frozen=True, slots=True)
class TableRef(_Record):
    """A table block: its position in the body; the data is `Article.tables[index]`."""

    kind: ClassVar[str | None] = "table"
    index: int


Block = Heading | Paragraph | ListBlock | Quote | Code | TableRef


@dataclass(frozen=True, slots=True)
class Table(_Record):
    caption: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Reference(_Record):
    text: str
    authors: tuple[str, ...] = ()
    year: str | None = None
    title: str | None = None
    container: str | None = None
    doi: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Source(_Record):
    """The original publisher of an aggregator's repost."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Provenance(_Record):
    """Where a run's record came from (None on records of saved pages).

    source: the config's source that gave the URL; entry_title, entry_published:
    what its feed entry or sitemap (news:) entry said of the URL; fetched_at: the
    UTC instant of the final response (`...Z`); http_status: its status; published_from:
    "page" when `published` is the page's own date, "entry" when the page gave
    none and the entry's date stands in for it, None when neither had one.
    """

    source: str | None = None
    entry_title: str | None = None
    entry_published: str | None = None
    fetched_at: str | None = None
    http_status: int | None = None
    published_from: str | None = None


@dataclass(frozen=True, slots=True)
class Article(_Record):
    schema_version: int
    id: str
    input: str | None
    url: str | None
    canonical_url: str | None
    site_name: str | None
    title: str | None
    authors: tuple[str, ...]
    credits: tuple[str, ...]
    published: str | None
    modified: str | None
    language: str | None
    section: str | None
    tags: tuple[str, ...]
    description: str | None
    doi: str | None
    source: Source | None
    access: str  # "free", "paywalled" or "unknown" (extraction/access.py)
    confidence: float  # that the body is the article, whole and clean (extraction/confidence.py)
    text: str
    blocks: tuple[Block, ...]
    tables: tuple[Table, ...]
    references: tuple[Reference, ...]
    word_count: int
    content_hash: str
    extracted_at: str
    extractor_version: str
    # Set after extraction, by a run or by --force; last so the extractor can omit them.
    duplicate_of: str | None = None
    forced: str | None = None
    provenance: Provenance | None = None  # set by a run (see Provenance)

    @property
    def published_at(self) -> str | None:
        """`published` as a UTC instant (see utc_instant)."""
        return utc_instant(self.published)

    @property
    def modified_at(self) -> str | None:
        """`modified` as a UTC instant (see utc_instant)."""
        return utc_instant(self.modified)

    @property
    def published_date(self) -> str | None:
        """The day of `published` (see day_of)."""
        return day_of(self.published)

    @property
    def published_datetime(self) -> datetime | None:
        """`published_at` as an aware datetime (UTC), or None when no instant is known."""
        return _parsed(self.published_at)

    @property
    def modified_datetime(self) -> datetime | None:
        """`modified_at` as an aware datetime (UTC), or None when no instant is known."""
        return _parsed(self.modified_at)

    @property
    def published_day(self) -> date | None:
        """`published_date` as a date, or None when the day is unknown."""
        return date.fromisoformat(self.published_date) if self.published_date else None

    @property
    def extracted_datetime(self) -> datetime:
        """`extracted_at` as an aware datetime."""
        return datetime.fromisoformat(self.extracted_at)

    def to_dict(self) -> dict[str, Any]:
        # The derived UTC instants follow their dates, so every `*_at` field is a
        # UTC instant that pandas and DuckDB read as a timestamp with no arguments;
        # the published day follows its instant.
        out: dict[str, Any] = {}
        for key, value in _Record.to_dict(self).items():
            out[key] = value
            if key in DERIVED_FROM:
                out[f"{key}_at"] = utc_instant(value)
            if key == "published":
                out["published_date"] = day_of(value)
        return out

    def __repr__(self) -> str:
        # The dataclass repr prints the whole text and every block: a line is enough.
        title = self.title if self.title is None or len(self.title) <= 60 else self.title[:59] + "…"
        return (
            f"<Article {self.id[:12]} {title!r} url={self.url!r} "
            f"published={self.published_date} words={self.word_count}>"
        )

    def with_provenance(self, provenance: Provenance) -> Article:
        """The record with what a run knows of its source and fetch. A page without a
        date of its own takes its feed or sitemap entry's date, and says so
        (`provenance.published_from` "entry")."""
        published, origin = self.published, "page" if self.published else None
        if published is None and (entry := entry_date(provenance.entry_published)):
            published, origin = entry, "entry"
        return replace(
            self, published=published, provenance=replace(provenance, published_from=origin)
        )

    def to_markdown(self, front_matter: bool = True) -> str:
        """The article as Markdown, with its metadata as YAML front matter."""
        from pipeline.markdown import to_markdown

        return to_markdown(self, front_matter)


#: Record fields computed from others (`published_at` from `published`, ...):
#: in to_dict(), never passed to Article().
DERIVED_FROM = ("published", "modified")
_DERIVED_KEYS = frozenset({*(f"{key}_at" for key in DERIVED_FROM), "published_date"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_of(iso: str | None) -> str | None:
    """The day (`YYYY-MM-DD`) of an ISO 8601 date or datetime, as the page gave it:
    a datetime's own day in its own offset (the UTC day of `*_at` may differ), a
    bare date as it is; None when there is no valid day."""
    if iso is None or not _DAY.match(iso):
        return None
    try:
        return date.fromisoformat(iso[:10]).isoformat()
    except ValueError:
        return None


def _parsed(instant: str | None) -> datetime | None:
    return None if instant is None else datetime.fromisoformat(instant)


def writable(text: str) -> str:
    """`text` as UTF-8 can hold it, so that a record or error record can always be
    written: a byte of a file name that was not UTF-8 (which Python keeps as a
    surrogate escape, U+DC80 to U+DCFF) becomes the four characters `\\xNN`, any
    other lone surrogate U+FFFD. Text UTF-8 holds is returned as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(map(_writable_char, text))
    return text


def _writable_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else char


def utc_instant(iso: str | None) -> str | None:
    """The UTC instant of an ISO 8601 date, or None when it names no instant.

    A datetime with a UTC offset gives `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339's UTC
    form: DuckDB 1.x types `Z` strings, not `+00:00` ones). A bare date, or a
    time without an offset, is not an instant (midnight of which zone? local
    time where?), so it gives None rather than a guess; the date field keeps
    what the page said.
    """
    if iso is None or len(iso) <= len("YYYY-MM-DD"):
        return None
    try:
        parsed = datetime.fromisoformat(iso)
        if parsed.tzinfo is None:
            return None
        return utc_text(parsed)
    except (ValueError, OverflowError):
        return None


def entry_date(text: str | None) -> str | None:
    """A feed or sitemap entry's date in the form of the record's dates (a day, a
    local time, or a time with its offset), or None when it is not ISO 8601."""
    if not text:
        return None
    try:
        if len(text.strip()) == len("YYYY-MM-DD"):
            return date.fromisoformat(text.strip()).isoformat()
        return datetime.fromisoformat(text.strip()).isoformat(timespec="seconds")
    except (ValueError, OverflowError):
        return None


def utc_text(moment: datetime) -> str:
    """An aware datetime as the record's UTC instants write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A page, URL or source that produced no record: one line of errors.jsonl.

    input: where it was read (a file, `archive#record-id`, a source's name), or None.
    url: its address, when it has one. reason: the reason code (errors.Reason).
    message: what went wrong, in words. status: the last HTTP status, for fetches.
    duplicate_of: for `near_duplicate`, the id of the earlier record it repeats.
    """

    input: str | None
    url: str | None
    reason: str
    message: str
    status: int | None = None
    duplicate_of: str | None = None

    @classmethod
    def of(cls, input: str | None, url: str | None, error: PipelineErrorWithReason) -> ErrorRecord:
        return cls(input, url, str(error.reason), error.message, getattr(error, "status", None))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "input": self.input,
            "url": self.url,
            "reason": self.reason,
            "message": self.message,
        }
        if self.status is not None:
            out["status"] = self.status
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
        return out


def article_from_dict(data: dict[str, Any]) -> Article:
    """The Article whose `to_dict()` is `data` (a record read back, or staged)."""
    stored = {k: v for k, v in data.items() if k not in _DERIVED_KEYS}
    return Article(
        **{
            **stored,
            "authors": tuple(data["authors"]),
            # Records written before the field existed have none.
            "credits": tuple(data.get("credits", ())),
            "access": data.get("access", "unknown"),
            "confidence": float(data.get("confidence", 0.0)),
            "tags": tuple(data["tags"]),
            "source": Source(**data["source"]) if data["source"] else None,
            # Records written before the field existed have none.
            "provenance": Provenance(**data["provenance"]) if data.get("provenance") else None,
            "blocks": tuple(_block(b) for b in data["blocks"]),
            "tables": tuple(_table(t) for t in data["tables"]),
            "references": tuple(
                Reference(**{**r, "authors": tuple(r["authors"])}) for r in data["references"]
            ),
        }
    )


def _block(data: dict[str, Any]) -> Block:
    kind, fields_ = data["type"], {k: v for k, v in data.items() if k != "type"}
    if kind == "list":
        return _list(fields_)
    block: type[Heading | Paragraph | Quote | Code | TableRef] = {
        "heading": Heading,
        "paragraph": Paragraph,
        "quote": Quote,
        "code": Code,
        "table": TableRef,
    }[kind]
    return block(**fields_)


def _list(data: dict[str, Any]) -> ListBlock:
    items = tuple(
        ListItem(item["text"], tuple(_list(child) for child in item["children"]))
        for item in data["items"]
    )
    return ListBlock(**{k: v for k, v in data.items() if k != "type"} | {"items": items})


def _table(data: dict[str, Any]) -> Table:
    return Table(data["caption"], tuple(data["header"]), tuple(tuple(row) for row in data["rows"]))


#: Fields that change from run to run; fixtures and comparisons leave them out.
VOLATILE_FIELDS = ("extracted_at", "extractor_version", "input")
