"""Write pipeline/schema/config.schema.json from the settings classes.

Usage:
    python -m scripts.config_schema           rewrite the file
    python -m scripts.config_schema --check   exit 1 if the file is not up to date

tests/test_config.py fails while the committed file differs from what the
reader's dataclasses give (`pipeline.config.config_schema`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.config import schema_text

SCHEMA = Path(__file__).resolve().parents[1] / "pipeline" / "schema" / "config.schema.json"


def main(argv: list[str]) -> int:
    text = schema_text()
    if "--check" in argv:
        current = SCHEMA.read_text(encoding="utf-8") if SCHEMA.exists() else ""
        if current != text:
            print(f"{SCHEMA} is out of date: python -m scripts.config_schema", file=sys.stderr)
            return 1
        return 0
    SCHEMA.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
