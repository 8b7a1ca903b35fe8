"""Charts for the run report, drawn by matplotlib as inline SVG.

Static SVG needs no script and no network: the report opens anywhere, offline,
and prints. Each function returns one `<svg>` element as text; the same data
gives the same bytes (fixed hash salt, no date in the metadata), so reports can
be diffed. The Agg backend is chosen here, before pyplot loads: a run on a
server has no display.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# One palette for every chart (colour-blind safe: Tableau 10's first colours).
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2")
BAR = PALETTE[0]
MARKED = PALETTE[3]
_STYLE: Any = {  # rc_context's keys are typed as literals
    "svg.hashsalt": "pipeline-report",
    "svg.fonttype": "none",  # text stays text: smaller, selectable, searchable
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def histogram(values: Sequence[float], bins: int, xlabel: str, ylabel: str = "records") -> str:
    """Bars of how many `values` fall in each of `bins` equal ranges."""
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(6.4, 2.6))
        axes.hist(values, bins=bins, color=BAR, edgecolor="white", linewidth=0.5)
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        return _svg(figure)


def bars(
    labels: Sequence[str], counts: Sequence[float], xlabel: str, ylabel: str, marked: str = ""
) -> str:
    """One bar a label, in the order given (days, reasons); the bar of the label
    `marked` (the run's own day) in the warning colour."""
    with plt.rc_context(_STYLE):
        width = min(max(6.4, 0.25 * len(labels)), 14.0)
        figure, axes = plt.subplots(figsize=(width, 2.8))
        positions = range(len(labels))
        colours = [MARKED if label == marked else BAR for label in labels]
        axes.bar(positions, counts, color=colours, width=0.8)
        step = max(1, len(labels) // 24)  # at most about 24 tick labels
        axes.set_xticks(list(positions)[::step], list(labels)[::step], rotation=60, ha="right")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        return _svg(figure)


def funnel(stages: Sequence[str], sources: Mapping[str, Sequence[int]]) -> str:
    """Grouped horizontal bars: per source, how many URLs reached each stage."""
    with plt.rc_context(_STYLE):
        names = list(sources)
        height = 0.8 / max(1, len(stages))
        figure, axes = plt.subplots(
            figsize=(6.4, 0.5 + 0.55 * len(names) * max(1, len(stages)) / 3)
        )
        for k, stage in enumerate(stages):
            values = [sources[name][k] for name in names]
            positions = [n + k * height for n in range(len(names))]
            axes.barh(
                positions, values, height=height, color=PALETTE[k % len(PALETTE)], label=stage
            )
        axes.set_yticks([n + 0.4 - height / 2 for n in range(len(names))], names)
        axes.invert_yaxis()
        axes.set_xlabel("URLs")
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
        return _svg(figure)


def trend(runs: Sequence[str], series: Mapping[str, Sequence[float | None]], ylabel: str) -> str:
    """Lines over runs, oldest first: one a field (a gap where a run had no value)."""
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(6.4, 2.6))
        positions = list(range(len(runs)))
        for k, (name, values) in enumerate(series.items()):
            points = [(x, v) for x, v in zip(positions, values, strict=True) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.plot(
                    xs, ys, marker="o", markersize=3, color=PALETTE[k % len(PALETTE)], label=name
                )
        axes.set_xticks(positions, list(runs), rotation=30, ha="right")
        axes.set_ylabel(ylabel)
        if axes.get_legend_handles_labels()[0]:  # a source with no records yet draws none
            axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
        return _svg(figure)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # no XML prolog or doctype inside HTML
