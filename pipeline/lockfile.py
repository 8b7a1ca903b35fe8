"""One job at a time on a state store or an output folder: an flock.

    fd = acquire(Path("state.sqlite.lock"), {"run_id": "x"}, StateBusy, StateError, "state store")
    ...
    release(fd)

A state store is locked through a file beside it, which names the holder; an
output folder through the folder itself, so that nothing is added to (or
changed in) the output. A second job fails at once with `busy`. An flock is
dropped by the OS when its holder dies: a killed job never blocks the next. A
lock file is never deleted: unlinking it lets two jobs lock two inodes.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path

from pipeline.errors import PipelineError


def acquire(
    path: Path,
    owner: Mapping[str, object],
    busy: type[PipelineError],
    failed: type[PipelineError],
    what: str,
) -> int:
    """Take the lock at `path`, writing `owner` into it; return its descriptor.
    Raises `busy` when another job holds it, `failed` when it cannot be taken."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise failed(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise busy(f"{what} is in use by {holder}") from None
    except OSError as exc:
        os.close(fd)
        raise failed(f"cannot lock {path}: {exc.strerror or exc}") from exc
    name = json.dumps({**owner, "pid": os.getpid()}).encode() + b"\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, name, 0)
    except OSError as exc:
        os.close(fd)
        raise failed(f"cannot write {path}: {exc.strerror or exc}") from exc
    return fd


def acquire_folder(
    folder: Path, busy: type[PipelineError], failed: type[PipelineError], what: str
) -> int:
    """Take the lock of a folder itself (nothing is written); return its descriptor,
    to `release_folder`."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise failed(f"cannot open {folder}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise busy(f"{what} is in use by another job: wait for it to finish") from None
    except OSError as exc:
        os.close(fd)
        raise failed(f"cannot lock {folder}: {exc.strerror or exc}") from exc
    return fd


def release_folder(fd: int) -> None:
    os.close(fd)


def release(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
    except OSError:  # a full disk must not keep the lock: closing releases it
        pass
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0))
        return f"run {info['run_id']} (pid {info['pid']})"
    except (OSError, ValueError, KeyError, TypeError):
        # The holder may not have written its name yet.
        return "another run"


def lock_path(path: Path, suffix: str = ".lock") -> Path:
    """The lock file beside `path`."""
    return path.with_name(path.name + suffix)
