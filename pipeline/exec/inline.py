"""The in-process executor: extraction in the calling thread, no limits (for debugging)."""

from __future__ import annotations

from concurrent.futures import Future

from pipeline.errors import ExtractionError
from pipeline.extraction import extract_page
from pipeline.options import Options
from pipeline.page import Extractable, SavedPage
from pipeline.record import Article


class Inline:
    """Extracts each page as it is submitted; the future is already done."""

    jobs = 1

    def __init__(self, options: Options) -> None:
        self.options = options

    def submit(self, page: Extractable) -> Future[Article]:
        future: Future[Article] = Future()
        try:
            loaded = page.read() if isinstance(page, SavedPage) else page
            future.set_result(extract_page(loaded, self.options))
        except ExtractionError as exc:
            future.set_exception(exc)
        return future

    def close(self) -> None:
        return None

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
