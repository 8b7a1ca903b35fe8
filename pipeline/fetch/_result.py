"""What one successful fetch returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetched URL.

    url: the URL asked for; final_url: where the redirects ended.
    redirects: every URL that answered with a redirect, in order (`url` first);
        empty when there was none.
    content: the decompressed body; empty for a 304.
    charset: the Content-Type header's charset parameter, for the decoder.
    content_type: the media type alone, lowercased ("text/html").
    etag, last_modified: the validators to store and send next time; a 304 that
        omits them keeps the ones sent.
    not_modified: the server answered 304 to our conditional request.
    fetched_at: ISO 8601 UTC wall time of the final response.
    elapsed: seconds the whole fetch took, waits and retries included.
    headers: the final response's headers, names lowercased, repeats kept.
    """

    url: str
    final_url: str
    status: int
    content: bytes
    charset: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    fetched_at: str
    elapsed: float
    redirects: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
