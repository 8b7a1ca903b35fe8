"""Progress of a batch or a run: a bar on a terminal, plain lines under cron.

    with progress_for(interactive=True, unit="pages") as progress:
        progress.update(done, total, written, failed)   # total None: not known yet

On a terminal the bar (rich) shows done of total, the rate, the time left and
the counts, and log lines print above it. Anywhere else a line is logged every
ten seconds, and once at the end: what a cron mail or a log file wants.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

_log = logging.getLogger("pipeline.progress")
_EVERY = 10.0  # seconds between two progress lines in a log


class Progress(Protocol):
    def update(self, done: int, total: int | None, written: int, failed: int) -> None: ...

    def __enter__(self) -> Progress: ...

    def __exit__(self, *exc: object) -> None: ...


class Silent:
    """For -q: nothing."""

    def update(self, done: int, total: int | None, written: int, failed: int) -> None:
        return None

    def __enter__(self) -> Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Lines:
    """A log line every ten seconds (and at the end) with the rate and the time left."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.started = self.last = time.monotonic()
        self.state: tuple[int, int | None, int, int] = (0, None, 0, 0)

    def update(self, done: int, total: int | None, written: int, failed: int) -> None:
        self.state = (done, total, written, failed)
        now = time.monotonic()
        if now - self.last >= _EVERY:
            self.last = now
            _log.info(self.line(now))

    def line(self, now: float) -> str:
        done, total, written, failed = self.state
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        of = f"/{total}" if total is not None else ""
        left = ""
        if total is not None and rate > 0 and total > done:
            left = f", {_duration((total - done) / rate)} left"
        return (
            f"{done}{of} {self.unit}, {rate:.1f} {self.unit}/s{left},"
            f" {written} written, {failed} failed"
        )

    def __enter__(self) -> Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        # Not after an error (a closed stdout, a full disk): its message says enough.
        if self.state[0] and exc[0] is None:
            _log.info(self.line(time.monotonic()))


class Bar:
    """A rich progress bar on stderr; the `pipeline` logger prints above it meanwhile."""

    def __init__(self, unit: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.unit = unit
        self._console = Console(stderr=True)
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=self._console,
        )
        self._task = self._bar.add_task(unit, total=None, rate="", counts="")
        self._started = time.monotonic()
        self._handlers: list[logging.Handler] = []

    def update(self, done: int, total: int | None, written: int, failed: int) -> None:
        rate = done / max(time.monotonic() - self._started, 1e-9)
        self._bar.update(
            self._task,
            completed=done,
            total=total,
            rate=f"{rate:.1f}/s",
            counts=f"{written} written, {failed} failed",
        )

    def __enter__(self) -> Bar:
        from rich.logging import RichHandler

        logger = logging.getLogger("pipeline")
        self._handlers = list(logger.handlers)
        for handler in self._handlers:
            logger.removeHandler(handler)
        logger.addHandler(RichHandler(console=self._console, show_path=False))
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
        logger = logging.getLogger("pipeline")
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in self._handlers:
            logger.addHandler(handler)


def progress_for(interactive: bool, quiet: bool, unit: str) -> Progress:
    if quiet:
        return Silent()
    return Bar(unit) if interactive else Lines(unit)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
