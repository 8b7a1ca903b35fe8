"""References, one entry: its text parsed into authors, year, title, container, DOI, URL.

`parse_reference` reads author-year, note, Vancouver and quoted-title styles
from the entry's text and the hrefs in it; `looks_like` tells whether a text reads as an entry at
all (the bibliography's test, see bibliography.py). Regexes only ever run over
one entry's text, never over the whole document, so the stage stays cheap on big
pages; each is linear (tests/test_linear_time.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import unquote

from pipeline.extraction.thresholds import (
    LABEL_SEPARATOR_RUN,
    TRAILING_LABELS,
)
from pipeline.record import Reference

# Service links citation indexes add after each entry (Google Scholar, CrossRef, ...).
SERVICE_LABEL = (
    r"Google Scholar|Cross[Rr]ef|PubMed(?: Central)?|PMC free article|Web of Science\s*®?"
    r"|View|Find it(?: @ \w+)?|Cited by(?: \d+)?|Download|Medline|Abstract|Full Text"
)
_WS = re.compile(r"\s+")
# Spaces are matched from where their run starts (`(?<!\s)`; `(?:(?<!\s)\s+)?` for
# optional ones): from each space of a long run the rest would be scanned again.
_SPACE_BEFORE_PUNCT = re.compile(r"(?<!\s)\s+([,.;])")
_UP = "A-ZÀ-ÖØ-ÞА-ЯЁ"
_YEAR = r"(?:1[5-9]|20)\d{2}"
# Labels left in the text when the DOM could not drop them: bracketed ones anywhere,
# unambiguous names anywhere, and ambiguous words ("View") only trailing after
# punctuation, so a title ending "... of View" keeps its last word.
_LABEL_ANYWHERE = re.compile(
    rf"\[\s*(?:{SERVICE_LABEL})\s*\]|Google Scholar|Web of Science\s*®|\bCross[Rr]ef\b"
)
# (Bounded, the separators before a label and the labels: from every comma of a long
# run, an unbounded run would be scanned again to its end.)
_LABEL_TRAILING = re.compile(
    rf"(?<=[^\sA-Za-z])(?:[\s,;|]{{0,{LABEL_SEPARATOR_RUN}}}(?:{SERVICE_LABEL})){{1,{TRAILING_LABELS}}}"
    r"[\s,;|]*$"
)
_LEAD_LABEL = re.compile(r"^(?:\^\s*|\[\d{1,3}\]\s*|\d{1,3}[.)](?:\s+|(?=[A-Z])))")
# A DOI glued to the end by the page ("...Press).10.1515/9781400823260").
_GLUED_DOI = re.compile(r"(?<=[.)\]])\s?(10\.\d{4,9}/\S+)$")
_DOI_TEXT = re.compile(r"(?:\bdoi:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)", re.I)
# doi.org links, and T&F/Atypon Crossref linkouts whose `key` is the cited work's DOI.
# (The query is scanned up to the next `/linkout?` at most: each part once.)
_DOI_HREF = re.compile(
    r"(?:doi\.org/|/linkout\?(?:(?!/linkout\?)[^#\s])*?[?&]key=)(10\.\d{4,9}(?:/|%2F)[^&#\s]+)",
    re.I,
)
_AVAILABLE = re.compile(
    r"\b(?:available (?:at|from|online)(?: at)?|retrieved from|URL)\s*:?\s*<?(https?://\S+)",
    re.I,
)
_URL = re.compile(r"https?://[^\s<>\"]+")
_SERVICE_HREF = re.compile(
    r"doi\.org/|scholar\.google|crossref\.org|ncbi\.nlm\.nih\.gov|pubmed|webofscience"
    r"|webofknowledge|isiknowledge|/linkout|openurl|worldcat\.org|semanticscholar"
    r"|wikipedia\.org/wiki/",
    re.I,
)
# The year in parentheses after the authors: "(2016a)", "(12 March 2010)", "(n.d.)".
_PAREN_YEAR = re.compile(
    rf"\(\s*(?:[^()]{{0,30}}?[\s,])?({_YEAR})[a-z]?(?:[\s,/–-][^()]{{0,30}})?\s*\)"
    r"|\(\s*(n\.\s?d\.?)\s*\)",
    re.I,
)
# Chicago author-date without parentheses: "Smith, John. 2010. Title."
_BARE_AUTHOR_YEAR = re.compile(rf"[.,]\s+({_YEAR})[a-z]?[.,](?=\s|$)")
# A name or organisation, a comma, then a quoted title (FactCheck, Chicago notes).
_AUTHOR_BEFORE_QUOTE = re.compile(r"([^\d‘“\"«„(]{2,150}?),\s+(?=[‘“\"«„])")
# "Given Surname, " before a title: the first author of a Chicago-style note.
_NOTE_AUTHOR = re.compile(rf"([{_UP}][\w'’-]+(?: [{_UP}][\w'’.-]*){{1,3}}), (?=[{_UP}‘“\"])")
_BARE_YEAR = re.compile(rf"(?<![\d/.-])({_YEAR})[a-z]?(?![\d/])")
_ET_AL = re.compile(r",?(?:(?<!\s)\s+)?\bet\s+al\b\.?,?", re.I)
_EDITOR_MARK = re.compile(r"(?:(?<!\s)\s+)?\((?:eds?|hrsg|dir|comp|trans)\.?\)\s*", re.I)
_AUTHOR_SEP = re.compile(r"(?:(?<!\s)\s+)?;\s*|,?(?<!\s)\s+(?:&|and|und)\s+")
_INITIALS = re.compile(rf"(?:[{_UP}](?:[a-z]{{1,2}}\.|\.?)[\s-]*){{1,4}}")
_GIVEN = re.compile(rf"[{_UP}][\w'’-]+(?:\s+(?:[{_UP}][\w'’-]+|[{_UP}]\.))" r"{0,2}")
_ENDS_INITIALS = re.compile(rf"\s[{_UP}]{{1,3}}\.?$")
_PARTICLES = frozenset(
    "van von de der den da di du la le del della dos das bin ibn al el ter ten y zu".split()
)
_NOT_NAMES = frozenset("The An Of In On For To And With How Why What When From".split())
_ABBREVIATIONS = frozenset(
    "no vol pp p ed eds inc co ltd st dr mr mrs ms vs etc jr sr ca cf al fig ch".split()
)
_VANCOUVER = re.compile(rf"[{_UP}][\w'’-]+ [{_UP}]{{1,3}}(?:,| et al| and|\.)")
_QUOTE_ANY = re.compile(r"[‘“\"«„][^‘“\"«„’”»]{8,}[’”\"»“]")
_QUOTE_PAIRS = (("‘", "’"), ("“", "”"), ('"', '"'), ("«", "»"), ("„", "[“”]"))
# Per pair: a close followed by punctuation first (a title may hold "Farmers’ Markets"),
# then a close followed by a space or the end.
_QUOTED = tuple(
    (re.compile(rf"{o}(.+?){c}(?=[,.:;!?)\]])"), re.compile(rf"{o}(.+?){c}(?=\s|$)"))
    for o, c in _QUOTE_PAIRS
)
_IN_BOOK = re.compile(
    r"in:?\s+(?:([^()]{0,250}?)\((?:eds?|hrsg|coord|dir)\.?\)[,.:]?\s*)?(.+)", re.I
)
# Case-sensitive on purpose: "U.S. News" keeps its initials, "The Times. Retrieved" stops.
# (The stops that start with spaces are tried where a run of spaces starts only: the
# lazy group reaches that position first, and from each later space the run would be
# scanned again.)
_CONTAINER = re.compile(
    r"(.+?)(?=(?<!\s)(?:\s*[,;]|\s+\d|\s+\(|\s+(?:[Vv]ol|pp?)\.)|(?<![A-Z])\.(?:\s|$)|$)"
)
# Words that start a date or an access note, never a journal's name.
# A format or language note after a title: "(PDF)", "(in Russian)".
_FORMAT_NOTE = re.compile(r"^\([^()]{1,20}\)[\s.,]*")
_NOT_CONTAINER = re.compile(
    r"(?:retrieved|archived|accessed|available|doi|https?:|jan(?:uary)?|feb(?:ruary)?"
    r"|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\b",
    re.I,
)
# After an unquoted title: "Journal, 12(3), 45" or "J Med. 2019;12" marks a journal.
_JOURNAL_AFTER = re.compile(
    rf"([^.,;()]+?)(?:,\s*(?:vol\.?\s*)?\d{{1,4}}\s*(?:\(\d|[:,]\s*\d)"
    rf"|(?:\.|(?<!\s))\s+{_YEAR}(?:\s+[\w-]+(?:\s+\d{{1,2}})?)?\s*[;:])",
    re.I,
)
# A publisher or edition in parentheses ends a book title: "(London, Verso)", "(2nd edn)".
_PUB_PAREN = re.compile(
    r"\s\((?:[^()]*,[^()]*|\d+\w*\s+edn?\.?|[^()]*\b(?:Press|Publishers?|Verlag)\b[^()]*)\)"
)
_STOP = re.compile(r"[.?!](?=\s|$)")
_LAST_WORD = re.compile(r"(\S+)$")


class _Head(NamedTuple):
    authors: tuple[str, ...]
    year: str | None
    rest: str
    dated: bool  # the year question is settled (found, or explicitly "n.d.")


def parse_reference(text: str, hrefs: Sequence[str] = ()) -> Reference:
    """Parse one bibliography entry's text (plus the hrefs found in it)."""
    clean, glued = _cut_glued_doi(_clean_text(text))
    doi = _doi_from_hrefs(hrefs) or _doi_from_text(clean) or glued
    head = _split_head(clean)
    title, container, tail = _title_container(head.rest)
    year = head.year
    if not head.dated:
        found = _BARE_YEAR.search(tail) or _BARE_YEAR.search(clean)
        year = found.group(1) if found else None
    return Reference(
        text=clean,
        authors=head.authors,
        year=year,
        title=title,
        container=container,
        doi=doi,
        url=_url(clean, hrefs),
    )


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _clean_text(text: str) -> str:
    s = collapse(text)
    stripped = _LABEL_TRAILING.sub("", _LABEL_ANYWHERE.sub("", s))
    if stripped != s:  # a removed label leaves " ," behind
        s = _SPACE_BEFORE_PUNCT.sub(r"\1", collapse(stripped))
    return _LEAD_LABEL.sub("", s).strip(" ,;|")


