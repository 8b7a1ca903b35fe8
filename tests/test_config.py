"""The run configuration: the example loads, and every kind of mistake is named."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.config import RENAMED, TABLES, RunConfig, config_keys, load_config
from pipeline.coverage import AlertSettings
from pipeline.dedup.near import NearSettings
from pipeline.errors import ConfigError
from pipeline.exec import DEFAULT_WORKER_SETTINGS, WorkerSettings
from pipeline.fetch import DEFAULT_FETCH_SETTINGS, parse_networks
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.state import DEFAULT_RETRY_POLICY, RetryPolicy

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


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The messages `pipeline.config` logs (its own handler: the CLI's logging setup
    stops `pipeline` records from reaching pytest's)."""
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger, handler = logging.getLogger("pipeline.config"), Keep(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def test_example_config_loads(warnings: list[str]) -> None:
    config = load_config(EXAMPLES / "demo.toml")
    assert warnings == []  # the example uses no old spelling
    assert config.output_dir == (EXAMPLES.parent / "output" / "demo").resolve()
    assert config.state_path == config.output_dir / "state.sqlite"
    fetch = config.fetch
    assert (fetch.concurrency, fetch.per_host, fetch.per_host_delay) == (4, 2, 0.2)
    assert (fetch.connect_timeout, fetch.read_timeout, fetch.total_timeout) == (5.0, 15.0, 30.0)
    # [fetch] max_bytes bounds extraction too.
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
    config = _load(tmp_path, "[fetch]\nper_host_delay = 2\ntotal_timeout = 90\n" + FEED)
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
        '[fetch]\nallow_networks = ["127.0.0.1", "10.0.0.0/8"]\n'
        "[workers]\njobs = 3\ntime_limit = 2.5\nmemory_mb = 512\npages_per_worker = 50\n"
        '[retry]\nattempts = 3\nbackoff = 60\nbackoff_cap = 600\npermanent = ["not_html"]\n'
    )
    config = _load(tmp_path, text + FEED)
    assert config.workers == WorkerSettings(
        jobs=3, time_limit=2.5, memory_mb=512, pages_per_worker=50
    )
    assert config.retry == RetryPolicy(
        attempts=3,
        backoff=timedelta(seconds=60),
        backoff_cap=timedelta(minutes=10),
        permanent=frozenset({"not_html"}),
    )
    assert [str(n) for n in config.fetch.allow_networks] == ["127.0.0.1/32", "10.0.0.0/8"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[fetch]\nallow_networks = ["10.0.0.0/33"]\n', "not an IP address or CIDR range"),
        ("[workers]\njobs = 0\n", "workers.jobs must be at least 1, got 0"),
        ("[workers]\ntime_limit = 0\n", "workers.time_limit must be positive"),
        ("[workers]\nmemory_mb = 8\n", "workers.memory_mb must be at least 16"),
        ("[workers]\nthreads = 2\n", "unknown key"),
        ('[retry]\npermanent = ["nope"]\n', "not a reason code"),
        ("[retry]\nattempts = 0\n", "retry.attempts must be at least 1"),
        ("[retry]\nbackoff = -1\n", "retry.backoff must be at least 0"),
        ("[retry]\nbackoff = nan\n", "'backoff': nan is not a number of seconds"),
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
        ("[fetch]\nconect_timeout = 1\n" + FEED, ["'fetch'", "'conect_timeout'", "unknown"]),
        ("[fetch]\nobey_robots = false\n" + FEED, ["'fetch'", "'obey_robots'", "unknown"]),
        (FEED + "max_article = 3\n", ["source 'main'", "'max_article'", "unknown key"]),
        # wrong types
        ('concurrency = "4"\n' + FEED, ["'concurrency'", "expected an integer, got a string"]),
        (
            '[fetch]\nconcurrency = "4"\n' + FEED,
            ["table 'fetch': key 'concurrency'", "expected an integer, got a string"],
        ),
        ("fetch = 4\n" + FEED, ["table 'fetch'", "expected a table, got an integer"]),
        ('[near_duplicates]\naction = "drop"\n' + FEED, ["'action'", "'drop' is not one of"]),
        ("[extraction]\nforce = 1\n" + FEED, ["'force'", "expected true or false"]),
        ("per_host = true\n" + FEED, ["'per_host'", "expected an integer"]),
        ('per_host_delay = "1s"\n' + FEED, ["'per_host_delay'", "expected a number"]),
        ("timeouts = 5\n" + FEED, ["'timeouts'", "expected a table"]),
        (FEED + 'max_articles = "ten"\n', ["source 'main'", "'max_articles'", "integer"]),
        (FEED + 'include = "/news/"\n', ["source 'main'", "'include'", "expected an array"]),
        (FEED + "exclude = [1]\n", ["source 'main'", "'exclude[0]'", "expected a string"]),
        (FEED + "delay = -1\n", ["source 'main': delay must be at least 0, got -1"]),
        (FEED + "max_articles = 0\n", ["source 'main': max_articles must be at least 1"]),
        ("concurrency = 0\n" + FEED, ["table 'fetch': fetch.concurrency must be at least 1"]),
        ("[fetch]\nper_host_delay = nan\n" + FEED, ["fetch.per_host_delay must be at least 0"]),
        ("[timeouts]\nread = 0\n" + FEED, ["fetch.read_timeout must be positive, got 0"]),
        ("[extraction]\nmax_bytes = 0\n" + FEED, ["extraction.max_bytes must be at least 1"]),
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
        ('[[sources]]\nname = ""\nkind = "feed"\n', ["source #1", "name must not be empty"]),
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
    assert "'concurency': unknown key (did you mean 'fetch.concurrency'?)" in message
    assert "'treshold': unknown key (did you mean 'threshold'?)" in message
    assert "table 'workers': workers.jobs must be at least 1, got 0" in message
    assert "table 'retry': retry.attempts must be at least 1, got 0" in message
    assert "duplicate source name" in message


def test_overrides_go_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text("[workers]\njobs = 1\n" + FEED, encoding="utf-8")
    config = load_config(path, ["workers.jobs=3", "format=parquet", "fetch.per_host_delay=0.25"])
    assert config.workers.jobs == 3 and config.format == "parquet"
    assert config.fetch.per_host_delay == 0.25
    config = load_config(path, ["fetch.concurrency=3", "workers.jobs=2"])
    assert (config.fetch.concurrency, config.workers.jobs) == (3, 2)
    with pytest.raises(ConfigError, match="must be at least 1"):
        load_config(path, ["workers.jobs=0"])
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(path, ["workers.jobs"])
    with pytest.raises(ConfigError, match="'jobs' is not a table"):
        load_config(path, ["workers.jobs.x=1"])


def test_every_table_is_read_into_its_settings_object(tmp_path: Path) -> None:
    text = (
        "[fetch]\n"
        'user_agent = "ua/1"\nconcurrency = 8\nper_host = 3\nper_host_delay = 0.5\n'
        "connect_timeout = 2\nread_timeout = 3\ntotal_timeout = 4\nretries = 1\n"
        "retry_wait = 0.25\nretry_wait_cap = 5\njitter = 0\nretry_after_cap = 60\n"
        'max_redirects = 2\nmax_bytes = 4096\nallow_networks = ["10.0.0.0/8"]\n'
        "[extraction]\nmin_words = 10\nreferences = false\nforce = true\nsite_rules = []\n"
        "[workers]\njobs = 2\ntime_limit = 5\nmemory_mb = 256\npages_per_worker = 20\n"
        '[retry]\nattempts = 2\nbackoff = 30\nbackoff_cap = 90\npermanent = ["not_html"]\n'
        '[near_duplicates]\naction = "skip"\nthreshold = 0.7\ncontainment = 0.8\n'
        "containment_jaccard = 0.5\nkeep_days = 30\n"
        "[alerts]\nhistory = 6\nmin_history = 3\nmin_records = 4\nfield_drop = 0.4\n"
        "field_points = 0.1\nwords_drop = 0.3\nfailure_rise = 0.2\n"
    )
    config = _load(tmp_path, text + FEED)
    fetch = config.fetch
    assert (fetch.user_agent, fetch.concurrency, fetch.per_host, fetch.per_host_delay) == (
        "ua/1",
        8,
        3,
        0.5,
    )
    assert (fetch.connect_timeout, fetch.read_timeout, fetch.total_timeout) == (2.0, 3.0, 4.0)
    assert (fetch.retries, fetch.retry_wait, fetch.retry_wait_cap, fetch.jitter) == (1, 0.25, 5, 0)
    assert (fetch.retry_after_cap, fetch.max_redirects, fetch.max_bytes) == (60.0, 2, 4096)
    assert fetch.allow_networks == parse_networks(["10.0.0.0/8"])
    assert fetch.obey_robots and fetch.html_types == DEFAULT_FETCH_SETTINGS.html_types
    assert config.extraction == Options(
        max_bytes=4096, min_words=10, references=False, force=True, site_rules=()
    )
    assert config.workers == WorkerSettings(
        jobs=2, time_limit=5.0, memory_mb=256, pages_per_worker=20
    )
    assert config.retry == RetryPolicy(
        attempts=2,
        backoff=timedelta(seconds=30),
        backoff_cap=timedelta(seconds=90),
        permanent=frozenset({"not_html"}),
    )
    assert config.near == NearSettings(
        action="skip", threshold=0.7, containment=0.8, containment_jaccard=0.5, keep_days=30
    )
    assert config.alerts == AlertSettings(
        history=6,
        min_history=3,
        min_records=4,
        field_drop=0.4,
        field_points=0.1,
        words_drop=0.3,
        failure_rise=0.2,
    )
    # Every key of every table was given above: the test keeps up with the classes.
    given = {line.split(" = ")[0] for line in text.splitlines() if " = " in line}
    assert given == {key for _, default in TABLES.values() for key in config_keys(type(default))}


def test_the_fetch_size_limit_bounds_extraction_unless_extraction_sets_its_own(
    tmp_path: Path,
) -> None:
    config = _load(tmp_path, "[fetch]\nmax_bytes = 4096\n" + FEED)
    assert config.fetch.max_bytes == config.extraction.max_bytes == 4096
    config = _load(tmp_path, "[fetch]\nmax_bytes = 4096\n[extraction]\nmax_bytes = 1024\n" + FEED)
    assert (config.fetch.max_bytes, config.extraction.max_bytes) == (4096, 1024)
    config = _load(tmp_path, "[extraction]\nmax_bytes = 1024\n" + FEED)
    assert config.fetch.max_bytes == DEFAULT_FETCH_SETTINGS.max_bytes
    assert config.extraction.max_bytes == 1024


def test_type_errors_of_every_table_are_named_at_once(tmp_path: Path) -> None:
    text = (
        '[fetch]\nconcurrency = "many"\nper_host = 1.5\nallow_networks = "10.0.0.0/8"\n'
        'retries = 2\nuser_agnet = "x"\n'
        "[workers]\ntime_limit = true\n"
        '[retry]\npermanent = "not_html"\n'
        '[near_duplicates]\naction = "drop"\n'
        '[alerts]\nhistory = "5"\n'
        '[extraction]\nsite_rules = ["ok", 3]\n' + FEED + "max_urls = 1.5\n"
    )
    message = _error(tmp_path, text)
    lines = message.splitlines()
    assert lines[0] == "10 problems in the config:"
    expected = [
        "table 'fetch': key 'concurrency': expected an integer, got a string",
        "table 'fetch': key 'per_host': expected an integer, got a number",
        "table 'fetch': key 'allow_networks': expected an array, got a string",
        "table 'fetch': key 'user_agnet': unknown key (did you mean 'user_agent'?)",
        "table 'workers': key 'time_limit': expected a number, got true or false",
        "table 'retry': key 'permanent': expected an array, got a string",
        "table 'near_duplicates': key 'action': 'drop' is not one of: write, skip, off",
        "table 'alerts': key 'history': expected an integer, got a string",
        "table 'extraction': key 'site_rules[1]': expected a string, got an integer",
        "source 'main': key 'max_urls': expected an integer, got a number",
    ]
    for fragment in expected:
        assert sum(fragment in line for line in lines) == 1, (fragment, message)


def test_did_you_mean_looks_in_the_table_then_in_the_others(tmp_path: Path) -> None:
    text = "retires = 2\n[fetch]\njobs = 2\n[workers]\njbos = 2\n" + FEED
    message = _error(tmp_path, text)
    assert "key 'retires': unknown key (did you mean 'fetch.retries'?)" in message
    assert "table 'fetch': key 'jobs': unknown key (did you mean 'workers.jobs'?)" in message
    assert "table 'workers': key 'jbos': unknown key (did you mean 'jobs'?)" in message
    # and the keys that are allowed where the unknown one was
    assert "known keys: jobs, memory_mb, pages_per_worker, time_limit" in message


OLD_LAYOUT = """
user_agent = "ua/1"
concurrency = 3
per_host = 1
per_host_delay = 0.5
max_bytes = 4096
allow_networks = ["127.0.0.1"]
site_rules = []
[timeouts]
connect = 2
read = 3
total = 4
"""


def test_old_spellings_are_read_with_one_warning_each(tmp_path: Path, warnings: list[str]) -> None:
    old = _load(tmp_path, OLD_LAYOUT + FEED)
    assert len(warnings) == len(RENAMED) == 10
    assert any(
        "'timeouts.connect' is the old spelling of fetch.connect_timeout: write it as "
        "connect_timeout in the [fetch] table" in warning
        for warning in warnings
    ), warnings
    assert all(str(tmp_path / "run.toml") in warning for warning in warnings)
    new = _load(
        tmp_path,
        '[fetch]\nuser_agent = "ua/1"\nconcurrency = 3\nper_host = 1\nper_host_delay = 0.5\n'
        'max_bytes = 4096\nallow_networks = ["127.0.0.1"]\nconnect_timeout = 2\n'
        "read_timeout = 3\ntotal_timeout = 4\n[extraction]\nsite_rules = []\n" + FEED,
    )
    assert old == new
    assert len(warnings) == 10  # the new spelling: no warning
    # -s takes the old spelling too, over the file's new one
    path = tmp_path / "run.toml"
    assert load_config(path, ["per_host_delay=2", "timeouts.read=9"]).fetch.read_timeout == 9
    assert load_config(path, ["per_host_delay=2"]).fetch.per_host_delay == 2.0
    assert "-s per_host_delay: the old spelling of fetch.per_host_delay" in warnings[-1]


def test_the_old_and_the_new_spelling_of_one_setting_is_an_error(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        "concurrency = 3\n[timeouts]\nread = 2\n[fetch]\nconcurrency = 4\nread_timeout = 3\n"
        + FEED,
    )
    assert message.startswith("2 problems in the config:")
    assert (
        "key 'concurrency': the old spelling of fetch.concurrency, which is given too: "
        "keep only the new one" in message
    )
    assert "key 'timeouts.read': the old spelling of fetch.read_timeout" in message
    message = _error(tmp_path, 'site_rules = []\n[extraction]\nsite_rules = ["x"]\n' + FEED)
    assert "key 'site_rules': the old spelling of extraction.site_rules" in message


def test_the_config_schema_is_generated_from_the_settings_classes() -> None:
    import json
    import tomllib
    from importlib.resources import files

    import jsonschema

    from pipeline.config import config_schema, schema_text

    committed = files("pipeline").joinpath("schema/config.schema.json").read_text()
    assert committed == schema_text(), "rewrite it: python -m scripts.config_schema"
    schema = json.loads(committed)
    jsonschema.Draft202012Validator.check_schema(schema)
    top = schema["properties"]
    for table, (_, default) in TABLES.items():
        assert set(top[table]["properties"]) == set(config_keys(type(default)))
    assert top["fetch"]["properties"]["concurrency"] == {
        "type": "integer",
        "default": 16,
        "description": "requests in flight at once, across all hosts.",
    }
    assert top["retry"]["properties"]["backoff_cap"]["default"] == 7 * 24 * 3600
    assert top["near_duplicates"]["properties"]["action"]["enum"] == ["write", "skip", "off"]
    assert top["sources"]["items"]["required"] == ["name", "kind"]
    assert top["per_host_delay"]["deprecated"] is True
    examples = Path(__file__).resolve().parents[1] / "examples"
    for example in examples.glob("*.toml"):
        jsonschema.validate(tomllib.loads(example.read_text(encoding="utf-8")), schema)
    jsonschema.validate(tomllib.loads(OLD_LAYOUT + FEED), config_schema())  # deprecated, valid
    for wrong in (
        {"sources": [{"name": "x", "kind": "feed", "url": "https://x.test/f", "delay": "1s"}]},
        {"sources": [{"name": "x", "kind": "feed"}], "fetch": {"concurrency": "4"}},
        {"sources": [{"name": "x", "kind": "feed"}], "fetch": {"obey_robots": False}},
        {"sources": [{"name": "x", "kind": "feed"}], "workers": {"threads": 2}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema)


def test_every_key_is_documented_in_the_examples_readme() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for table, (_, default) in TABLES.items():
        assert f"`[{table}]`" in readme
        for key in config_keys(type(default)):
            assert f"`{table}.{key}`" in readme, f"{table}.{key}"
    for old in RENAMED:
        assert f"`{'.'.join(old)}`" in readme, old
