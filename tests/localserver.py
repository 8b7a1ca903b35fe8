"""A small real HTTP/1.1 server on 127.0.0.1 for tests and demos.

Routes map a path to a handler: a function of the Request returning a Response
(or a coroutine of one). A Response can also misbehave on purpose: wait before
answering, drip its body, or drop the connection halfway through.

    with LocalServer({"/": page("<p>hi</p>")}) as server:
        server.url("/")  # http://127.0.0.1:<port>/

The server runs its own event loop in a daemon thread, so both sync and async
tests can use it; every connection is closed after one response.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin

_HEAD_LIMIT = 64 * 1024
_READ_TIMEOUT = 5.0  # a client that never finishes its request is dropped


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # names lowercased

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Response:
    """What to send. Content-Length is added unless given in `headers`.

    delay: seconds before the status line (a slow server).
    chunk_size, chunk_delay: send the body in pieces this far apart (a dripping one).
    reset_after: send only this many body bytes, then drop the connection.
    """

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    chunk_size: int = 16 * 1024
    chunk_delay: float = 0.0
    reset_after: int | None = None


Handler = Callable[[Request], Response | Awaitable[Response]]


def page(
    body: str | bytes,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: tuple[tuple[str, str], ...] = (),
) -> Handler:
    """A handler that always answers the same."""
    data = body.encode() if isinstance(body, str) else body
    response = Response(status, data, (("Content-Type", content_type), *headers))
    return lambda _request: response


def redirect(location: str, status: int = 302) -> Handler:
    return lambda _request: Response(status, headers=(("Location", location),))


@dataclass
class LocalServer:
    routes: dict[str, Handler] = field(default_factory=dict)
    host: str = "127.0.0.1"
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self._run, name="localserver", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the local server did not start")
        return self

    def stop(self) -> None:
        """Stop serving; safe to call twice (a test may stop it before its fixture)."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # this thread's own loop, for gather below
        self._loop = loop
        server = loop.run_until_complete(asyncio.start_server(self._serve, self.host, 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            # Slow handlers still sleeping are cancelled, so stopping is quick.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(_read_request(reader), _READ_TIMEOUT)
            if request is None:
                return
            self.requests.append(request)
            response = await self._answer(request)
            await _send(writer, request, response)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the client left or stalled; nothing to tell it
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, request: Request) -> Response:
        handler = self.routes.get(request.path)
        if handler is None:
            return Response(404, b"not found", (("Content-Type", "text/plain"),))
        result = handler(request)
        return await result if isinstance(result, Awaitable) else result


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        return None
    if len(head) > _HEAD_LIMIT:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length", "0")
    if length.isdigit() and int(length):
        await reader.readexactly(int(length))  # a request body is read and ignored
    path, _, query = target.partition("?")
    return Request(method, path, query, headers)


async def _send(writer: asyncio.StreamWriter, request: Request, response: Response) -> None:
    if response.delay:
        await asyncio.sleep(response.delay)
    writer.write(_head(response).encode("latin-1"))
    body = b"" if request.method == "HEAD" else response.body
    if response.reset_after is not None:
        writer.write(body[: response.reset_after])
        await writer.drain()
        writer.transport.abort()
        return
    for start in range(0, len(body), response.chunk_size):
        if start and response.chunk_delay:
            await asyncio.sleep(response.chunk_delay)
        writer.write(body[start : start + response.chunk_size])
        await writer.drain()
    await writer.drain()


def _head(response: Response) -> str:
    names = {name.lower() for name, _ in response.headers}
    headers = list(response.headers)
    if "content-length" not in names:
        headers.append(("Content-Length", str(len(response.body))))
    headers.append(("Connection", "close"))
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {response.status} {phrase}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return "\r\n".join(lines) + "\r\n\r\n"
