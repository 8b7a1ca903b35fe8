"""The article record (schema_version 1) and its parts, all frozen dataclasses.

`Article.to_dict()` gives exactly the JSON object described in the README and in
`pipeline/schema/article.schema.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    """Turn nested records, tuples and lists into JSON-ready values."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


class _Record:
    """Mixin: a dataclass whose to_dict() keeps field order and a leading `type`."""

    kind: ClassVar[str | None] = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind} if self.kind else {}
        for f in fields(self):  # type: ignore[arg-type]
            out[f.name] = _plain(getattr(self, f.name))
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
    kind: ClassVar[str | None] = "list"
    ordered: bool
    items: tuple[ListItem, ...]


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
class Article(_Record):
    schema_version: int
    id: str
    input: str | None
    url: str | None
    canonical_url: str | None
    site_name: str | None
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    language: str | None
    section: str | None
    tags: tuple[str, ...]
    description: str | None
    doi: str | None
    source: Source | None
    text: str
    blocks: tuple[Block, ...]
    tables: tuple[Table, ...]
    references: tuple[Reference, ...]
    word_count: int
    content_hash: str
    extracted_at: str
    extractor_version: str


#: Fields that change from run to run; fixtures and comparisons leave them out.
VOLATILE_FIELDS = ("extracted_at", "extractor_version", "input")
