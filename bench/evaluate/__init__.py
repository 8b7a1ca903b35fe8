"""Measure the extractor on public benchmarks, beside trafilatura.

    datasets   load benchmark pages (AEB, WCXB, trafilatura-eval) as `BenchPage`s
    systems    the extractors under test: ours and trafilatura variants
    metrics    the benchmarks' own scores, as pure functions
    quality    run the systems over pages and score every page
    speed      pages per second, ours and trafilatura alternating
    memory     resident memory over thousands of pages in one process
    robustness markup transformations that keep the article, scored against the truth
    report     tables, per-page rows, results files, the bench/README.md table
    run        one evaluation run: its plan, its parts in order, its results
    command    the `pipeline eval` command line
    sample     copy the fixed benchmark sample of the CI floor (fixtures/bench/)

`pipeline eval all --write` runs everything; see bench/README.md.
"""

#: The measurements `pipeline eval` can run, in the order `all` runs them.
PARTS = ("aeb", "wcxb", "trafeval", "speed", "memory", "robustness")

#: The robustness suite's transformations (bench/evaluate/robustness.py), in report order.
TRANSFORMS = ("0", "a", "b", "c", "d-span", "d-custom", "e", "f", "g", "h")
