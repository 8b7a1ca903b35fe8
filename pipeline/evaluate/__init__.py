"""Measure the extractor on public benchmarks, beside trafilatura.

    datasets   load benchmark pages (AEB, WCXB) as `BenchPage`s
    systems    the extractors under test: ours and trafilatura variants
    metrics    the benchmarks' own scores, as pure functions
    quality    run the systems over pages and score every page
    speed      pages per second, ours and trafilatura alternating
    memory     resident memory over thousands of pages in one process
    report     tables, per-page rows, results files, the bench/README.md table

`pipeline eval all --write` runs everything; see bench/README.md.
"""
