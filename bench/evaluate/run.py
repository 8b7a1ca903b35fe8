"""One evaluation run: which parts, on which pages, and everything they measured."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.evaluate import datasets
from bench.evaluate import robustness as suite
from bench.evaluate.memory import MemoryResult, measure_memory
from bench.evaluate.quality import PageRow, run_pages
from bench.evaluate.speed import SpeedResult, measure_speed
from bench.evaluate.systems import OURS_PURE, Ours, System, Trafilatura, systems
from pipeline.version import __version__

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Plan:
    parts: tuple[str, ...]
    data: Path
    limit: int | None = None
    types: frozenset[str] | None = None
    peers: bool = True
    rounds: int = 5
    memory_pages: int = 5000
    command: str = "pipeline eval all"
    transforms: tuple[str, ...] = suite.KEYS
    workers: int | None = None  # robustness: processes (None: every core)


@dataclass(frozen=True, slots=True)
class Results:
    plan: Plan
    date: str
    versions: dict[str, str]
    aeb: tuple[PageRow, ...] = ()
    wcxb: tuple[PageRow, ...] = ()
    trafeval: tuple[PageRow, ...] = ()
    speed: SpeedResult | None = None
    speed_wcxb: SpeedResult | None = None
    memory: MemoryResult | None = None
    robustness: suite.RobustnessRun | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def versions() -> dict[str, str]:
    return {
        "pipeline": __version__,
        "trafilatura": version("trafilatura"),
        "python": platform.python_version(),
        "platform": sys.platform,
    }


def execute(plan: Plan, progress: Progress = lambda _: None) -> Results:
    """Run the plan's parts in order; `progress` hears of each as it starts and ends."""
    results = Results(plan=plan, date=datetime.now(UTC).date().isoformat(), versions=versions())
    for part in plan.parts:
        progress(f"{part}: running")
        start = time.perf_counter()
        results = _RUNNERS[part](plan, results, progress)
        elapsed = round(time.perf_counter() - start, 1)
        results = replace(results, seconds={**results.seconds, part: elapsed})
        progress(f"{part}: done in {elapsed}s")
    return results


def _aeb_pages(plan: Plan) -> Iterator[datasets.BenchPage]:
    return datasets.load_aeb(plan.data / datasets.AEB_DIR, plan.limit)


def _wcxb_pages(plan: Plan, types: Collection[str] | None) -> Iterator[datasets.BenchPage]:
    return datasets.load_wcxb(plan.data / datasets.WCXB_DIR, types, plan.limit)


def _aeb(plan: Plan, results: Results, _: Progress) -> Results:
    rows = run_pages("aeb", _aeb_pages(plan), systems(plan.peers))
    return replace(results, aeb=tuple(rows))


def _wcxb(plan: Plan, results: Results, _: Progress) -> Results:
    rows = run_pages("wcxb", _wcxb_pages(plan, plan.types), systems(plan.peers))
    return replace(results, wcxb=tuple(rows))


def _trafeval(plan: Plan, results: Results, _: Progress) -> Results:
    pages = datasets.load_trafeval(plan.data / datasets.TRAFEVAL_DIR, plan.limit)
    return replace(results, trafeval=tuple(run_pages("trafeval", pages, systems(plan.peers))))


# The WCXB pages of the speed run: every 5th of the dev split (all types), in id order.
WCXB_SPEED_EVERY = 5


def _speed(plan: Plan, results: Results, _: Progress) -> Results:
    racers: list[System] = [Ours(), Ours(OURS_PURE, pure=True)]
    if plan.peers:
        racers.append(Trafilatura())
    aeb = measure_speed(racers, list(_aeb_pages(plan)), plan.rounds, "AEB")
    sample = list(_wcxb_pages(plan, None))[::WCXB_SPEED_EVERY]
    wcxb = measure_speed(racers, sample, plan.rounds, "WCXB")
    return replace(results, speed=aeb, speed_wcxb=wcxb)


def _memory(plan: Plan, results: Results, _: Progress) -> Results:
    pages = lambda: _wcxb_pages(plan, None)  # noqa: E731
    return replace(results, memory=measure_memory(Ours(), pages, plan.memory_pages))


def _robustness(plan: Plan, results: Results, progress: Progress) -> Results:
    run = suite.run(
        plan.data,
        plan.transforms,
        limit=plan.limit,
        peers=plan.peers,
        workers=plan.workers,
        progress=progress,
    )
    return replace(results, robustness=run)


_RUNNERS: dict[str, Callable[[Plan, Results, Progress], Results]] = {
    "aeb": _aeb,
    "wcxb": _wcxb,
    "trafeval": _trafeval,
    "speed": _speed,
    "memory": _memory,
    "robustness": _robustness,
}
