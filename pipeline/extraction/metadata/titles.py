"""The article's title: its visible headline, checked against what the page declares.

The h1 is what readers see, so it wins when it is the article's headline: its
words are in one of the declared titles (JSON-LD headline, og:title, twitter,
<title>), so it is not a call to action, a pop-up's heading or a section
label. It is read with element boundaries that the page shows as breaks
(`<br>`, blocks, a kicker span: "Ukraine<span>Kyiv holds</span>" is two
pieces); a kicker the declared titles lack and a `<time>` inside the h1 are
left out. An h1 that only links to a page above this one (the home page,
/blog/) is the site's or the section's name.

Without such an h1 the declared titles decide: the one most of them agree on,
a truncated JSON-LD headline giving way to the full one. Site names come off
the end ("Headline | Section | Site"); a subtitle after a dash stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from selectolax.lexbor import LexborNode

from pipeline import urls
from pipeline.extraction.thresholds import (
    H1_COVERED_WORDS,
    H1_SHARED_WORDS,
    MIN_INITIALS,
    SITE_PREFIX_WORDS,
    SUFFIX_WORDS,
    TITLE_LABEL_WORDS,
)
from pipeline.normalize import normalize_text

# Trailing decoration of <title> tags; "»" only when it closes no "«" quote.
_DECORATION = " ⋆★☆✓✔|•·"
# `(?<!\s)`: a match can only start where a run of spaces starts, so a long run is
# scanned once, not again from each of its spaces (which is quadratic).
_SEPARATOR = re.compile(r"(?<!\s)\s+([|–—»·•:]|-{1,2}|::)\s+")
_SEPARATOR_AT_END = re.compile(r"(?<!\s)\s+(?:[|–—»·•:]|-{1,2}|::)\s*$")
# Separators a site name or section follows; after a dash or a colon a subtitle may.
_FURNITURE_SEPARATORS = frozenset(("|", "·", "•", "»", "::"))
_WORD = re.compile(r"\w+")
# A label ends with a colon or a bar, or is glued to the headline without a space.
_LABEL_END = re.compile(r"(?:[:|»]\s*|\w)$")
# After a declared title, these start a suffix (a site, a teaser), not more of the title.
_SUFFIX_START = re.compile(r"\s*(?:[|–—:·•»(\[]|-{1,2}\s|::)")
_BLOCKS = frozenset(
    "br div p h1 h2 h3 h4 h5 h6 ul ol li section header hgroup small figure figcaption".split()
)
_KICKER_NAMES = (
    "kicker", "eyebrow", "overline", "topline", "dachzeile", "roofline", "overhead",
    "supertitle", "pretitle", "pre-title", "flag", "label", "rubric", "category",
)  # fmt: skip
# Ruby readings (rt, rp) are annotations printed above the characters, not the title.
_SKIPPED = frozenset(("time", "script", "style", "svg", "button", "noscript", "rt", "rp"))


def choose_title(
    h1: LexborNode | None,
    declared: Sequence[str],
    title_tag: str | None,
    site: str | None,
    url: str | None = None,
) -> str | None:
    """The article's title (see the module's docstring)."""
    candidates = [strip_site_suffix(normalize_text(t), site) for t in declared]
    if title_tag:
        candidates.append(strip_site_suffix(normalize_text(title_tag), site))
    candidates = [c for c in candidates if c]
    heading = _heading(h1, candidates, site, url) if h1 is not None else ""
    if heading and not candidates:
        return heading
    if heading and any(_names(heading, c) for c in candidates):
        return _without_label(heading, candidates)
    return _agreed(candidates, site) or heading or None


def headline_text(h1: LexborNode, declared: Sequence[str] = ()) -> str:
    """The h1's text, pieces separated where the page breaks them; a kicker piece the
    declared titles do not contain is left out."""
    pieces: list[tuple[str, bool]] = []
    _pieces(h1, pieces, kicker=False)
    words = [(normalize_text(text), kicker) for text, kicker in pieces]
    words = [(text, kicker) for text, kicker in words if text]
    folded = [_fold(d) for d in declared]
    kept = [
        text
        for text, kicker in words
        if not kicker or not folded or any(_fold(text) in d for d in folded)
    ]
    return normalize_text(" ".join(kept or [text for text, _ in words]))


def strip_site_suffix(title: str, site: str | None) -> str:
    """'Headline | Section | Site Name' -> 'Headline'.

    The site's name comes off wherever its separator; other trailing segments go
    while they are short (a section, a tagline) and shorter than what precedes
    them, but after a dash or colon only before the site's name has been found:
    "Best Bread Machines – My Favorites! - Bread Dad" keeps its subtitle.
    """
    title = _strip_decoration(title)
    found_site = False
    if site:
        title, found_site = _strip_whole_site(title, site)
    while True:
        match = next(reversed(list(_SEPARATOR.finditer(title))), None)
        if match is None:
            return title
        last, separator = title[match.end() :].strip(), match.group(1)
        head = title[: match.start()].rstrip(" |–—-:»·•")
        if not head or not last:
            return title
        if site and _is_site(last, site):
            title, found_site = head, True
            continue
        if len(last.split()) > SUFFIX_WORDS or len(last) >= len(head):
            return title
        if separator not in _FURNITURE_SEPARATORS and found_site:
            return title  # a subtitle before the site's name
        if separator not in _FURNITURE_SEPARATORS and not _looks_like_site(last):
            return title
        title = head


def _is_site(segment: str, site: str) -> bool:
    """The segment names the site: its name, the name shortened or lengthened by a word
    or a tagline ("Thrive Internet Marketing" of "Thrive Internet Marketing Agency"),
    or its initials ("BHF")."""
    part, name = _fold(segment), _fold(site)
    if not part or not name:
        return False
    if part == name:
        return True
    shorter, longer = sorted((segment, site), key=len)
    if len(shorter.split()) >= SITE_PREFIX_WORDS and _starts_words(longer, shorter):
        return True
    initials = "".join(w[0] for w in _WORD.findall(site) if w[0].isupper())
    return segment.isupper() and len(initials) >= MIN_INITIALS and part == initials.casefold()


def _starts_words(text: str, start: str) -> bool:
    """`text` begins with the words of `start`, at a word boundary."""
    words, first = _WORD.findall(text.casefold()), _WORD.findall(start.casefold())
    return len(first) < len(words) and words[: len(first)] == first


def _strip_whole_site(title: str, site: str) -> tuple[str, bool]:
    """A site name that holds a separator itself ("NSF - U.S. National Science
    Foundation") comes off whole, before the title is split at separators."""
    if not _SEPARATOR.search(site) or not _fold(title).endswith(_fold(site)):
        return title, False
    head = title[: len(title) - len(site)] if title.endswith(site) else ""
    match = _SEPARATOR_AT_END.search(head)
    if not match or not head[: match.start()].strip():
        return title, False
    return head[: match.start()].rstrip(), True


def site_from_title(title_tag: str | None) -> str | None:
    """The site's name as the last segment of the <title> ("Headline | Site")."""
    if not title_tag:
        return None
    parts = _SEPARATOR.split(title_tag)
    last = parts[-1].strip() if len(parts) >= 3 else ""
    return last if 0 < len(last.split()) <= 4 else None


def _strip_decoration(title: str) -> str:
    title = title.strip().rstrip(_DECORATION)
    while title.endswith("»") and title.count("«") < title.count("»"):
        title = title[:-1].rstrip(_DECORATION)
    return title


def _looks_like_site(segment: str) -> bool:
    """A segment after a dash that reads as a name: capitalised words or a domain,
    no sentence punctuation."""
    if any(c in segment for c in "?!,") or not segment[:1].isupper():
        return False
    if "." in segment and " " not in segment:
        return True  # "Move.org"
    words = segment.split()
    return len(words) <= 3 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _heading(h1: LexborNode, declared: list[str], site: str | None, url: str | None) -> str:
    if _links_upward(h1, url):
        return ""
    text = _strip_decoration(headline_text(h1, declared))
    if site and _fold(text) == _fold(site):
        return ""
    # The site's name glued on ("Headline – Site"), as in a <title>.
    return strip_site_suffix(text, site) if site else text


def _links_upward(h1: LexborNode, url: str | None) -> bool:
    """The h1 is one link to a page above this one: the site's or a section's name."""
    links = h1.css("a[href]")
    if len(links) != 1 or not url:
        return False
    text = normalize_text(h1.text(deep=True))
    if normalize_text(links[0].text(deep=True)) != text:
        return False
    target = urls.split(links[0].attributes.get("href"))
    page = urls.split(url)
    if target is None or page is None or (target.netloc and target.netloc != page.netloc):
        return False
    path = target.path.rstrip("/")
    return page.path.rstrip("/").startswith(path) and len(path) < len(page.path.rstrip("/"))


def _agreed(candidates: list[str], site: str | None) -> str | None:
    """The declared title most of the page's declarations agree on; a truncated one
    (a prefix of another) stands for the longer."""
    full = [next((o for o in candidates if _truncates(c, o)), c) for c in candidates]
    # "Headline | Section" and "Headline (teaser)" vote for the "Headline" declared beside them
    full = [next((o for o in full if _suffixed(o, c)), c) for c in full]
    full = [c for c in full if not (site and _fold(c) == _fold(site))] or full
    if not full:
        return None
    votes = Counter(_fold(c) for c in full)
    best = max(votes.values())
    return next(c for c in full if votes[_fold(c)] == best)


def _truncates(short: str, long: str) -> bool:
    """`short` is `long` cut off: an ellipsis, or a cut inside a phrase ("... (Including"
    of "... (Including One Trick)"). Cut where a separator follows ("Headline" of
    "Headline | Site", "Headline (of the 500 I Tested)"), it is the title and the
    longer one carries a suffix."""
    stem = short.rstrip(" .…")
    if len(stem) >= len(long) or not _fold(long).startswith(_fold(stem)):
        return False
    if stem != short.rstrip():
        return True  # "Headline that goes on..."
    rest = long[_prefix_end(long, stem) :]
    return not _SUFFIX_START.match(rest)


def _prefix_end(long: str, stem: str) -> int:
    """Where the folded `stem` ends in `long` (folding drops spaces and punctuation)."""
    wanted, seen = len(_fold(stem)), 0
    for index, char in enumerate(long):
        if seen == wanted:
            return index
        seen += len(_fold(char))
    return len(long)


def _suffixed(short: str, long: str) -> bool:
    """`long` is `short` with a suffix after a separator ("Headline | Site")."""
    return (
        len(short) < len(long)
        and _fold(long).startswith(_fold(short))
        and not _truncates(short, long)
    )


def title_agreement(heading: str, declared: str) -> float:
    """How alike two titles are: the share of their words they have in common."""
    words = set(_WORD.findall(heading.casefold()))
    other = set(_WORD.findall(declared.casefold()))
    return len(words & other) / len(words | other) if words and other else 0.0


def _names(heading: str, declared: str) -> bool:
    """The h1 is this declared title's headline: most of its words are in it, and it
    is not one word of a long title (a company named in the body's own h1)."""
    if not shares_words(heading, declared):
        return False
    if _fold(declared).startswith(_fold(heading)):
        return True  # "Headline | a long tagline"
    words = set(_WORD.findall(declared.casefold()))
    shared = words & set(_WORD.findall(heading.casefold()))
    return len(shared) >= H1_COVERED_WORDS * len(words)


def _without_label(heading: str, declared: Sequence[str]) -> str:
    """A heading that is a declared title behind a short label glued on ("Blog:
    Headline", "Title:Headline") is that title."""
    for title in declared:
        if len(title.split()) < TITLE_LABEL_WORDS or not heading.endswith(title):
            continue
        label = heading[: len(heading) - len(title)]
        if 0 < len(label.split()) <= TITLE_LABEL_WORDS and _LABEL_END.search(label):
            return title
    return heading


def shares_words(heading: str, declared: str) -> bool:
    """Most of the h1's words are in a declared title: the h1 is the headline."""
    words = set(_WORD.findall(heading.casefold()))
    if not words:
        return False
    shared = words & set(_WORD.findall(declared.casefold()))
    return len(shared) >= H1_SHARED_WORDS * len(words)


def _pieces(node: LexborNode, out: list[tuple[str, bool]], kicker: bool) -> None:
    """Collect the h1's text as (piece, is a kicker) in order; a break starts a piece.
    Walked with a stack: a headline may be nested thousands of elements deep."""
    # (node to visit, in a kicker) or (None, kicker to resume after a break)
    stack: list[tuple[LexborNode | None, bool]] = []
    stack.extend((c, kicker) for c in reversed(_children(node)))
    while stack:
        child, in_kicker = stack.pop()
        if child is None:
            out.append(("", in_kicker))
        elif child.tag == "-text":
            text = child.text(deep=False) or ""
            if out and out[-1][1] == in_kicker:
                out[-1] = (out[-1][0] + text, in_kicker)
            else:
                out.append((text, in_kicker))
        elif child.is_element_node and child.tag not in _SKIPPED:
            is_kicker = in_kicker or _is_kicker(child)
            breaks = child.tag in _BLOCKS or is_kicker != in_kicker
            if breaks:
                out.append(("", is_kicker))
                stack.append((None, in_kicker))
            stack.extend((c, is_kicker) for c in reversed(_children(child)))


def _children(node: LexborNode) -> list[LexborNode]:
    found = []
    child = node.child
    while child is not None:
        found.append(child)
        child = child.next
    return found


def _is_kicker(node: LexborNode) -> bool:
    names = (node.attributes.get("class") or "").casefold()
    return bool(names) and any(k in names for k in _KICKER_NAMES)


def _fold(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
