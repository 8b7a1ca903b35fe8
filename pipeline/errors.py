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
    │   ├── ConsentWall          reason consent_wall: a cookie or consent page shown in
    │   │                        place of the article
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
    │   ├── RobotsUnreachable    reason robots_unreachable: robots.txt answered 5xx or 429,
    │   │                        or was too large: the host is tried again later (a host
    │   │                        that cannot be reached at all is connection_error/timeout)
    │   ├── BlockedAddress       reason blocked_address: the host is (or resolves to) an
    │   │                        address the network guard forbids (loopback, private, ...)
    │   ├── TooManyRedirects     reason too_many_redirects: past the redirect limit
    │   └── Deferred             reason deferred: the server asked (Retry-After) for a wait
    │                            past fetch.retry_after_cap: the URL is left to a later run
    ├── DiscoveryError           reason bad_feed / bad_sitemap: a source that cannot be read
    ├── ConfigError              the run's configuration is wrong                    (exit 2)
    ├── StateError               the state store cannot be opened or used            (exit 2)
    │   ├── StateBusy            in use by another run (also a Busy)                 (exit 75)
    │   └── StateDamaged         damaged, truncated or not a store; `pipeline state
    │                            --check` says what, `--rebuild` recovers            (exit 65)
    ├── OutputError              the output cannot be written                        (exit 2)
    │   └── OutputBusy           an output folder in use by another job (a Busy)     (exit 75)
    ├── StorageError             a disk full or failing (ENOSPC, EDQUOT, EIO) while
    │                            writing the output, the archive or the state store  (exit 74)
    └── Busy                     what StateBusy and OutputBusy share: try again later

Errors of libraries (lexbor, charset-normalizer, dateparser, httpx, sqlite3, OS
errors) are caught at the stage that calls them and re-raised as one of these,
with the reason kept. `exit_status` maps an error to the command's exit status
(the table in the README, "Exit statuses").
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import TypeVar

_T = TypeVar("_T")


class Reason(StrEnum):
    """The fixed set of reason codes written to errors.jsonl."""

    TOO_LARGE = "too_large"
    TOO_COMPLEX = "too_complex"  # markup past the limits of extraction/limits.py
    UNDECODABLE = "undecodable"
    PARSE_ERROR = "parse_error"
    NOT_ARTICLE = "not_article"
    EMPTY_BODY = "empty_body"
    CONSENT_WALL = "consent_wall"  # a consent interstitial, not the article
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
    DEFERRED = "deferred"  # Retry-After past the cap: the URL waits for a later run
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


class ConsentWall(ExtractionError):
    reason = Reason.CONSENT_WALL


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


class Deferred(FetchError):
    """The server asked for a longer wait than we give one fetch; `retry_after` is
    the seconds it asked for, so a state store can hold the URL back that long."""

    reason = Reason.DEFERRED

    def __init__(self, message: str, status: int | None = None, retry_after: float = 0.0) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class DiscoveryError(PipelineError):
    """A feed or sitemap that cannot be read."""

    def __init__(self, message: str, reason: Reason = Reason.BAD_FEED) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class ConfigError(PipelineError):
    """The run's configuration file is missing, malformed or inconsistent."""


class Busy(PipelineError):
    """Something another job holds (a state store, an output folder): try later."""


class StateError(PipelineError):
    """The state store cannot be opened or used."""


class StateBusy(StateError, Busy):
    """The state store is in use by another run."""


class StateDamaged(StateError):
    """The state store's file is damaged, truncated, or not a state store."""


class OutputError(PipelineError):
    """The output file or folder cannot be written."""


class OutputBusy(OutputError, Busy):
    """The output folder is in use by another job."""


class StorageError(PipelineError):
    """A disk full or failing under the output, the archive or the state store."""


# Exit statuses shared by the commands (README, "Exit statuses").
EXIT_OK = 0
EXIT_USAGE = 2  # a wrong command line or config, an output that cannot be opened
EXIT_ALERT = 3  # a run completed, but something a cron job must hear about
EXIT_DAMAGED = 65  # EX_DATAERR: the state store is damaged
EXIT_STORAGE = 74  # EX_IOERR: a disk full or failing
EXIT_BUSY = 75  # EX_TEMPFAIL: another job holds the store or the output folder
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a reader that left

# OS errors that say the storage itself is full or failing, not that a path is wrong.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})


def storage_fault(exc: BaseException) -> OSError | None:
    """The OS error of a full or failing disk behind `exc` (itself or a cause), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in STORAGE_ERRNOS:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def os_fault(exc: OSError, message: str) -> StorageError | OutputError:
    """An OS error while writing, named: StorageError for a full or failing disk,
    OutputError for anything else (a missing folder, no permission)."""
    text = f"{message}: {exc.strerror or exc}"
    return StorageError(text) if storage_fault(exc) is not None else OutputError(text)


@contextlib.contextmanager
def closed_after(resource: AbstractContextManager[_T], what: str) -> Iterator[_T]:
    """`with resource`, where a failure to close it (the last bytes of a file on a
    full disk) is named, and never hides the error that is already ending the job:
    the first fault is the one reported."""
    entered = resource.__enter__()
    try:
        yield entered
    except BaseException as exc:
        with contextlib.suppress(OSError, PipelineError):
            resource.__exit__(type(exc), exc, exc.__traceback__)
        raise
    try:
        resource.__exit__(None, None, None)
    except OSError as exc:
        raise os_fault(exc, f"cannot write {what}") from exc


def closed_pipe(exc: BaseException) -> bool:
    """Whether `exc` (or a cause) is a write to a pipe whose reader has gone."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BrokenPipeError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def exit_status(exc: BaseException) -> int | None:
    """The exit status a command ends with after `exc`, or None for an error that is
    not ours to map (a bug: the command reports it as one)."""
    if closed_pipe(exc):
        return EXIT_CLOSED_PIPE
    if isinstance(exc, StorageError) or (
        isinstance(exc, PipelineError) and storage_fault(exc) is not None
    ):
        return EXIT_STORAGE
    if isinstance(exc, Busy):
        return EXIT_BUSY
    if isinstance(exc, StateDamaged):
        return EXIT_DAMAGED
    if isinstance(exc, ConfigError | StateError | OutputError):
        return EXIT_USAGE
    return None
