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
    if name == "extract":
        from pipeline import api

        return getattr(api, name)
    if name == "read":
        from pipeline.reading import read

        return read
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


class _Shared:
    """`pipeline.fetch` and `pipeline.crawl`: called, the functions of pipeline/api.py;
    otherwise a module (the fetcher, pipeline/fetch/; a run's job,
    pipeline/jobs/run.py), whose attributes are read and set through this object."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str, module: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", module)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from pipeline import api

        return getattr(api, self._name)(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self._module), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(importlib.import_module(self._module), name, value)

    def __repr__(self) -> str:
        return f"<function pipeline.{self._name} (and the module {self._module})>"


_FETCH, _CRAWL = _Shared("fetch", "pipeline.fetch"), _Shared("crawl", "pipeline.jobs.run")


class _Package(types.ModuleType):
    """The package, whose `fetch` and `crawl` stay the functions when the modules of
    those names are imported (the import system then sets the attribute: ignored
    here; sys.modules keeps the modules)."""

    @property
    def fetch(self) -> _Shared:
        return _FETCH

    @fetch.setter
    def fetch(self, module: types.ModuleType) -> None:
        return None

    @property
    def crawl(self) -> _Shared:
        return _CRAWL

    @crawl.setter
    def crawl(self, module: types.ModuleType) -> None:
        return None


sys.modules[__name__].__class__ = _Package
