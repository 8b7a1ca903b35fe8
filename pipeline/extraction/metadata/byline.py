"""Who the page says wrote the article: declared authors and the visible byline.

Persons go to `authors`, with this precedence:

1. a labelled byline in the article's header ("By Jane Doe", "Written by: Jane
   Doe" beside the headline): what readers see, and often not the CMS account
   that JSON-LD names as the author;
2. the declared people (JSON-LD author, meta author), unless the declared name
   is the site itself;
3. bylines in the article's region (elements named author/byline, author links);
4. an unlabelled name beside the header's date ("Jane Doe · March 3, 2025");
5. a labelled byline anywhere in the region or the page.

Everything else the page credits goes to `credits`, never to `authors`: the
agencies, wire services, desks and teams of those bylines and of the declared
authors ("Jane Doe, dpa", "By AFP/Reuters", "Politics Desk"), a JSON-LD
Organization author, the site's name among the declared authors, and, when the
page names no person and no agency, the team or organisation it credits ("By the
Podium Staff", the site as the only declared author).
A "WASHINGTON (AP) —" dateline opening the body is read by `dateline_credits`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from pipeline.extraction.body.furniture import Furniture
from pipeline.extraction.metadata import people
from pipeline.extraction.metadata.header import Header, Piece
from pipeline.extraction.metadata.structured import StructuredData
from pipeline.extraction.thresholds import (
    BYLINE_LINE_CHARS,
    HEADER_PIECES,
    MAX_BYLINE_NODES,
    MAX_SELECTED_NODES,
    TEASER_BYLINE_DEPTH,
    TEASER_BYLINES,
)
from pipeline.normalize import collapsed_within
from pipeline.record import Block, Paragraph

_AUTHOR_SELECTORS = (
    "[itemprop=author] [itemprop=name], [itemprop=author], [rel=author], [class*=byline],"
    " [class*=author], [class*=Author], [data-testid*=byline], [data-testid*=author]"
)
# Parts of a byline that are not the name: the author's role, bio, picture, box.
_NOT_A_NAME = ("role", "bio", "avatar", "box", "desc", "about", "image", "photo", "label", "title")
_BYLINE_CANDIDATES = "p, span, div, li, small, h4, h5, h6, address"
_LABEL = (
    r"by|written\s+by|posted\s+by|published\s+by|words\s+by|article\s+by|story\s+by"
    r"|article\s+written\s+by|author|authors|author\(s\)|von|par|por|door|автор|text|texte"
)
_BYLINE = re.compile(rf"^(?:{_LABEL})\s*:?\s+(\S.*)$", re.I)
_BYLINE_LABEL = re.compile(rf"^(?:{_LABEL})\s*:?$", re.I)
# Where a byline's name ends: a date, a separator, a role.
# (`(?<!\s)`: a match starts where a run of spaces starts; see titles._SEPARATOR.)
_BYLINE_END = re.compile(
    r"(?<!\s)\s+(?:[|•·⋅–—/]|on|in|at|updated|published)\s+|,\s+(?=\w+\s+\d)|(?<!\s)\s+\d",
    re.I,
)
_SENTENCE = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]|\b(?:is|was|has|lives|works|writes)\b")
_AUTHOR_LINK = re.compile(r"/(?:author|authors|people|profile|profiles|staff|writers?|by)/", re.I)
_TEAM = re.compile(r"\b(?:team|staff|desk|editors|editorial|newsroom|contributors?)\b", re.I)
_CONNECTOR = re.compile(r",|&|and|und|et|y|и|,\s*and", re.I)


@dataclass(frozen=True, slots=True)
class Byline:
    """The people who wrote the article, and the organisations the page credits."""

    authors: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()


# The names a stage found, and the byline strings it read them from.
_Found = tuple[tuple[str, ...], tuple[str, ...]]
_NONE: _Found = ((), ())


def find_byline(
    data: StructuredData,
    header: Header | None,
    region: LexborNode | None,
    body: LexborNode | None,
    site: str | None,
    furniture: Furniture,
) -> Byline:
    """The article's authors and credits (see the module's docstring)."""
    in_header = _labelled_in_header(header, site) if header is not None else _NONE
    found, site_named = _people(in_header, data, header, region, body, site, furniture)
    # Agencies and desks: from the header's byline, the byline the names came from
    # and the declared authors; a JSON-LD Organization author is one as it is.
    credits = list(people.agency_credits([*in_header[1], *found[1], *data.authors]))
    credits.extend(c for org in data.author_orgs if (c := people.organisation_credit([org])))
    if site_named:
        credits.extend(site_named)
    elif not found[0] and not credits:
        credit = _credit(data, header, region, site, furniture)
        credits.extend((credit,) if credit else ())
    # A person is never a credit too (a site may type its author as an Organization).
    persons = {name.casefold() for name in found[0]}
    return Byline(found[0], _unique([c for c in credits if c.casefold() not in persons]))


def _people(
    in_header: _Found,
    data: StructuredData,
    header: Header | None,
    region: LexborNode | None,
    body: LexborNode | None,
    site: str | None,
    furniture: Furniture,
) -> tuple[_Found, tuple[str, ...]]:
    """The persons of the first stage that names any (see the module's docstring),
    and the site's name when the declared authors that give them include it."""
    if in_header[0]:
        return in_header, ()
    declared = people.clean_authors(data.authors, site, declared=True) if data.authors else ()
    # The site as a declared author is an organisation (a credit), not a person.
    persons = tuple(name for name in declared if not _is_site(name, site))
    site_named = tuple(name for name in declared if _is_site(name, site))
    if declared and not _is_site(declared[0], site):
        return (persons, data.authors), site_named
    found = _in_region(region, site, furniture) if region is not None else _NONE
    if not found[0] and header is not None:
        found = _beside_date(header, site)
    for scope in (region, body):
        if found[0]:
            break
        if scope is not None:
            found = _labelled_byline(scope, site, furniture, unique=scope is body)
    if found[0]:
        return found, ()
    return ((persons, data.authors), site_named) if persons else (_NONE, ())


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _is_site(name: str, site: str | None) -> bool:
    return bool(site) and _fold(name) == _fold(site or "")


def _labelled_in_header(header: Header, site: str | None) -> _Found:
    """'By Jane Doe' beside the headline (the label and the name may be two pieces)."""
    pieces = header.after.pieces[:HEADER_PIECES]
    for index, piece in enumerate(pieces):
        line = _after_label(piece.text, pieces[index + 1 :])
        name = _BYLINE_END.split(line)[0] if line else None
        if name:
            # Credits are read from the whole line: "By Jane Doe | Politics Desk".
            return people.clean_authors([name], site), (line or name,)
    return _NONE


def _after_label(text: str, following: Sequence[Piece]) -> str | None:
    """The line after a byline label (its names end where it goes on to a date, a
    separator or a role: _BYLINE_END); the names may be pieces of their own ("By
    <a>Jane Doe</a> and <a>John Smith</a>")."""
    match = _BYLINE.match(text)
    if match:
        line = match.group(1)
    elif _BYLINE_LABEL.match(text):
        line = ""
    else:
        return None
    rest = list(following[:8])
    if not line and rest:
        line = rest.pop(0).text
    # More names only after a connector piece: "Jane Doe" "and" "John Smith".
    while len(rest) >= 2 and _CONNECTOR.fullmatch(rest[0].text):
        line = f"{line} {rest[0].text} {rest[1].text}"
        rest = rest[2:]
    if len(line) > BYLINE_LINE_CHARS:
        return None
    return line.strip() or None


def _in_region(region: LexborNode, site: str | None, furniture: Furniture) -> _Found:
    """The names of the first byline that holds any, with the other byline elements
    of its line (one per co-author): an article has one byline, a listing one per
    teaser."""
    raw: list[str] = []
    line: LexborNode | None = None
    others: set[str] = set()
    for node in region.css(_AUTHOR_SELECTORS)[:MAX_SELECTED_NODES]:
        if _names_contain(node, _NOT_A_NAME) or furniture.around(node, region):
            continue
        texts = _byline_texts(node)
        if line is not None and not _inside(node, line):
            if _in_teaser(node):
                others.update(n.casefold() for n in people.clean_authors(texts, site))
            continue
        if line is None and people.clean_authors(texts, site):
            line = node.parent or node
        if line is not None:
            raw.extend(texts)
    found = people.clean_authors(raw, site)
    if len(others - {n.casefold() for n in found}) >= TEASER_BYLINES:
        return _NONE  # bylines of many people, each on its own line: a listing's teasers
    return found, tuple(raw)


def _in_teaser(node: LexborNode) -> bool:
    """The byline sits in a card with a linked heading (a teaser), not in a quote."""
    current = node.parent
    for _ in range(TEASER_BYLINE_DEPTH):
        if current is None:
            return False
        if current.css_first("h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3"):
            return True
        current = current.parent
    return False


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


def _beside_date(header: Header, site: str | None) -> _Found:
    """A short piece next to the header's date or linking to an author page."""
    pieces = header.after.pieces[:HEADER_PIECES]
    for index, piece in enumerate(pieces):
        link = piece.parent if piece.parent.tag == "a" else None
        by_link = link is not None and bool(_AUTHOR_LINK.search(link.attributes.get("href") or ""))
        near_date = any(
            _has_date(other.text)
            for other in pieces[max(0, index - 1) : index + 2]
            if other is not piece
        )
        if (by_link or near_date) and len(piece.text) <= BYLINE_LINE_CHARS // 2:
            found = people.clean_authors([piece.text], site)
            if found and (by_link or _is_full_name(found[0])):
                return found, (piece.text,)
    return _NONE


_DIGITS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _has_date(text: str) -> bool:
    return bool(_DIGITS_YEAR.search(text))


def _is_full_name(name: str) -> bool:
    """Two to four capitalised words: a person's name, not a label or a section."""
    words = name.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words if len(w) > 3)


