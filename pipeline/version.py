"""The extractor's version, stamped on every record."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("news-pipeline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
