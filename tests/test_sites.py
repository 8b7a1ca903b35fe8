from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

import pipeline
from pipeline.extraction import sites
from tests.pages import article_page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rule() -> Iterator[type[sites.SiteRule]]:
    @sites.register
    class DailyTest(sites.SiteRule):
        hosts = ("daily.test",)
        drop = ("p:nth-of-type(3)",)

        def section(self, tree: LexborHTMLParser) -> str | None:
            return "Weather desk"

    yield DailyTest
    sites._RULES.pop("daily.test")


def test_rule_applies_to_its_host_and_subdomains(rule: type[sites.SiteRule]) -> None:
    assert isinstance(sites.rule_for("https://www.daily.test/a"), rule)
    assert isinstance(sites.rule_for("https://news.daily.test/a"), rule)
    assert sites.rule_for("https://other.test/a") is None
    assert sites.rule_for(None) is None


def test_rule_overrides_fields_and_drops_furniture(rule: type[sites.SiteRule]) -> None:
    generic = pipeline.extract(article_page(), url="https://other.test/river")
    ruled = pipeline.extract(article_page(), url="https://daily.test/river")
    assert generic.section is None and ruled.section == "Weather desk"
    assert ruled.title == generic.title  # fields the rule leaves alone stay generic
    assert len(ruled.blocks) == len(generic.blocks) - 1


_RULE_MODULE = """
from pipeline.extraction.sites import SiteRule, register


@register
class RiverNews(SiteRule):
    hosts = ("river.test",)

    def section(self, tree):
        return "Rivers desk"
"""


def _pages(folder: Path, count: int) -> Path:
    pages = folder / "pages"
    pages.mkdir()
    for n in range(count):
        html = article_page().replace(
            "</head>", f'<link rel="canonical" href="https://river.test/2025/story-{n}"></head>'
        )
        (pages / f"story-{n}.html").write_text(html, encoding="utf-8")
    return pages


def test_rules_named_on_the_command_line_reach_every_worker(tmp_path: Path) -> None:
    """A rule module is named, not passed: worker processes import it themselves."""
    (tmp_path / "riverrules.py").write_text(_RULE_MODULE, encoding="utf-8")
    pages, out = _pages(tmp_path, 4), tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    command = [sys.executable, "-m", "pipeline", "extract", str(pages), "-o", str(out)]
    done = subprocess.run(
        [*command, "--jobs", "2", "--rules", "riverrules"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4 and {r["section"] for r in records} == {"Rivers desk"}
    wrong = subprocess.run(
        [*command, "--rules", "no_such_rules_module"], env=env, capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "no_such_rules_module" in wrong.stderr


def test_a_config_names_its_rule_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.config import load_config
    from pipeline.errors import ConfigError

    (tmp_path / "riverrules2.py").write_text(_RULE_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tmp_path / "run.toml"
    source = '[[sources]]\nname = "news"\nkind = "urls"\nurls = ["https://river.test/x"]\n'
    config.write_text(f'[extraction]\nsite_rules = ["riverrules2"]\n{source}', encoding="utf-8")
    assert load_config(config).extraction.site_rules == ("riverrules2",)
    config.write_text(f'[extraction]\nsite_rules = ["nowhere.rules"]\n{source}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"site_rules.*nowhere\.rules"):
        load_config(config)


def test_an_installed_packages_entry_point_registers_its_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plugged_rules.py").write_text(
        _RULE_MODULE.replace("river.test", "plugged.test"), encoding="utf-8"
    )
    info = tmp_path / "plugged_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plugged-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[news_pipeline.site_rules]\nplugged = plugged_rules\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sites, "_entry_points_loaded", False)
    try:
        rule = sites.rule_for("https://www.plugged.test/story")
        assert rule is not None and type(rule).__name__ == "RiverNews"
    finally:
        sites._RULES.pop("plugged.test", None)


def test_a_runs_config_applies_its_rules_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`site_rules` in a run's config: the rule module reaches the run's workers by name."""
    from pipeline.cli import main
    from tests.localserver import LocalServer, page

    # The rule is for the test server's host: a run's page is known by the URL it came from.
    module = _RULE_MODULE.replace('"river.test"', '"127.0.0.1"')
    (tmp_path / "riverrules_run.py").write_text(module, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    stories = sorted(_pages(tmp_path, 3).iterdir())
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        for n, story in enumerate(stories):
            # Texts of their own, or the run would keep one and skip two as duplicates.
            own = f"</p><p>Gauge {n} on the river read {n + 3} metres at noon.</p></div>"
            html = story.read_text(encoding="utf-8").replace("</p></div>", own, 1)
            server.route(f"/{story.name}", page(html))
        urls = ", ".join(f'"{server.url("/" + s.name)}"' for s in stories)
        config = tmp_path / "run.toml"
        config.write_text(
            'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
            '[extraction]\nsite_rules = ["riverrules_run"]\n[workers]\njobs = 2\n'
            f'[[sources]]\nname = "river"\nkind = "urls"\nurls = [{urls}]\n',
            encoding="utf-8",
        )
        assert main(["run", str(config), "--run-id", "one"]) == 0
    lines = (tmp_path / "out" / "one" / "articles.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == 3 and {r["section"] for r in records} == {"Rivers desk"}


def test_rules_named_on_the_command_line_reach_ray_actors(tmp_path: Path) -> None:
    """`--engine ray`: each actor imports the named rule module itself."""
    pytest.importorskip("ray")
    (tmp_path / "riverrules_ray.py").write_text(_RULE_MODULE, encoding="utf-8")
    pages, out = _pages(tmp_path, 3), tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    command = [sys.executable, "-m", "pipeline", "extract", str(pages), "-o", str(out)]
    done = subprocess.run(
        [*command, "--engine", "ray", "--jobs", "2", "--rules", "riverrules_ray"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3 and {r["section"] for r in records} == {"Rivers desk"}