def _labelled_byline(
    scope: LexborNode, site: str | None, furniture: Furniture, *, unique: bool = False
) -> _Found:
    """A short line that says who wrote the piece: "By Jane Doe", "Written by: Jane Doe".
    `unique`: only if no other such line names someone else (page-wide, several
    bylines are a listing's teasers)."""
    first: _Found = _NONE
    for node in scope.css(_BYLINE_CANDIDATES)[:MAX_BYLINE_NODES]:
        text = collapsed_within(node.text(deep=True, separator=" "), BYLINE_LINE_CHARS)
        if text is None:
            continue
        name = _name_after_label(node, text)
        if name and not furniture.around(node, scope):
            found = people.clean_authors([_BYLINE_END.split(name)[0]], site)
            if found and not unique:
                return found, (name,)
            if found and first[0] and found[0] != first[0][0]:
                return _NONE
            if found and not first[0]:
                first = found, (name,)
    return first


def _name_after_label(node: LexborNode, text: str) -> str | None:
    """ "By Jane Doe" in one element, or "Written by" with the name in the next one."""
    match = _BYLINE.match(text)
    if match:
        return match.group(1)
    if _BYLINE_LABEL.match(text):
        sibling = node.next
        while sibling is not None and not sibling.is_element_node:
            sibling = sibling.next
        if sibling is not None:
            return " ".join(sibling.text(deep=True, separator=" ").split())[:BYLINE_LINE_CHARS]
    return None


