"""Extraction speed: pages per second over pages already in memory, one process.

Each round times every system once over the same pages (parsing included), the
order of systems alternating from round to round so that neither always runs on a
warmer or cooler machine; the figure is each system's median over the rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.evaluate.datasets import BenchPage
from bench.evaluate.systems import System, run_safely


@dataclass(frozen=True, slots=True)
class SpeedResult:
    pages: int
    rounds: int
    #: which pages: "AEB" (all 181) or "WCXB" (a fixed sample of the dev split)
    dataset: str
    #: system name -> pages/s of each round, and their median
    per_round: dict[str, tuple[float, ...]]
    median: dict[str, float]

    def ratio(self, system: str, baseline: str) -> float | None:
        """How many times faster `system` is than `baseline` (None if either is missing)."""
        if system not in self.median or baseline not in self.median:
            return None
        return self.median[system] / self.median[baseline]


def pages_per_second(system: System, pages: Sequence[BenchPage]) -> float:
    start = time.perf_counter()
    for page in pages:
        run_safely(system, page)
    return len(pages) / (time.perf_counter() - start)


def measure_speed(
    systems: Sequence[System], pages: Sequence[BenchPage], rounds: int = 5, dataset: str = "AEB"
) -> SpeedResult:
    runs: dict[str, list[float]] = {s.name: [] for s in systems}
    for system in systems:  # caches and lazily loaded models exist before the first round
        run_safely(system, pages[0])
    for n in range(rounds):
        # Each round a different system goes first (with two, they alternate).
        order = [*systems[n % len(systems) :], *systems[: n % len(systems)]]
        for system in order:
            runs[system.name].append(pages_per_second(system, pages))
    return SpeedResult(
        pages=len(pages),
        rounds=rounds,
        dataset=dataset,
        per_round={name: tuple(v) for name, v in runs.items()},
        median={name: statistics.median(v) for name, v in runs.items()},
    )
