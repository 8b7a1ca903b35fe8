"""Jobs: each puts a source, an executor, a de-duplication step and a sink on the
runner (pipeline/runner.py), and owns its units of work and what marks them done.
Executors (pipeline/exec/) only run pages, and know no job.

    extract.py   `pipeline extract`: saved pages and web archives; into a folder,
                 one unit and partition per archive, each with its _SUCCESS marker
    run.py       `pipeline run`: one scheduled run of a config (state store, WARC,
                 coverage and alerts, report.html)
    fetch.py     `pipeline fetch`: URLs fetched and extracted once, with no state
"""