def _byline_texts(node: LexborNode) -> list[str]:
    """The names in a byline element: its author links if any, else its short text,
    one string per element the page prints apart ("Emily Walker<br>Casey McDevitt",
    "Harry Rabinowitz<span>Tech editor</span>")."""
    links = [node] if node.tag == "a" else node.css("a[href*=author], a[rel~=author]")
    if not links:
        first = node.css_first("a")
        links = [first] if first is not None else [node]
    texts: list[str] = []
    for link in links[:4]:
        whole = collapsed_within(link.text(deep=True, separator=" "), BYLINE_LINE_CHARS)
        if whole is None or _SENTENCE.search(whole):
            continue  # a bio or a sentence, not a byline
        parts = [" ".join(p.split()) for p in link.text(deep=True, separator="\n").split("\n")]
        texts.extend(p for p in parts if p)
    return texts


def _credit(
    data: StructuredData,
    header: Header | None,
    region: LexborNode | None,
    site: str | None,
    furniture: Furniture,
) -> str | None:
    """The organisation the page credits when it names no person: declared as the
    author, named after a byline label, or in a byline element when it reads as a
    team ("Podium Staff") or is the site itself (a bare label there is furniture)."""
    raw: list[str] = [*data.authors, *data.author_orgs]
    if header is not None:
        pieces = header.after.pieces[:HEADER_PIECES]
        for index, piece in enumerate(pieces):
            line = _after_label(piece.text, pieces[index + 1 :])
            name = _BYLINE_END.split(line)[0] if line else None
            if name:
                raw.append(name)
    if region is not None:
        for node in region.css(_AUTHOR_SELECTORS)[:MAX_SELECTED_NODES]:
            if _names_contain(node, _NOT_A_NAME) or furniture.around(node, region):
                continue
            raw.extend(t for t in _byline_texts(node)[:1] if _is_site(t, site) or _TEAM.search(t))
    return people.organisation_credit(raw, site)


def _names_contain(node: LexborNode, words: tuple[str, ...]) -> bool:
    names = (node.attributes.get("class") or "").casefold()
    return any(w in names for w in words)


def _fold(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


# "WASHINGTON (AP) — ", "LONDON, Oct 5 (Reuters) - ", "Berlin (dpa) - ": a place
# (a few words, no sentence), perhaps a date after a comma, the agency in brackets,
# a dash. Only the first paragraph's start is read (see dateline_credits).
_DATELINE = re.compile(
    r"(?:[^\W\d_][\w'’.-]*(?: [\w'’.-]+){0,3}(?:/[\w'’.-]+)?(?:, [\w .]{1,24})?\s*)?"
    r"\(([^()]{1,30})\)\s*[-–—]{1,2}\s"
)


def dateline_credits(first_paragraph: str) -> tuple[str, ...]:
    """The agencies of a dateline that opens the article ("WASHINGTON (AP) — ..."
    gives ("AP",)); the text itself is left as it is. Only agencies count: a
    dateline's bracket may hold anything ("(Video) —")."""
    text = first_paragraph.lstrip()
    match = _DATELINE.match(text)
    if match is None or not (text[:1].isupper() or text[:1] == "("):
        return ()
    return people.agency_credits([match.group(1)])


def with_dateline(credits: tuple[str, ...], blocks: Sequence[Block]) -> tuple[str, ...]:
    """`credits` and the agencies of the dateline that opens the article's first
    paragraph, de-duplicated."""
    first = next((b.text for b in blocks if isinstance(b, Paragraph)), "")
    found = dateline_credits(first)
    return _unique((*credits, *found)) if found else credits
