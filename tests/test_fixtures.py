"""Every fixture page gives its expected record (or its expected error)."""

from __future__ import annotations

import pytest

from scripts import fixtures
from tests.schema import validate

ALL = fixtures.load_all()


def test_fixture_set_is_complete() -> None:
    names = {f.name for f in ALL}
    assert len(ALL) >= 12, names
    assert {"asia_news_wp_repost", "tandf_references"} <= names


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_fixture(fixture: fixtures.Fixture) -> None:
    record = fixtures.run(fixture)
    if "error" not in record:
        validate(record, partial=True)
    assert fixtures.problems(fixture, record) == []
