"""Every error the pipeline raises, in one tree.

    PipelineError
    ├── ExtractionError          a page that yields no article (carries a Reason)
    │   ├── TooLarge             reason too_large: more bytes than Options.max_bytes
    │   ├── Undecodable          reason undecodable: empty, binary, or no charset fits
    │   ├── ParseError           reason parse_error: the HTML parser gave up
    │   ├── NotArticle           reason not_article: a listing, home or navigation page
    │   └── EmptyBody            reason empty_body: an article page with no body text
    └── OutputError              the output cannot be written (exit status 2)

Errors of libraries (lexbor, charset-normalizer, dateparser, OS errors) are caught
at the stage that calls them and re-raised as one of these, with the reason kept.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """The fixed set of reason codes written to errors.jsonl."""

    TOO_LARGE = "too_large"
    UNDECODABLE = "undecodable"
    PARSE_ERROR = "parse_error"
    NOT_ARTICLE = "not_article"
    EMPTY_BODY = "empty_body"
    UNREADABLE = "unreadable"  # the input file itself could not be read


class PipelineError(Exception):
    """Base of every error raised by the pipeline."""


class ExtractionError(PipelineError):
    """A page that produced no article; `reason` says why."""

    reason: Reason = Reason.PARSE_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(ExtractionError):
    reason = Reason.TOO_LARGE


class Undecodable(ExtractionError):
    reason = Reason.UNDECODABLE


class ParseError(ExtractionError):
    reason = Reason.PARSE_ERROR


class NotArticle(ExtractionError):
    reason = Reason.NOT_ARTICLE


class EmptyBody(ExtractionError):
    reason = Reason.EMPTY_BODY


class Unreadable(ExtractionError):
    reason = Reason.UNREADABLE


class OutputError(PipelineError):
    """The output file or folder cannot be written."""
