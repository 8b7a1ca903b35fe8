"""Benchmark folders read into `BenchPage`s (the page bytes and its ground truth).

AEB (`aeb/`):       html/<id>.html.gz, ground-truth.json {id: {"articleBody", "url"}}
WCXB (`wcxb-dev/`): html/<id>.html.gz, ground-truth/<id>.json, metadata.json
                    (`files.<id>.page_type`; a page it does not list takes the type its
                    own ground truth gives, `_internal.page_type.primary`)
trafilatura-eval (`trafilatura-eval/`): html/<id>.html.gz, ground-truth.json
                    {id: {"url", "file", "with": [...], "without": [...]}} (no main text:
                    the snippets are the whole truth)
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

AEB_DIR = "aeb"
WCXB_DIR = "wcxb-dev"
TRAFEVAL_DIR = "trafilatura-eval"


@dataclass(frozen=True, slots=True)
class BenchPage:
    """One benchmark page and its ground truth (`text`: the main content, "" when none)."""

    id: str
    html: bytes
    url: str | None
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    page_type: str = "article"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _html(root: Path, page_id: str) -> bytes:
    return gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())


def aeb_ids(root: Path) -> list[str]:
    return sorted(_read_json(root / "ground-truth.json"))


def load_aeb(root: Path, limit: int | None = None) -> Iterator[BenchPage]:
    """The AEB pages in id order (the first `limit` of them)."""
    for page_id, entry in _entries(root, limit):
        yield BenchPage(
            id=page_id,
            html=_html(root, page_id),
            url=entry.get("url"),
            text=entry.get("articleBody") or "",
        )


def _entries(root: Path, limit: int | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, entry) of a one-file ground truth, in id order (the first `limit`)."""
    truth: dict[str, dict[str, Any]] = _read_json(root / "ground-truth.json")
    for page_id in islice(sorted(truth), limit):
        yield page_id, truth[page_id]


def wcxb_types(root: Path) -> dict[str, str]:
    """Page id -> page type, for every page that has a ground-truth file."""
    listed: dict[str, dict[str, Any]] = _read_json(root / "metadata.json").get("files", {})
    types = {}
    for path in sorted((root / "ground-truth").glob("*.json")):
        entry = listed.get(path.stem)
        types[path.stem] = entry["page_type"] if entry else _own_type(_read_json(path))
    return types


def _own_type(record: dict[str, Any]) -> str:
    kind = record.get("_internal", {}).get("page_type") or record["ground_truth"].get("page_type")
    return str(kind["primary"] if isinstance(kind, dict) else kind)


def load_wcxb(
    root: Path, types: Collection[str] | None = None, limit: int | None = None
) -> Iterator[BenchPage]:
    """The WCXB pages in id order, of the given page types (all when None)."""
    chosen = [(i, t) for i, t in wcxb_types(root).items() if types is None or t in types]
    for page_id, kind in islice(chosen, limit):
        yield _wcxb_page(root, page_id, kind)


def _wcxb_page(root: Path, page_id: str, kind: str) -> BenchPage:
    record: dict[str, Any] = _read_json(root / "ground-truth" / f"{page_id}.json")
    truth: dict[str, Any] = record["ground_truth"]
    return BenchPage(
        id=page_id,
        html=_html(root, page_id),
        url=record.get("url"),
        text=truth.get("main_content") or "",  # two pages have none: an empty truth
        title=truth.get("title") or None,
        author=truth.get("author") or None,
        published=str(truth["publish_date"]) if truth.get("publish_date") else None,
        with_=tuple(truth.get("with") or ()),
        without=tuple(truth.get("without") or ()),
        page_type=kind,
    )


def trafeval_ids(root: Path) -> list[str]:
    return sorted(_read_json(root / "ground-truth.json"))


def load_trafeval(root: Path, limit: int | None = None) -> Iterator[BenchPage]:
    """The trafilatura-eval pages in id order, their snippets as the truth."""
    for page_id, entry in _entries(root, limit):
        yield BenchPage(
            id=page_id,
            html=_html(root, page_id),
            url=entry.get("url"),
            text="",
            with_=tuple(entry.get("with") or ()),
            without=tuple(entry.get("without") or ()),
        )
