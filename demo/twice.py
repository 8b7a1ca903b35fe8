"""The README's main job: serve the demo site, run the example config on it twice."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from demo.site import EXAMPLES, DemoSite
from pipeline.config import load_config
from pipeline.jobs.run import new_run_id, run

_log = logging.getLogger("pipeline.demo")


def run_twice(output: Path, examples: Path = EXAMPLES) -> int:
    """Run examples/demo.toml on the demo site twice and show that the second run
    finds nothing new. Returns an exit status: 0 when it does."""
    folder = output / "demo" / new_run_id()
    with DemoSite(port=0) as site:
        for name in ("demo.toml", "demo-urls.txt"):
            text = (examples / name).read_text(encoding="utf-8")
            (folder / "config").mkdir(parents=True, exist_ok=True)
            (folder / "config" / name).write_text(site.config_text(text), encoding="utf-8")
        # A fresh state store per demo, so its first run always starts from nothing.
        config = replace(
            load_config(folder / "config" / "demo.toml"),
            output_dir=folder,
            state_path=folder / "state.sqlite",
        )
        _log.info("demo: news site at %s, output in %s", site.base_url, folder)
        runs = (run(config, "run-1"), run(config, "run-2"))
    first, second = (json.loads((r.folder / "run.json").read_text()) for r in runs)
    nothing_new = second["written"] == 0 and second["fetched"] == 0
    _log.info(
        "demo: first run wrote %d records; second run: %d not modified, %d written%s",
        first["written"],
        second["not_modified"],
        second["written"],
        " (nothing new, as expected)" if nothing_new else " (UNEXPECTED: something changed)",
    )
    _log.info("demo: the first run's report: %s", runs[0].folder / "report.html")
    quiet = not first["alerts"] and not second["alerts"]
    if not quiet:
        _log.warning("demo: UNEXPECTED alerts: %s", first["alerts"] + second["alerts"])
    return 0 if first["written"] > 0 and nothing_new and quiet else 1
