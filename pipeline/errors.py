"""Every error the pipeline raises, in one tree.

    PipelineError
    ├── ExtractionError          a page that yields no article (carries a Reason)
    │   ├── TooLarge             reason too_large: more bytes than Options.max_bytes
    │   ├── TooComplex           reason too_complex: markup nested too deep, too many
    │   │                        elements or attributes on one (decided before parsing)
    │   ├── Undecodable          reason undecodable: empty, binary, or no charset fits
    │   ├── ParseError           reason parse_error: the HTML parser gave up
    │   ├── NotArticle           reason not_article: a listing, home or navigation page
    │   ├── EmptyBody            reason empty_body: an article page with no body text
    │   ├── Unreadable           reason unreadable: the input file cannot be read
    │   ├── ExtractorError       reason extractor_error: the extractor itself failed on the
    │   │                        page (a bug or a library's surprise; type and message kept)
    │   ├── TooSlow              reason too_slow: past the per-page time limit (worker killed)
    │   └── TooMuchMemory        reason too_much_memory: past the per-page memory limit
    ├── FetchError               a URL that could not be fetched (carries a Reason)
    │   ├── FetchTimeout         reason timeout: connect, read or total time ran out
    │   ├── ConnectionFailed     reason connection_error: refused, reset, DNS, TLS
    │   ├── HTTPStatusError      reason http_error: 4xx, or 5xx/429 after the retries
    │   ├── BodyTooLarge         reason too_large: the body passed the size limit
    │   ├── NotHTML              reason not_html: a content type we do not extract
    │   ├── RobotsDisallowed     reason robots_disallowed: robots.txt forbids the URL
    │   ├── RobotsUnreachable    reason robots_unreachable: robots.txt could not be read
    │   │                        (timeout, refused, 5xx): the host is tried again later
    │   ├── BlockedAddress       reason blocked_address: the host is (or resolves to) an
    │   │                        address the network guard forbids (loopback, private, ...)
    │   └── TooManyRedirects     reason too_many_redirects: past the redirect limit
    ├── DiscoveryError           reason bad_feed / bad_sitemap: a source that cannot be read
    ├── ConfigError              the run's configuration is wrong (exit status 2)
    ├── StateError               the state store is unusable or in use (exit status 2)
    └── OutputError              the output cannot be written (exit status 2)

Errors of libraries (lexbor, charset-normalizer, dateparser, httpx, sqlite3, OS
errors) are caught at the stage that calls them and re-raised as one of these,
with the reason kept.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """The fixed set of reason codes written to errors.jsonl."""

    TOO_LARGE = "too_large"
    TOO_COMPLEX = "too_complex"  # markup past the limits of extraction/limits.py
    UNDECODABLE = "undecodable"
    PARSE_ERROR = "parse_error"
    NOT_ARTICLE = "not_article"
    EMPTY_BODY = "empty_body"
    UNREADABLE = "unreadable"  # the input file itself could not be read
    EXTRACTOR_ERROR = "extractor_error"
    TOO_SLOW = "too_slow"
    TOO_MUCH_MEMORY = "too_much_memory"
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    HTTP_ERROR = "http_error"
    NOT_HTML = "not_html"
    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_UNREACHABLE = "robots_unreachable"
    BLOCKED_ADDRESS = "blocked_address"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    NEAR_DUPLICATE = "near_duplicate"  # skipped: nearly the text of an earlier record
    BAD_FEED = "bad_feed"
    BAD_SITEMAP = "bad_sitemap"


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


class TooComplex(ExtractionError):
    reason = Reason.TOO_COMPLEX


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


class ExtractorError(ExtractionError):
    reason = Reason.EXTRACTOR_ERROR


class TooSlow(ExtractionError):
    reason = Reason.TOO_SLOW


class TooMuchMemory(ExtractionError):
    reason = Reason.TOO_MUCH_MEMORY


class FetchError(PipelineError):
    """A URL that could not be fetched; `reason` says why, `status` is the last
    HTTP status seen (None when no response came)."""

    reason: Reason = Reason.CONNECTION_ERROR

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class FetchTimeout(FetchError):
    reason = Reason.TIMEOUT


class ConnectionFailed(FetchError):
    reason = Reason.CONNECTION_ERROR


class HTTPStatusError(FetchError):
    reason = Reason.HTTP_ERROR


class BodyTooLarge(FetchError):
    reason = Reason.TOO_LARGE


class NotHTML(FetchError):
    reason = Reason.NOT_HTML


class RobotsDisallowed(FetchError):
    reason = Reason.ROBOTS_DISALLOWED


class RobotsUnreachable(FetchError):
    reason = Reason.ROBOTS_UNREACHABLE


class BlockedAddress(FetchError):
    reason = Reason.BLOCKED_ADDRESS


class TooManyRedirects(FetchError):
    reason = Reason.TOO_MANY_REDIRECTS


class DiscoveryError(PipelineError):
    """A feed or sitemap that cannot be read."""

    def __init__(self, message: str, reason: Reason = Reason.BAD_FEED) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class ConfigError(PipelineError):
    """The run's configuration file is missing, malformed or inconsistent."""


class StateError(PipelineError):
    """The state store cannot be opened, is corrupt, or is used by another run."""


class OutputError(PipelineError):
    """The output file or folder cannot be written."""
