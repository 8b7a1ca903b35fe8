"""The demo: a small news site on the loopback interface, and the README's main job.

    python -m demo                 # make run: serve the site, run examples/demo.toml twice
    python -m demo serve [--port 8000] [--config-dir DIR]

It lives beside the `pipeline` package, not in it: it serves the repository's
fixture pages and configs, which an installed pipeline does not carry.
"""

from demo.site import DemoPage, DemoSite
from demo.twice import run_twice

__all__ = ["DemoPage", "DemoSite", "run_twice"]