def _cut_glued_doi(text: str) -> tuple[str, str | None]:
    m = _GLUED_DOI.search(text)
    if m is None:
        return text, None
    return text[: m.start()].rstrip(), _clean_doi(m.group(1))


def _clean_doi(doi: str) -> str | None:
    doi = unquote(doi).rstrip(".,;:'\"’”>]")
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;:")
    return doi or None


def _doi_from_hrefs(hrefs: Sequence[str]) -> str | None:
    for href in hrefs:
        m = _DOI_HREF.search(href)
        if m:
            return _clean_doi(m.group(1))
    return None


def _doi_from_text(text: str) -> str | None:
    m = _DOI_TEXT.search(text)
    return _clean_doi(m.group(1)) if m else None


def _url(text: str, hrefs: Sequence[str]) -> str | None:
    m = _AVAILABLE.search(text)
    if m and not _SERVICE_HREF.search(m.group(1)):
        return _clean_url(m.group(1))
    for href in hrefs:
        if href.startswith(("http://", "https://")) and not _SERVICE_HREF.search(href):
            return href
    for m in _URL.finditer(text):
        if not _SERVICE_HREF.search(m.group(0)):
            return _clean_url(m.group(0))
    return None


def _clean_url(url: str) -> str:
    url = url.rstrip(".,;:'\"’”>]")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:")
    return url


