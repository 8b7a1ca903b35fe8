"""The run configuration: the example loads, and every kind of mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import RunConfig, load_config
from pipeline.errors import ConfigError
from pipeline.exec import DEFAULT_WORKER_SETTINGS, WorkerSettings
from pipeline.fetch import DEFAULT_FETCH_SETTINGS, parse_networks
from pipeline.options import DEFAULT_OPTIONS
from pipeline.state import DEFAULT_RETRY_POLICY

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

FEED = """
[[sources]]
name = "main"
kind = "feed"
url = "https://news.example.com/feed.xml"
"""


def _load(tmp_path: Path, text: str) -> RunConfig:
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert str(tmp_path / "run.toml") in message  # every message names the file
    return message


def test_example_config_loads() -> None:
    config = load_config(EXAMPLES / "demo.toml")
    assert config.output_dir == (EXAMPLES.parent / "output" / "demo").resolve()
    assert config.state_path == config.output_dir / "state.sqlite"
    fetch = config.fetch
    assert (fetch.concurrency, fetch.per_host, fetch.per_host_delay) == (4, 2, 0.2)
    assert (fetch.connect_timeout, fetch.read_timeout, fetch.total_timeout) == (5.0, 15.0, 30.0)
    # One max_bytes setting feeds both the fetcher and the extractor.
    assert fetch.max_bytes == config.extraction.max_bytes == 5 * 1024 * 1024
    assert fetch.allow_networks == parse_networks(["127.0.0.1/32"])
    feed, sitemap, listed, inline = config.sources
    assert (feed.kind, feed.url, feed.max_articles) == (
        "feed",
        "http://127.0.0.1:8000/feed.xml",
        50,
    )
    assert [p.pattern for p in feed.exclude] == ["/live/", r"\?page="]
    assert sitemap.kind == "sitemap"
    assert sitemap.url == "http://127.0.0.1:8000/sitemap.xml"
    assert sitemap.delay == 0.5
    assert sitemap.user_agent == "news-pipeline-demo-sitemaps/0.1"
    assert [p.pattern for p in sitemap.include] == ["/news/", "/opinion/"]
    assert listed.kind == "urls"
    assert listed.path == EXAMPLES / "demo-urls.txt"
    assert listed.url is None
    assert len(inline.urls) == 2


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = _load(tmp_path, FEED)
    assert config.output_dir == tmp_path.resolve() / "output"
    assert config.state_path == tmp_path.resolve() / "output" / "state.sqlite"
    # The defaults are each part's own, not copies that could disagree.
    assert config.fetch == DEFAULT_FETCH_SETTINGS
    assert config.extraction == DEFAULT_OPTIONS
    assert config.workers == DEFAULT_WORKER_SETTINGS
    assert config.retry == DEFAULT_RETRY_POLICY
    (source,) = config.sources
    assert (source.user_agent, source.delay, source.max_articles) == (None, None, None)
    assert source.include == source.exclude == ()


def test_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "a.txt").write_text("https://ex.com/a\n")
    config = _load(
        tmp_path,
        'output_dir = "out"\nstate_path = "db/s.sqlite"\n'
        '[[sources]]\nname = "l"\nkind = "urls"\npath = "lists/a.txt"\n',
    )
    assert config.output_dir == tmp_path.resolve() / "out"
    assert config.state_path == tmp_path.resolve() / "db" / "s.sqlite"
    assert config.sources[0].path == tmp_path.resolve() / "lists" / "a.txt"


def test_integer_seconds_are_accepted_as_numbers(tmp_path: Path) -> None:
    config = _load(tmp_path, "per_host_delay = 2\n[timeouts]\ntotal = 90\n" + FEED)
    assert config.fetch.per_host_delay == 2.0
    assert isinstance(config.fetch.per_host_delay, float)
    assert config.fetch.total_timeout == 90.0


def test_source_overrides_make_their_own_fetch_settings(tmp_path: Path) -> None:
    config = _load(tmp_path, FEED + 'user_agent = "other/1"\ndelay = 3\n')
    settings = config.fetch_settings(config.sources[0])
    assert (settings.user_agent, settings.per_host_delay) == ("other/1", 3.0)
    assert settings.concurrency == config.fetch.concurrency


def test_workers_retry_and_networks(tmp_path: Path) -> None:
    text = (
        'allow_networks = ["127.0.0.1", "10.0.0.0/8"]\n'
        "[workers]\njobs = 3\ntime_limit = 2.5\nmemory_mb = 512\npages_per_worker = 50\n"
        '[retry]\nattempts = 3\nbackoff = 60\nbackoff_cap = 600\npermanent = ["not_html"]\n'
    )
    config = _load(tmp_path, text + FEED)
    assert config.workers == WorkerSettings(
        jobs=3, time_limit=2.5, memory_mb=512, pages_per_worker=50
    )
    assert config.retry.max_failures == 3 and config.retry.permanent == {"not_html"}
    assert config.retry.base.total_seconds() == 60 and config.retry.cap.total_seconds() == 600
    assert [str(n) for n in config.fetch.allow_networks] == ["127.0.0.1/32", "10.0.0.0/8"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('allow_networks = ["10.0.0.0/33"]\n', "not an IP address or CIDR range"),
        ("[workers]\njobs = 0\n", "must be at least 1"),
        ("[workers]\ntime_limit = 0\n", "must be at least"),
        ("[workers]\nthreads = 2\n", "unknown key"),
        ('[retry]\npermanent = ["nope"]\n', "not a reason code"),
        ("[retry]\nattempts = 0\n", "must be at least 1"),
    ],
)
def test_bad_workers_retry_and_networks(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, text + FEED)


def test_malformed_url_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    text = FEED.replace("https://news.example.com/feed.xml", "http://[::1/feed.xml")
    assert "is not an absolute http(s) URL" in _error(tmp_path, text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")


def test_not_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in _error(tmp_path, "sources = [\n")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # unknown keys, at each level
        ("concurency = 4\n" + FEED, ["'concurency'", "unknown key"]),
        ("[timeouts]\nconect = 1\n" + FEED, ["'timeouts'", "'conect'", "unknown key"]),
        (FEED + "max_article = 3\n", ["source 'main'", "'max_article'", "unknown key"]),
        # wrong types
        ('concurrency = "4"\n' + FEED, ["'concurrency'", "expected an integer, got a string"]),
        ("per_host = true\n" + FEED, ["'per_host'", "expected an integer"]),
        ('per_host_delay = "1s"\n' + FEED, ["'per_host_delay'", "expected a number"]),
        ("timeouts = 5\n" + FEED, ["'timeouts'", "expected a table"]),
        (FEED + 'max_articles = "ten"\n', ["source 'main'", "'max_articles'", "integer"]),
        (FEED + 'include = "/news/"\n', ["source 'main'", "'include'", "expected an array"]),
        (FEED + "exclude = [1]\n", ["source 'main'", "'exclude[0]'", "expected a string"]),
        (FEED + "delay = -1\n", ["source 'main'", "'delay'", "at least 0"]),
        (FEED + "max_articles = 0\n", ["source 'main'", "'max_articles'", "at least 1"]),
        ("concurrency = 0\n" + FEED, ["'concurrency'", "at least 1"]),
        ("per_host_delay = nan\n" + FEED, ["'per_host_delay'", "at least 0"]),
        ("[timeouts]\nread = 0\n" + FEED, ["'timeouts'", "'read'", "at least"]),
        # bad regular expressions
        (FEED + "include = ['/ok/', '(']\n", ["source 'main'", "'include[1]'", "regular exp"]),
        # sources themselves
        ("", ["'sources'", "at least one"]),
        ("sources = 3\n", ["'sources'", "expected an array"]),
        ("sources = [1]\n", ["'sources'", "entry 1 is not a table"]),
        ('[[sources]]\nkind = "feed"\nurl = "https://x.example/f"\n', ["source #1", "'name'"]),
        (FEED + FEED, ["source 'main'", "'name'", "duplicate"]),
        ('[[sources]]\nname = "n"\nurl = "https://x.example/f"\n', ["source 'n'", "'kind'"]),
        ('[[sources]]\nname = "n"\nkind = "rss"\n', ["source 'n'", "'kind'", "'rss'"]),
        # where a source's content is
        ('[[sources]]\nname = "n"\nkind = "feed"\n', ["source 'n'", "'url'", "missing"]),
        (
            '[[sources]]\nname = "n"\nkind = "sitemap"\nurl = "/sitemap.xml"\n',
            ["source 'n'", "'url'", "not an absolute http(s) URL"],
        ),
        (
            '[[sources]]\nname = "n"\nkind = "feed"\nurl = "file:///etc/passwd"\n',
            ["source 'n'", "'url'", "http(s)"],
        ),
        (
            '[[sources]]\nname = "n"\nkind = "feed"\npath = "f.xml"\n',
            ["source 'n'", "'path'", "not allowed for a feed source"],
        ),
        ('[[sources]]\nname = "n"\nkind = "urls"\n', ["source 'n'", "'url'", "exactly one"]),
        (
            '[[sources]]\nname = "n"\nkind = "urls"\nurls = []\npath = "x"\n',
            ["source 'n'", "conflicts", "exactly one"],
        ),
        (
            '[[sources]]\nname = "n"\nkind = "urls"\nurls = []\n',
            ["source 'n'", "'urls'", "at least"],
        ),
        (
            '[[sources]]\nname = "n"\nkind = "urls"\npath = "missing.txt"\n',
            ["source 'n'", "'path'", "no such file"],
        ),
        (
            '[[sources]]\nname = "n"\nkind = "urls"\nurls = ["https://x.example/a", "x"]\n',
            ["source 'n'", "'urls[1]'", "not an http(s) URL"],
        ),
        ('[[sources]]\nname = ""\nkind = "feed"\n', ["source #1", "'name'", "empty"]),
    ],
)
def test_invalid_config_names_source_and_key(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    message = _error(tmp_path, text)
    for fragment in fragments:
        assert fragment in message, message


def test_readme_example_message_is_real(tmp_path: Path) -> None:
    message = _error(
        tmp_path, FEED.replace('"main"', '"demo-feed"') + "exclude = ['/live/', '(']\n"
    )
    assert message.endswith(
        "source 'demo-feed': key 'exclude[1]': bad regular expression '(': "
        "missing ), unterminated subpattern at position 0"
    )


def test_every_problem_at_once_with_what_was_meant(tmp_path: Path) -> None:
    text = (
        "concurency = 4\n[workers]\njobs = 0\n[retry]\nattempts = 0\n"
        "[near_duplicates]\ntreshold = 0.9\n" + FEED + FEED
    )
    message = _error(tmp_path, text)
    assert message.startswith("5 problems in the config:")
    assert "'concurency': unknown key (did you mean 'concurrency'?)" in message
    assert "'treshold': unknown key (did you mean 'threshold'?)" in message
    assert "table 'workers': key 'jobs': must be at least 1" in message
    assert "table 'retry': key 'attempts': must be at least 1" in message
    assert "duplicate source name" in message


def test_overrides_go_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text("[workers]\njobs = 1\n" + FEED, encoding="utf-8")
    config = load_config(path, ["workers.jobs=3", "format=parquet", "per_host_delay=0.25"])
    assert config.workers.jobs == 3 and config.format == "parquet"
    assert config.fetch.per_host_delay == 0.25
    with pytest.raises(ConfigError, match="must be at least 1"):
        load_config(path, ["workers.jobs=0"])
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(path, ["workers.jobs"])
    with pytest.raises(ConfigError, match="'jobs' is not a table"):
        load_config(path, ["workers.jobs.x=1"])


def test_the_config_schema_for_editors_knows_the_readers_keys() -> None:
    import json
    import tomllib
    from importlib.resources import files

    import jsonschema

    from pipeline import config as reader
    from pipeline.coverage import ALERT_KEYS

    schema = json.loads(files("pipeline").joinpath("schema/config.schema.json").read_text())
    top = schema["properties"]
    assert set(top) == reader._RUN_KEYS
    assert set(top["sources"]["items"]["properties"]) == reader._SOURCE_KEYS
    assert set(top["timeouts"]["properties"]) == reader._TIMEOUT_KEYS
    assert set(top["workers"]["properties"]) == reader._WORKER_KEYS
    assert set(top["retry"]["properties"]) == reader._RETRY_KEYS
    assert set(top["near_duplicates"]["properties"]) == reader._NEAR_KEYS
    assert set(top["alerts"]["properties"]) == ALERT_KEYS
    examples = Path(__file__).resolve().parents[1] / "examples"
    for example in examples.glob("*.toml"):
        jsonschema.validate(tomllib.loads(example.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"sources": [{"name": "x", "kind": "pigeon"}]}, schema)
