"""How extraction is spread over worker processes, and how each is bounded."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pipeline.errors import ConfigError


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """jobs: worker processes (None: one per core); 1 extracts in-process, unbounded.
    time_limit: seconds one page may take in a worker before it is killed (too_slow).
    memory_mb: MiB a worker may grow by while extracting one page (too_much_memory).
    pages_per_worker: a worker is replaced after this many pages, so that memory
        a long run fragments is given back.
    """

    jobs: int | None = None
    time_limit: float = 10.0
    memory_mb: int = 1024
    pages_per_worker: int = 500

    def __post_init__(self) -> None:
        if self.jobs is not None and self.jobs < 1:
            raise ConfigError(f"workers.jobs must be at least 1, got {self.jobs}")
        if not self.time_limit > 0:  # `not >` also refuses nan
            raise ConfigError(f"workers.time_limit must be positive, got {self.time_limit}")
        if self.memory_mb < 16:
            raise ConfigError(f"workers.memory_mb must be at least 16, got {self.memory_mb}")
        if self.pages_per_worker < 1:
            raise ConfigError(
                f"workers.pages_per_worker must be at least 1, got {self.pages_per_worker}"
            )

    def resolved_jobs(self) -> int:
        return self.jobs if self.jobs is not None else default_jobs()


DEFAULT_WORKER_SETTINGS = WorkerSettings()
