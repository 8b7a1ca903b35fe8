"""Logging for the command line: timestamped lines for cron and files, JSON for
log collectors, and lines that do not break a progress bar on a terminal.

    setup(verbosity=0, fmt="text")   # -q: -1, -v: 1

Every module logs to a child of the `pipeline` logger; nothing is printed
directly but the records themselves and the output of `pipeline state`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

LOGGER = "pipeline"
LEVELS = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}
# What a LogRecord carries by itself; anything else came as `extra` and goes into JSON.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class TextFormatter(logging.Formatter):
    """`2026-12-01T21:14:05Z info    message`: UTC, so lines from many hosts sort."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{stamp} {record.levelname.lower():7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is logged (tests swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def setup(verbosity: int = 0, fmt: str = "text", stream: IO[str] | None = None) -> logging.Logger:
    """Configure the `pipeline` logger for one command; returns it."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(LEVELS[max(-1, min(1, verbosity))])
    logger.propagate = False
    return logger


def interactive(verbosity: int, fmt: str) -> bool:
    """Whether to draw a progress bar: a terminal, text logs, and not -q."""
    return verbosity >= 0 and fmt == "text" and sys.stderr.isatty()
