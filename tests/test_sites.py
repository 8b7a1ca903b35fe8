from __future__ import annotations

from collections.abc import Iterator

import pytest
from selectolax.lexbor import LexborHTMLParser

import pipeline
from pipeline.extraction import sites
from tests.pages import article_page


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
