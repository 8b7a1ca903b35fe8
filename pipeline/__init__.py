"""News-article scraping and cleaning pipeline.

>>> from pipeline import extract
>>> article = extract(html_bytes, url="https://example.com/story")
>>> article.to_dict()["title"]
"""

from pipeline.api import extract
from pipeline.errors import ExtractionError, PipelineError
from pipeline.options import Options
from pipeline.record import Article
from pipeline.version import __version__

__all__ = ["Article", "ExtractionError", "Options", "PipelineError", "__version__", "extract"]
