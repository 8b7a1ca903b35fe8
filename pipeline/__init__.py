"""News-article scraping and cleaning pipeline.

>>> import pipeline
>>> article = pipeline.extract(html_bytes, url="https://example.com/story")
>>> article = pipeline.fetch("https://example.com/story")
>>> for article in pipeline.crawl("news.toml", max_articles=10): ...
>>> table = pipeline.read("output/latest/articles.jsonl")  # a pyarrow.Table, typed
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from pipeline.errors import ExtractionError, PipelineError
from pipeline.options import Options
from pipeline.record import Article
from pipeline.version import __version__

if TYPE_CHECKING:
    from pipeline.api import crawl, extract, fetch
    from pipeline.reading import read

__all__ = [
    "Article",
    "ExtractionError",
    "Options",
    "PipelineError",
    "__version__",
    "crawl",
    "extract",
    "fetch",
    "read",
]


def __getattr__(name: str) -> Any:
    # The extractor (its parsers and models) loads on first use, not with the
    # package: a process that only hands pages to workers never needs it.
    if name in ("extract", "crawl"):
        from pipeline import api

        return getattr(api, name)
    if name == "read":
        from pipeline.reading import read

        return read
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


class _Fetch:
    """`pipeline.fetch`: called, the function `pipeline.api.fetch`; otherwise the
    package pipeline/fetch/ (the fetcher), which has the same name: its
    attributes are read and set through this object."""

    __slots__ = ()

    def __call__(self, url: str, **settings: Any) -> Article:
        from pipeline.api import fetch

        return fetch(url, **settings)

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("pipeline.fetch"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(importlib.import_module("pipeline.fetch"), name, value)

    def __repr__(self) -> str:
        return "<function pipeline.fetch (and the package pipeline/fetch/)>"


class _Package(types.ModuleType):
    """The package, whose `fetch` stays the function when the subpackage of that
    name is imported (the import system then sets the attribute: ignored here)."""

    @property
    def fetch(self) -> _Fetch:
        return _FETCH

    @fetch.setter
    def fetch(self, module: types.ModuleType) -> None:
        return None  # sys.modules["pipeline.fetch"] keeps the subpackage


_FETCH = _Fetch()
sys.modules[__name__].__class__ = _Package