# --- authors and year -----------------------------------------------------------------


def _split_head(text: str) -> _Head:
    """Split the authors (and the year when it follows them) from the rest."""
    m = _date_paren(text)
    if m is not None:
        return _Head(_authors(text[: m.start()]), m.group(1), text[m.end() :], True)
    m = _BARE_AUTHOR_YEAR.search(text, 0, 250)
    if m and _namelike(text[: m.start()]):
        return _Head(_authors(text[: m.start()]), m.group(1), text[m.end() :], True)
    m = _AUTHOR_BEFORE_QUOTE.match(text) or _note_author(text)
    if m:  # 'Tax Foundation, "Tracking the Impact of Tariffs," May 31, 2019'
        return _Head(_authors(m.group(1)), None, text[m.end() :], False)
    end = _author_end(text)
    if end and _namelike(text[:end]):
        return _Head(_authors(text[:end]), None, text[end + 1 :], False)
    return _Head((), None, text, False)


def _date_paren(text: str) -> re.Match[str] | None:
    """The "(2016a)" / "(12 March 2010)" / "(n.d.)" that closes an author list, if any."""
    m = _PAREN_YEAR.search(text, 0, 300)
    if m is None or m.start() > 250:
        return None
    # A quote before it means the year belongs to a title; "(London: Verso, 2015)" or
    # "(Princeton, NJ, 1999)" is a publisher's imprint, not the date after the authors.
    if any(q in text[: m.start()] for q in '‘“"«„'):
        return None
    imprint = m.group(0)[: m.start(1) - m.start()] if m.group(1) else ""
    return None if ":" in imprint or "," in imprint else m


