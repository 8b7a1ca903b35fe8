"""`python -m demo`: run the example config on the demo site twice (`make run`);
`python -m demo serve`: serve the site until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from demo.site import EXAMPLES, FIXTURES, DemoSite
from demo.twice import run_twice
from pipeline.logs import setup

_log = logging.getLogger("pipeline.demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    twice = commands.add_parser("twice", help="the default: serve, run twice, stop")
    twice.add_argument("-o", "--output", type=Path, default=Path("output"))
    serve = commands.add_parser("serve", help="serve the demo site until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--root", type=Path, default=FIXTURES, help="the fixtures folder")
    serve.add_argument(
        "--config-dir",
        type=Path,
        help="write demo.toml and demo-urls.txt here, with the site's real address",
    )
    args = parser.parse_args(argv)
    setup()
    if args.command == "serve":
        return _serve(args)
    return run_twice(getattr(args, "output", Path("output")))


def _serve(args: argparse.Namespace) -> int:
    try:
        site = DemoSite(args.root, args.host, args.port).start()
    except OSError as exc:
        _log.error("demo: cannot serve on %s:%s: %s", args.host, args.port, exc)
        return 2
    if args.config_dir is not None:
        args.config_dir.mkdir(parents=True, exist_ok=True)
        for name in ("demo.toml", "demo-urls.txt"):
            text = (EXAMPLES / name).read_text(encoding="utf-8")
            (args.config_dir / name).write_text(site.config_text(text), encoding="utf-8")
        _log.info("demo: wrote %s", args.config_dir / "demo.toml")
    _log.info("demo: serving %d pages on %s (Ctrl-C stops)", len(site.pages), site.base_url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
