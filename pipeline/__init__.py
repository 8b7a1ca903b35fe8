"""News-article scraping and cleaning pipeline.

>>> from pipeline import extract
>>> article = extract(html_bytes, url="https://example.com/story")
>>> article.to_dict()["title"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.errors import ExtractionError, PipelineError
from pipeline.options import Options
from pipeline.record import Article
from pipeline.version import __version__

if TYPE_CHECKING:
    from pipeline.api import extract

__all__ = ["Article", "ExtractionError", "Options", "PipelineError", "__version__", "extract"]


def __getattr__(name: str) -> Any:
    # The extractor (its parsers and models) loads on first use, not with the
    # package: a process that only hands pages to workers never needs it.
    if name == "extract":
        from pipeline.api import extract

        return extract
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