def _note_author(text: str) -> re.Match[str] | None:
    """Chicago notes: "John Smith, The Iron Silk Road (London: Verso, 2015), 45."."""
    m = _NOTE_AUTHOR.match(text)
    if m is None or _ENDS_INITIALS.search(m.group(1)):  # "Smith J, Jones AB" is Vancouver
        return None
    return m if _namelike(m.group(1)) else None


def _author_end(text: str) -> int:
    """Where a leading author list ends: the first period that closes more than an initial."""
    for m in _STOP.finditer(text, 0, 300):
        before = text[: m.start()]
        word = _LAST_WORD.search(before)
        token = word.group(1) if word else ""
        # "Smith, J. Title" / "A. B. Smith": a lone capital after ", " or an initial.
        lone = len(token) == 1 and token.isupper()
        if lone and (before[:-1].endswith(", ") or before[:-1].endswith(". ")):
            continue
        if "." in token:  # "U.S." abbreviates, it does not end the list
            continue
        return m.start()
    return 0


def _authors(prefix: str) -> tuple[str, ...]:
    part = _EDITOR_MARK.sub(" ", prefix).strip(" ,;:")
    if part.endswith(".") and not _ends_with_initial(part):
        part = part[:-1].rstrip()
    if not part:
        return ()
    names = _split_authors(part)
    if names and all(_is_name(n) for n in names):
        return tuple(names)
    # An organisation ("Ministry of Trade and Industry") stays whole.
    return (part,) if len(part) <= 120 else ()


def _ends_with_initial(part: str) -> bool:
    word = _LAST_WORD.search(part)
    return word is not None and _INITIALS.fullmatch(word.group(1)) is not None


def _split_authors(part: str) -> list[str]:
    part = _ET_AL.sub("", part).strip(" ,;")
    chunks = [c.strip(" ,") for c in _AUTHOR_SEP.split(part) if c.strip(" ,")]
    # "Smith, John" is one surname-first name, but in "Smith, Jones & Brown" the bare
    # words are surnames: allow a given name only when some other chunk is a full name.
    given_ok = len(chunks) == 1 or any(" " in c for c in chunks[1:])
    names: list[str] = []
    for chunk in chunks:
        names.extend(_chunk_names(chunk, given_ok))
    return names


def _chunk_names(chunk: str, given_ok: bool) -> list[str]:
    """Pair comma-separated pieces: "Benmaamar, M., Keou, O." -> two surname-first names."""
    pieces = [p.strip() for p in chunk.split(",") if p.strip()]
    names: list[str] = []
    open_surname = False  # the last name still waits for its initials
    for i, piece in enumerate(pieces):
        initials = _INITIALS.fullmatch(piece) is not None
        given = given_ok and i == 1 and " " not in pieces[0] and _GIVEN.fullmatch(piece)
        if names and open_surname and (initials or given):
            names[-1] = f"{names[-1]}, {piece}"
            open_surname = False
        else:
            names.append(piece)
            open_surname = not _ENDS_INITIALS.search(piece)  # "Smith J" is complete
    return names


def _is_name(name: str) -> bool:
    words = name.replace(",", " ").split()
    return 1 <= len(words) <= 6 and all(_is_name_word(w) for w in words)


