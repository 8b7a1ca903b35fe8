"""Turn raw author strings (meta, JSON-LD, bylines) into person names and credits.

A byline mixes names with everything around them: "By", job titles, the
agency, a Twitter handle, "and" between two people. Pieces are cut at
separators, the furniture is stripped, and a piece survives only if it still
looks like a name: short, no digits, no organisation word, not the site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import unquote

from pipeline import urls
from pipeline.extraction.thresholds import (
    CREDIT_WORDS,
    PERSON_CHARS,
    PERSON_WORDS,
)

# An address: its local part from where a run of such characters starts (the
# lookbehind: not from each of its characters again), a dotted domain. No part can
# take what the next one needs, so nothing backtracks: linear.
_EMAIL = re.compile(r"(?<![^\s@])[^\s@]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
# The innermost brackets: a scan from an opening one stops at the next (linear).
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_PREFIX = re.compile(
    r"^(?:(?:with\s+)?(?:additional\s+)?reporting\s+by"
    r"|(?:article\s+)?(?:written|posted|published|reported|compiled|story|words|text|article)"
    r"\s+by|(?:view|see)\s+(?:all|more)\s+(?:posts|articles|stories)\s+by"
    r"|(?:more\s+)?(?:posts|articles|stories|insights)\s+(?:by|from)"
    r"|author(?:s|\(s\))?|by|von|par|por|door|av|af"
    r"|автор(?:ы)?|текст|作者|記者)\b\s*[:：\-–—]?\s*",
    re.I,
)
# Pieces that name someone who did not write the article.
_NOT_AUTHOR = re.compile(
    r"^(?:editing|edited|translated|translation|photos?|photography|illustrations?|graphics"
    r"|reviewed|fact[-\s]?checked|medically\s+reviewed|researched)\s+by\b",
    re.I,
)
# Between two people; "with additional reporting by" also starts a new name.
# Leading spaces are taken only from where their run starts (`(?:(?<!\s)\s+)?`,
# not `\s*`): from each space of a long run, `\s*` would scan the rest again.
_SPLIT = re.compile(
    r"(?:(?<!\s)\s+)?(?:[,;|/、，⋅·•●]|\s[-–—]\s|&|\+|\s(?:and|und|et|y|и)\s"
    r"|\s(?:with\s+)?(?:additional\s+)?reporting\s+by\s|\swith\s)\s*",
    re.I,
)
# "Jane Doe for The Times", "Jane Doe at Reuters": the rest is the employer.
# (`(?<!\s)`: from where a run of spaces starts only; see _SPLIT.)
_EMPLOYER = re.compile(r"(?<!\s)\s+(?:for|at|from|of|für|pour|para|для)\s+.*$")
# Where a credit's name ends: a separator, a date, a role after a comma.
_CREDIT_END = re.compile(r"(?:(?<!\s)\s+)?[|;•⋅·●/]\s*|\s[-–—]\s|,\s+")
# Not ".": it ends initials ("Nicola P.") and "Jr."; see _trim.
_EDGE_JUNK = " \t\"'“”‘’«»·•*:–—-,"
# "Contessi, Nicola P.": citation style, family name first.
_INVERTED = re.compile(r"([^\W\d_][\w'’-]+),\s*((?:[^\W\d_][\w'’-]*\.?\s*){1,3})")

_TITLE_NOUNS = frozenset(
    """
    writer writers correspondent correspondents reporter reporters editor editors
    contributor contributors columnist columnists journalist journalists analyst analysts
    author authors photographer photographers producer producers anchor presenter
    commentator critic blogger intern researcher director
    founder cofounder co-founder ceo cto cfo coo president coordinator manager strategist
    specialist consultant attorney lawyer dietitian nutritionist winemaker scientist engineer
    designer developer marketer partner owner expert advisor adviser coach trainer therapist
    physician professor fellow host creator curator publisher officer architect clinician
    lead head contributors member
    redakteur redakteurin korrespondent korrespondentin journaliste rédacteur rédactrice
    periodista redactor corresponsal корреспондент обозреватель журналист редактор
    """.split()
)
_TITLE_MODIFIERS = frozenset(
    """
    senior chief deputy associate assistant managing executive contributing special staff
    guest political foreign business science technology tech health sports economics
    economy international national local digital social investigative data freelance
    lead principal regional bureau news photo video opinion features culture world
    white house of the and in on editorial content marketing review community product growth
    seo brand communications medical clinical licensed certified general
    """.split()
)
# Whole words (casefolded) that make a string an organisation, not a person.
_ORG_WORDS = frozenset(
    """
    staff team desk news agency editorial press newsroom bureau redaktion redacción
    rédaction redazione редакция новости service services wire media network inc ltd llc
    gmbh corp corporation company group department ministry office foundation council
    committee association society magazine journal newspaper daily weekly tribune herald
    gazette online admin administrator webmaster guest anonymous unknown reuters bloomberg
    xinhua kyodo interfax интерфакс рбк institute university college school centre center
    organization organisation
    """.split()
)
# Words of page furniture that a byline search picks up: buttons, links, labels.
_UI_WORDS = frozenset(
    """
    view email e-mail share follow following subscribe here posts post insights table more read
    login log sign menu home about contact twitter facebook linkedin instagram youtube tiktok
    threads bluesky pinterest whatsapp reddit telegram print comments comment reply profile
    bio articles article page author authors posted published updated written listen save
    start trial free try get buy shop download join sign-up signup book demo
    fact checked check link size style design researched reviewed insights on by from all
    see find min mins minute minutes time last update latest edited modified full learn
    image images photo photos credit credits
    フォロー フォローする 关注 подписаться
    """.split()
)
# Words that start no name: "of the article", "our editors", "in Politics".
_FUNCTION_WORDS = frozenset(
    "of the a an and in on at for to from with our my your his her their its this that".split()
)
_TEAM_STARTS = frozenset(("the", "our"))
_DAYS_AND_MONTHS = frozenset(
    """
    mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday
    saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec january february march
    april june july august september october november december
    """.split()
)
# Template placeholders left in the page: "page.head.extra.author", "{{ author }}".
_PLACEHOLDER = re.compile(r"^[a-z_]+(?:\.[a-z_]+){2,}$|[{}<>%$]")
# Agency acronyms: matched case-sensitively, "Ap" or "Ani" may be a name.
_ORG_ACRONYMS = frozenset(("AFP", "AP", "UPI", "EFE", "ANSA", "DPA", "dpa", "PTI", "IANS", "ANI"))
_ORG_ACRONYMS |= frozenset(("TASS", "ТАСС", "RIA", "РИА", "BBC", "CNN", "AA", "KNA"))
_ORG_PHRASES = ("associated press", "press association", "the canadian press")
# News agencies and wire services by name, casefolded: with _ORG_ACRONYMS, the words
# a byline piece may consist of to be an agency's credit ("Reuters", "Bloomberg News").
_AGENCY_NAMES = frozenset(
    """
    reuters bloomberg xinhua kyodo interfax интерфакс yonhap anadolu bernama antara belga lusa
    jiji
    """.split()
)
_AGENCY_PHRASES = (
    *_ORG_PHRASES,
    "agence france-presse",
    "agence france presse",
    "deutsche presse-agentur",
    "europa press",
)
# Words an agency's name may carry beside it: "Reuters Staff", "AP News", "dpa Wire".
_AGENCY_COMPANIONS = frozenset("the news staff wire service agency press and".split())
# Words that make a byline piece a desk's or a team's credit ("Politics Desk",
# "Podium Staff", "Redaktion"): a newsroom's own units, not a person's employer.
_DESK_WORDS = frozenset(
    """
    staff team desk newsroom bureau editors redaktion redacción rédaction redazione
    redaktionen redactie redakcja редакция agency wire service services
    """.split()
)
# Accounts that name no one: never a credit either.
_NO_ONE = frozenset("admin administrator webmaster guest anonymous unknown user editor".split())
# Roles that end a piece ("Washington Bureau Chief"): a person's title, not a credit.
_ROLE_ENDS = _TITLE_NOUNS | {"chief"}


def clean_authors(
    raw: Sequence[str], site_name: str | None = None, *, declared: bool = False
) -> tuple[str, ...]:
    """Person names found in `raw`, de-duplicated case-insensitively, order kept.

    `declared`: the strings come from a field that names the author (JSON-LD
    author, meta author), so a personal blog's author may equal the site's name
    and a user handle ("apblackmd") is the name the author goes by.
    """
    site = _fold(site_name) if site_name else None
    names: dict[str, str] = {}
    for value in raw:
        for name in _names(value, declared):
            key = name.casefold()
            if key in names or (_fold(name) == site and not (declared and " " in name)):
                continue
            names[key] = name
    return tuple(names.values())


def organisation_credit(raw: Sequence[str], site_name: str | None = None) -> str | None:
    """A team, desk or organisation a page credits as its author ("By The Podium
    Staff", "Investopedia Team", a JSON-LD Organization): the first one that reads
    as a name, its byline label removed. Read whole, so only from strings known to
    name an organisation or on pages that name no person (see byline)."""
    for value in raw:
        text = _trim(_PREFIX.sub("", _trim(" ".join(value.split()))))
        if _URL.search(text) or _EMAIL.search(text):
            continue
        text = _trim(_CREDIT_END.split(text)[0])
        words = text.split()
        if not words or len(words) > CREDIT_WORDS or len(text) > PERSON_CHARS:
            continue
        if not any(c.isalpha() for c in text) or "?" in text or "!" in text:
            continue
        if any(w.casefold().strip(".,") in _DAYS_AND_MONTHS for w in words):
            continue  # a date: "Dec 17"
        if _PLACEHOLDER.search(text) or _is_junk(words, True, credit=True):
            continue
        if len(words) == 1 and text.casefold() in _NO_ONE:
            continue  # "admin": a CMS account, no organisation
        folded = [w.casefold().strip(".,") for w in words]
        if folded[-1] in _ROLE_ENDS and folded[0] not in _TEAM_STARTS:
            continue  # "Staff Writer", "Community Editor": a role ("Our Editors": a team)
        return _fix_case(text) if text.isupper() and " " in text else text
    return None


def agency_credits(raw: Sequence[str]) -> tuple[str, ...]:
    """The agencies, wire services, desks and teams a byline credits beside or
    instead of its people ("Jane Doe, dpa", "Von Max Muster und dpa", "By AFP/Reuters",
    "Politics Desk"), de-duplicated case-insensitively, order kept. Only pieces that
    read as an agency or a newsroom unit count: a person's employer ("for The
    Times"), an affiliation or a job title ("Staff Writer") is none."""
    found: dict[str, str] = {}
    for value in raw:
        for credit in _credits(value):
            found.setdefault(credit.casefold(), credit)
    return tuple(found.values())


def _credits(value: str) -> Iterator[str]:
    text = " ".join(value.split())
    if not text or len(text) > 10 * PERSON_CHARS:  # a paragraph, not a byline
        return
    text = _EMAIL.sub(" ", _URL.sub(" ", _HANDLE.sub(" ", text)))
    # "Jane Doe (dpa)": what the brackets hold is read as pieces of its own.
    inner = [m.group(0)[1:-1] for m in _BRACKETS.finditer(text)]
    text = _PREFIX.sub("", _trim(_BRACKETS.sub(" , ", text)))
    for piece in [*_SPLIT.split(text), *(p for i in inner for p in _SPLIT.split(i))]:
        credit = _credit_piece(piece)
        if credit:
            yield credit


def _credit_piece(piece: str) -> str | None:
    """An agency's or a desk's name from one piece of a byline, or None."""
    piece = _trim(piece)
    if not piece or _NOT_AUTHOR.match(piece):
        return None
    piece = _trim(_PREFIX.sub("", piece))
    words = piece.split()
    if not words or len(words) > CREDIT_WORDS or len(piece) > PERSON_CHARS:
        return None
    if (
        any(c.isdigit() for c in piece)
        or any(c in piece for c in ":?!")
        or _PLACEHOLDER.search(piece)
    ):
        return None
    folded = [w.casefold().strip(".,") for w in words]
    if any(w in _UI_WORDS or w in _NO_ONE for w in folded):
        return None  # "AP Photo", "Image: Reuters": a picture's credit, not the article's
    if _is_junk(words, True, credit=True):
        return None
    if folded[-1] in _ROLE_ENDS and folded[0] not in _TEAM_STARTS:
        return None  # "Staff Writer", "Washington Bureau Chief": a role ("The Editors": a team)
    agency = any(w in _ORG_ACRONYMS for w in words) or any(w in _AGENCY_NAMES for w in folded)
    if agency and all(
        w in _ORG_ACRONYMS or f in _AGENCY_NAMES or f in _AGENCY_COMPANIONS
        for w, f in zip(words, folded, strict=True)
    ):
        return piece
    if _is_agency_phrase(piece) or any(f in _DESK_WORDS for f in folded):
        return _fix_case(piece) if piece.isupper() and " " in piece else piece
    return None


def _is_agency_phrase(piece: str) -> bool:
    """'The Associated Press', 'dpa' aside: an agency's name in words, with nothing
    but companion words around it ("ERIC TUCKER Associated Press" is a name too)."""
    folded = piece.casefold()
    for phrase in _AGENCY_PHRASES:
        if phrase in folded:
            rest = folded.replace(phrase, " ").split()
            return all(word in _AGENCY_COMPANIONS for word in rest)
    return False


def _names(value: str, declared: bool = False) -> Iterator[str]:
    """Candidate names in one raw string."""
    text = " ".join(value.split())
    if not text or len(text) > 10 * PERSON_CHARS:  # a paragraph, not a byline
        return
    if _URL.fullmatch(text):
        slug = _name_from_url(text)
        if slug:
            yield slug
        return
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    text = _BRACKETS.sub(" ", _HANDLE.sub(" ", text))
    text = _uninvert(_PREFIX.sub("", _trim(text)))
    for piece in _SPLIT.split(text):
        name = _clean_piece(piece, declared)
        if name:
            yield name


def _clean_piece(piece: str, declared: bool = False) -> str | None:
    """One name from one piece, or None if what is left is not a name."""
    piece = _trim(piece)
    if _NOT_AUTHOR.match(piece):
        return None
    piece = _EMPLOYER.sub("", _PREFIX.sub("", piece))
    words = _strip_place(_collapse_repeats(_strip_titles(piece.split())))
    if not words or len(words) > PERSON_WORDS:
        return None
    name = _trim(" ".join(words))
    if len(name) > PERSON_CHARS or not _looks_like_name(name, words, declared):
        return None
    return _fix_case(name)


def _collapse_repeats(words: list[str]) -> list[str]:
    """'Jane Doe Jane Doe' (a name printed twice: a link and its label) -> 'Jane Doe'."""
    for size in range(1, len(words) // 2 + 1):
        if len(words) % size == 0:
            unit = [w.casefold() for w in words[:size]]
            if all(w.casefold() == unit[i % size] for i, w in enumerate(words)):
                return words[:size]
    return words


def _strip_place(words: list[str]) -> list[str]:
    """'Md Aynal Haque RAJSHAHI' -> 'Md Aynal Haque': a dateline's place in capitals;
    'Jane Doe Oct' -> 'Jane Doe': the month of the date that follows."""
    while len(words) > 1 and words[-1].casefold().strip(".,") in _DAYS_AND_MONTHS:
        words = words[:-1]
    while len(words) > 1 and words[-1].isupper() and len(words[-1]) > 3:
        if not any(w[:1].isupper() and not w.isupper() for w in words[:-1]):
            break
        words = words[:-1]
    return words


def _strip_titles(words: list[str]) -> list[str]:
    """Drop job titles after or before the name ("Jane Doe Staff Writer")."""
    words = words[: len(words) - _title_run(reversed(words))]
    return words[_title_run(iter(words)) :]


def _title_run(words: Iterator[str]) -> int:
    """Length of the run of title words at this end, if it holds a title noun.

    The noun is required so that "Jack White" keeps its "White".
    """
    run: list[str] = []
    for word in words:
        folded = word.casefold().strip(".,:")
        if folded not in _TITLE_NOUNS and folded not in _TITLE_MODIFIERS:
            break
        run.append(folded)
    return len(run) if any(word in _TITLE_NOUNS for word in run) else 0


def _looks_like_name(name: str, words: list[str], declared: bool = False) -> bool:
    if any(char.isdigit() for char in name) or not any(char.isalpha() for char in name):
        return False
    if _PLACEHOLDER.search(name) or _is_junk(words, declared):
        return False
    if ":" in name or "?" in name or "!" in name:  # a sentence or a label
        return False
    # "with", "admin": a word, not a name; but a declared author may be a handle.
    if len(words) == 1 and name.islower() and not declared:
        return False
    folded = name.casefold()
    if folded.startswith("the ") or any(phrase in folded for phrase in _ORG_PHRASES):
        return False
    return not any(
        word in _ORG_ACRONYMS or word.casefold().strip(".,") in _ORG_WORDS for word in words
    )


def _is_junk(words: list[str], declared: bool, *, credit: bool = False) -> bool:
    """Words a byline search picks up that name no one: buttons, labels, weekdays,
    a lone city in capitals, a phrase starting with a function word (but a team
    may be "The Investopedia Team", "Our Editors")."""
    folded = [w.casefold().strip(".,:") for w in words]
    if folded[0] in _FUNCTION_WORDS and not (credit and folded[0] in _TEAM_STARTS):
        return True
    if all(w in _UI_WORDS or w in _DAYS_AND_MONTHS or w in _FUNCTION_WORDS for w in folded):
        return True  # "Full Bio", "Learn about our"
    # One word in capitals ("BERLIN", "RAJSHAHI") is a dateline's place, unless declared.
    return len(words) == 1 and not declared and words[0].isupper() and len(words[0]) > 3


def _fix_case(name: str) -> str:
    """'JANE DOE' -> 'Jane Doe' ('Jean-Luc', "O'Brien" come out right with title())."""
    if name.isupper() and sum(char.isalpha() for char in name) > 3:
        return name.title()
    return name


def _uninvert(text: str) -> str:
    """'Contessi, Nicola P.' -> 'Nicola P. Contessi', only when nothing else fits.

    Two single names ("Doe, Smith") are read as family, given: author lists of
    one-word people are rarer than citation-style names.
    """
    match = _INVERTED.fullmatch(text)
    if match is None:
        return text
    family, given = match.group(1), match.group(2).strip()
    words = [family, *given.split()]
    if any(word.casefold().strip(".") in _TITLE_NOUNS for word in words):
        return text  # "Smith, Reporter" is a name and a title, not an inversion
    if any(w.casefold() in _ORG_WORDS or w in _ORG_ACRONYMS for w in words):
        return text
    return f"{given} {family}"


def _name_from_url(url: str) -> str | None:
    """https://site.com/author/jane-doe/ -> 'Jane Doe'; other URLs give nothing."""
    parts = [p for p in urls.path(url if "://" in url else f"https://{url}").split("/") if p]
    if len(parts) < 2 or parts[-2].casefold() not in _PROFILE_DIRS:
        return None
    words = re.split(r"[-_+]+", unquote(parts[-1]))
    if not 2 <= len(words) <= 4 or not all(w.isalpha() for w in words):
        return None
    return " ".join(word.capitalize() for word in words)


_PROFILE_DIRS = frozenset(
    """
    author authors people person profile profiles staff journalist journalists contributor
    contributors writer writers by autor avtor
    """.split()
)


def _trim(text: str) -> str:
    """Strip quotes, dashes and bullets; a final "." only after a whole word ("Doe.")."""
    text = text.strip(_EDGE_JUNK)
    last = text.rsplit(" ", 1)[-1]
    if last.endswith(".") and len(last) > 3 and "." not in last[:-1]:
        text = text[:-1].rstrip(_EDGE_JUNK)
    return text


def _fold(text: str) -> str:
    """Compare names and site names ignoring case, spaces and punctuation."""
    return "".join(char for char in text.casefold() if char.isalnum())
