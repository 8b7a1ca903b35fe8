"""Copy a small fixed sample of the benchmarks (the CI floor's pages) into a folder.

    python -m bench.evaluate.sample ../shared/bench fixtures/bench

The rule is fixed, not a choice of pages: of the ids in sorted order (per page type
for WCXB), every k-th from the first, k = count // wanted. The copies keep the
benchmarks' layout, so the same loaders read them, and their LICENSE files.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bench.evaluate.datasets import (
    AEB_DIR,
    TRAFEVAL_DIR,
    WCXB_DIR,
    aeb_ids,
    trafeval_ids,
    wcxb_types,
)

AEB_PAGES = 20
TRAFEVAL_PAGES = 40
WCXB_PAGES = {"article": 20, "listing": 5, "collection": 5}


def every_kth(ids: list[str], wanted: int) -> list[str]:
    return sorted(ids)[:: max(1, len(ids) // wanted)][:wanted]


def copy_aeb(src: Path, dst: Path, wanted: int = AEB_PAGES) -> list[str]:
    chosen = every_kth(aeb_ids(src), wanted)
    truth = json.loads((src / "ground-truth.json").read_text(encoding="utf-8"))
    _copy_common(src, dst, chosen)
    sample = {i: truth[i] for i in chosen}
    _write_json(dst / "ground-truth.json", sample)
    return chosen


def copy_trafeval(src: Path, dst: Path, wanted: int = TRAFEVAL_PAGES) -> list[str]:
    chosen = every_kth(trafeval_ids(src), wanted)
    truth = json.loads((src / "ground-truth.json").read_text(encoding="utf-8"))
    _copy_common(src, dst, chosen)
    _write_json(dst / "ground-truth.json", {i: truth[i] for i in chosen})
    return chosen


def copy_wcxb(src: Path, dst: Path, wanted: dict[str, int] = WCXB_PAGES) -> list[str]:
    types = wcxb_types(src)
    chosen = [
        page_id
        for kind, n in wanted.items()
        for page_id in every_kth([i for i, t in types.items() if t == kind], n)
    ]
    _copy_common(src, dst, chosen)
    (dst / "ground-truth").mkdir(exist_ok=True)
    for page_id in chosen:
        shutil.copyfile(
            src / "ground-truth" / f"{page_id}.json", dst / "ground-truth" / f"{page_id}.json"
        )
    metadata = json.loads((src / "metadata.json").read_text(encoding="utf-8"))
    listed = metadata.get("files", {})
    metadata["files"] = {i: listed[i] for i in chosen if i in listed}
    _write_json(dst / "metadata.json", metadata)
    return chosen


def _copy_common(src: Path, dst: Path, chosen: list[str]) -> None:
    (dst / "html").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "LICENSE", dst / "LICENSE")
    for page_id in chosen:
        name = f"{page_id}.html.gz"
        shutil.copyfile(src / "html" / name, dst / "html" / name)


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = Path(argv[0]), Path(argv[1])
    aeb = copy_aeb(src / AEB_DIR, dst / AEB_DIR)
    wcxb = copy_wcxb(src / WCXB_DIR, dst / WCXB_DIR)
    traf = copy_trafeval(src / TRAFEVAL_DIR, dst / TRAFEVAL_DIR)
    print(
        f"copied {len(aeb)} AEB, {len(wcxb)} WCXB and {len(traf)} trafilatura-eval pages to {dst}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
