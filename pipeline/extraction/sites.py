"""Site rules: short per-site corrections where a generic rule cannot tell.

A rule is a small class naming its hosts, with one method per field it
overrides (each returns None to keep the generic value), plus optional CSS
selectors for the article body and for furniture to drop. Register it with
`@register` in a module of your own, and name that module:

    pipeline extract --rules mypkg.rules ...     (and fetch, run, explain)
    site_rules = ["mypkg.rules"]                 (a run's config, in [extraction])

or, for an installed package, as an entry point in the `news_pipeline.site_rules`
group. Rules are found by module name, never by object: the name travels in the
options (`Options.site_rules`), so each worker process and Ray actor imports the
module and has the rules too. The generic path must still handle unseen sites: a
rule is for a site's quirk, never for its ordinary markup.

    @register
    class ExampleNews(SiteRule):
        hosts = ("example-news.com",)
        body = "div.story-text"
        drop = ("div.inline-promo",)

        def section(self, tree: LexborHTMLParser) -> str | None:
            node = tree.css_first("span.desk-name")
            return node.text(strip=True) if node is not None else None
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from importlib import metadata
from typing import ClassVar

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import urls
from pipeline.errors import ConfigError
from pipeline.extraction.metadata import Metadata
from pipeline.extraction.pageindex import PageIndex

_RULES: dict[str, SiteRule] = {}
ENTRY_POINTS = "news_pipeline.site_rules"
_loaded: set[str] = set()
_entry_points_loaded = False
_log = logging.getLogger("pipeline.sites")


class SiteRule:
    """Base rule: changes nothing. Subclasses override what their site needs."""

    hosts: ClassVar[tuple[str, ...]] = ()
    body: ClassVar[str | None] = None  # CSS selector of the article body
    drop: ClassVar[tuple[str, ...]] = ()  # CSS selectors of furniture to remove

    def title(self, tree: LexborHTMLParser) -> str | None:
        return None

    def authors(self, tree: LexborHTMLParser) -> tuple[str, ...] | None:
        return None

    def published(self, tree: LexborHTMLParser) -> str | None:
        return None

    def section(self, tree: LexborHTMLParser) -> str | None:
        return None

    def tags(self, tree: LexborHTMLParser) -> tuple[str, ...] | None:
        return None

    def apply_metadata(self, meta: Metadata, tree: LexborHTMLParser) -> Metadata:
        """The generic metadata with this rule's answers put over it."""
        title, authors, published = self.title(tree), self.authors(tree), self.published(tree)
        section, tags = self.section(tree), self.tags(tree)
        return replace(
            meta,
            title=meta.title if title is None else title,
            authors=meta.authors if authors is None else authors,
            published=meta.published if published is None else published,
            section=meta.section if section is None else section,
            tags=meta.tags if tags is None else tags,
        )

    def strip(self, root: LexborNode, index: PageIndex | None = None) -> None:
        """Remove this site's furniture that the clean stage cannot name (through the
        page's index, when given, so that its measures leave it out)."""
        for selector in self.drop:
            for node in root.css(selector):
                if index is None:
                    node.decompose()
                else:
                    index.remove_node(node)

    def container(self, root: LexborNode) -> LexborNode | None:
        return root.css_first(self.body) if self.body else None


def register(rule: type[SiteRule]) -> type[SiteRule]:
    """Class decorator: make `rule` apply to its hosts (and their subdomains)."""
    instance = rule()
    for host in rule.hosts:
        _RULES[host.removeprefix("www.")] = instance
    return rule


def load(modules: Sequence[str] = ()) -> None:
    """Import the modules that register rules, each once, and the installed
    packages' entry points (once a process). Raises ConfigError naming a module
    that cannot be imported; an entry point that fails is logged and passed over
    (an installed plugin must not stop every page)."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        _entry_points_loaded = True
        for entry in metadata.entry_points(group=ENTRY_POINTS):
            try:
                entry.load()
            except Exception as exc:  # a plugin's own bug: say so, go on without it
                _log.warning("site rules entry point %s failed to load: %r", entry.name, exc)
    for name in modules:
        if name in _loaded:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError, or the module's own error on import
            raise ConfigError(f"site rules module {name!r} cannot be imported: {exc!r}") from exc
        _loaded.add(name)


def rule_for(url: str | None, modules: Sequence[str] = ()) -> SiteRule | None:
    """The rule of the page's host, or of its closest registered parent domain
    (the `modules` imported first, see `load`)."""
    load(modules)
    if not url or not _RULES:
        return None
    host = (urls.hostname(url) or "").removeprefix("www.")
    while host:
        if host in _RULES:
            return _RULES[host]
        _, _, host = host.partition(".")
    return None
