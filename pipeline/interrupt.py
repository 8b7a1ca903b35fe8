"""Ctrl-C and SIGTERM for the commands that stop cleanly (extract, fetch, run).

    with Interrupts() as interrupts:          # handlers installed (main thread only)
        stop = asyncio.Event()
        interrupts.watch(stop)                # set on the first signal
        ...
    interrupts.signal                         # the first signal, or None

The first SIGINT or SIGTERM asks the work to stop: every watched event is set
(a runner takes no new page, a crawl starts no new fetch), and what was done is
written. A second one ends the process at once: the worker processes are
killed and the process exits 130 or 143 without unwinding, so nothing waits for
a slow page or a hung disk. Worker processes ignore both signals (a Ctrl-C
reaches the whole process group): the parent decides when they stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

_log = logging.getLogger("pipeline")

SIGNALS = (signal.SIGINT, signal.SIGTERM)

# Called on a second signal, just before the process exits: kill worker processes.
_hard_stops: list[Callable[[], None]] = []


def exit_status(signum: signal.Signals) -> int:
    """What a shell reports for a process a signal ended: 128 + its number."""
    return 128 + int(signum)


def on_hard_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Run `callback` if a second signal ends the process; returns its remover."""
    _hard_stops.append(callback)

    def remove() -> None:
        if callback in _hard_stops:
            _hard_stops.remove(callback)

    return remove


class Interrupts:
    """The signal handlers of one command; see the module doc."""

    def __init__(self) -> None:
        self.signal: signal.Signals | None = None
        self._listeners: list[Callable[[], None]] = []
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.signal is not None:
            return  # stopping: a second signal still means "at once", up to the exit
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()

    @property
    def installed(self) -> bool:
        return bool(self._previous)

    @property
    def exit_status(self) -> int | None:
        return None if self.signal is None else exit_status(self.signal)

    def listen(self, callback: Callable[[], None]) -> None:
        """Call `callback` on the first signal (at once if it already came)."""
        self._listeners.append(callback)
        if self.signal is not None:
            callback()

    def watch(self, event: asyncio.Event) -> None:
        """Set `event`, on the running loop, at the first signal."""
        loop = asyncio.get_running_loop()

        def wake() -> None:
            # A loop of an earlier stage (a finished partition) is closed by now:
            # nothing to wake there, and a signal handler must not raise.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

        self.listen(wake)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is not None:
            _stop_now(signal.Signals(signum))
        self.signal = signal.Signals(signum)
        _log.warning(
            "%s: stopping after the work under way (%s again to stop at once)",
            self.signal.name,
            "Ctrl-C" if self.signal == signal.SIGINT else "the signal",
        )
        for listener in list(self._listeners):
            listener()


def _stop_now(signum: signal.Signals) -> None:
    for callback in list(_hard_stops):
        # Exiting anyway: one failed kill must not stop the others.
        with contextlib.suppress(Exception):
            callback()
    try:
        os.write(2, f"pipeline: {signum.name} again: stopped at once\n".encode())
    finally:
        os._exit(exit_status(signum))
