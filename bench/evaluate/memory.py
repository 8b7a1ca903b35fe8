"""Resident memory while one process extracts thousands of pages.

The pages are read from disk one at a time (so that RSS is the extractor's, not
the benchmark's), the system runs over them in a cycle, and every
`every` pages the process's VmRSS (resident now) and VmHWM (peak so far) are read
from /proc/self/status. Memory is flat when it stops growing once warm: the figure
is the growth from the 1,000-page sample to the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench.evaluate.datasets import BenchPage
from bench.evaluate.systems import System, run_safely

STATUS = Path("/proc/self/status")
WARM_PAGES = 1000
#: Growth per page above which memory is not "flat" (a leak of 1 KiB a page is 1 GiB a
#: million pages).
FLAT_KIB_PER_PAGE = 1.0


@dataclass(frozen=True, slots=True)
class MemorySample:
    pages: int
    rss_kib: int
    peak_kib: int


@dataclass(frozen=True, slots=True)
class MemoryResult:
    system: str
    samples: tuple[MemorySample, ...]

    @property
    def growth_kib(self) -> int:
        """RSS of the last sample minus RSS at the warm-up sample (or the first)."""
        warm = next((s for s in self.samples if s.pages >= WARM_PAGES), self.samples[0])
        return self.samples[-1].rss_kib - warm.rss_kib

    @property
    def kib_per_page(self) -> float:
        warm = next((s for s in self.samples if s.pages >= WARM_PAGES), self.samples[0])
        pages = self.samples[-1].pages - warm.pages
        return self.growth_kib / pages if pages else 0.0

    @property
    def flat(self) -> bool:
        return self.kib_per_page <= FLAT_KIB_PER_PAGE

    @property
    def peak_kib(self) -> int:
        return max(s.peak_kib for s in self.samples)


def read_status() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    fields = {}
    for line in STATUS.read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def sample(pages: int) -> MemorySample:
    rss, peak = read_status()
    return MemorySample(pages, rss, peak)


def measure_memory(
    system: System,
    pages: Callable[[], Iterable[BenchPage]],
    total: int = 5000,
    every: int = 500,
) -> MemoryResult:
    """Run `system` over `total` pages, cycling through `pages()`, sampling memory."""
    samples = [sample(0)]
    for done, page in enumerate(islice(_cycle(pages), total), start=1):
        run_safely(system, page)
        if done % every == 0 or done == total:
            samples.append(sample(done))
    return MemoryResult(system.name, tuple(samples))


def _cycle(pages: Callable[[], Iterable[BenchPage]]) -> Iterator[BenchPage]:
    """The pages again and again, read afresh each time round (none kept in memory)."""
    while True:
        empty = True
        for page in pages():
            empty = False
            yield page
        if empty:
            return