def _is_name_word(word: str) -> bool:
    if word in _PARTICLES:
        return True
    if not word[0].isupper() or word in _NOT_NAMES:
        return False
    # A period may close an initial ("J.", "AB.") or "Jr.", never a sentence.
    return not word.endswith(".") or len(word) <= 3 or "." in word[:-1]


def _namelike(part: str) -> bool:
    part = _EDITOR_MARK.sub(" ", part).strip(" ,;:")
    if not part or len(part) > 250:
        return False
    names = _split_authors(part.rstrip("."))
    return bool(names) and all(_is_name(n) for n in names)


# --- title and container --------------------------------------------------------------


def _title_container(rest: str) -> tuple[str | None, str | None, str]:
    """The title, the container (journal, paper, edited book) and the text after them."""
    body = rest.lstrip(" .,:;")
    quoted = _match_quoted(body)
    if quoted is not None:
        tail = body[quoted[1] :]
        return quoted[0], _container_after_quote(tail), tail
    book, tail = _book_title(body)
    journal = _JOURNAL_AFTER.match(tail.lstrip(" .,:;"))
    return book, (_clean_container(journal.group(1)) if journal else None), tail


def _match_quoted(body: str) -> tuple[str, int] | None:
    for strict, loose in _QUOTED:
        m = strict.match(body) or loose.match(body)
        if m:
            title = m.group(1).strip().rstrip(",.;:").strip()
            return (title, m.end()) if title else None
    return None


def _container_after_quote(tail: str) -> str | None:
    tail = _FORMAT_NOTE.sub("", tail.lstrip(" ,.:;"))
    book = _IN_BOOK.match(tail)
    if book is not None and book.group(1) is not None:  # "in Job, B. L. (ed.) Title (...)"
        return _book_title(book.group(2))[0]
    if book is not None:  # "in Journal, 12" without editors
        tail = book.group(2)
    m = _CONTAINER.match(tail)
    return _clean_container(m.group(1)) if m else None


def _clean_container(text: str) -> str | None:
    text = text.strip(" ,.;:")
    if not text or text[0].isdigit() or _NOT_CONTAINER.match(text):
        return None
    return text


def _book_title(body: str) -> tuple[str | None, str]:
    """A book title runs to its publisher parenthesis, else to the first sentence end."""
    pub = _PUB_PAREN.search(body)
    if pub is not None:
        stop = pub.start()
    else:
        paren = body.find(" (")
        stop = min(_sentence_end(body), paren if paren >= 0 else len(body))
    title = body[:stop].strip(" ,.;:")
    return (title or None), body[stop:]


def _sentence_end(text: str) -> int:
    for m in _STOP.finditer(text):
        if m.group(0) in "?!":
            return m.end()  # a question mark belongs to the title
        word = _LAST_WORD.search(text, 0, m.start())
        token = word.group(1) if word else ""
        if (len(token) == 1 and token.isupper()) or token.lower() in _ABBREVIATIONS:
            continue
        if "." in token:  # "U.S." or "e.g."
            continue
        return m.start()
    return len(text)


# --- does an entry look like a reference? ----------------------------------------------


def looks_like(text: str, italic: bool = False) -> bool:
    """Author-year, DOI, URL, "et al.", Vancouver, or a quoted/italic title with a year."""
    if not 12 <= len(text) <= 3000:
        return False
    if _DOI_TEXT.search(text) or _GLUED_DOI.search(text) or _URL.search(text):
        return True
    if _ET_AL.search(text):
        return True
    if _has_author_year(text):
        return True
    if _VANCOUVER.match(text) and _BARE_YEAR.search(text):
        return True
    return (italic or _QUOTE_ANY.search(text) is not None) and _BARE_YEAR.search(text) is not None


def _has_author_year(text: str) -> bool:
    m = _date_paren(text) or _BARE_AUTHOR_YEAR.search(text, 0, 250)
    if m is None:
        return False
    head = _EDITOR_MARK.sub(" ", text[: m.start()]).strip(" ,;:")
    # One bare word ("Kazakhstan (2019) ...") is too weak to call an author.
    return ("," in head or " " in head) and _namelike(head)
