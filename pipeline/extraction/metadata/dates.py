"""Turn the date strings pages declare (meta, JSON-LD, bylines) into ISO 8601.

Machine formats (ISO 8601, RFC 2822, "YYYYMMDD", "19.10.2025", "2025年10月19日",
English month names) go through compiled patterns and `datetime`: they are
most of what pages carry, and dateparser costs milliseconds per call (seconds
when it has to guess the language of a string that is no date at all). Only
date-shaped text that the fast path cannot read (other languages' month
names, zone abbreviations, ambiguous "3/4/2025") reaches dateparser, with its
parser built once per language list and cached.

Output: "YYYY-MM-DD" without a time, "YYYY-MM-DDTHH:MM:SS+HH:MM" with a time
and a zone, "YYYY-MM-DDTHH:MM:SS" with a time but no zone. Relative dates
("3 hours ago", "yesterday") give None: without the fetch time they say
nothing about when the article was published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import htmldate
from dateparser.data.languages_info import language_order
from dateparser.date import DateDataParser
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.thresholds import (
    DATE_TEXT_CHARS,
    LOOSE_DATE_CHARS,
    MAX_YEAR,
    MIN_YEAR,
)

_KNOWN_LANGUAGES = frozenset(language_order)

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DAY_OF_MONTH": "first",
    # A bare "19 Oct" would get this year silently; a publication date needs one.
    "REQUIRE_PARTS": ["month", "year"],
    # No 'relative-time' ("3 hours ago") and no 'timestamp' (any 10-digit number).
    "PARSERS": ["custom-formats", "absolute-time"],
}

_ZONE = r"(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?|[A-Z]{2,5}\b)"
_CLOCK = r"(?P<h>\d{1,2}):?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,]\d+)?)?"
_ISO = re.compile(
    r"(?P<y>\d{4})"
    r"(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})|(?P<m2>\d{2})(?P<d2>\d{2}))"
    rf"(?:(?:T|\s+){_CLOCK})?\s*{_ZONE}?"
)
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s+[A-Za-z]{1,5}|\s*[+-]\d{4})?"
)
_TIME_TAIL = (
    r"(?:,?\s*(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    rf"(?:\s*{_ZONE})?"
)
_WEEKDAY = r"(?:[A-Za-z]+\.?,?\s+)?"
_EN_MDY = re.compile(
    _WEEKDAY
    + r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)
_EN_DMY = re.compile(
    _WEEKDAY
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})" + _TIME_TAIL
)
_CJK = re.compile(
    r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
    r"(?:\s*[(（][^)）]{1,3}[)）])?"  # weekday such as (日)
    r"(?:\s*(?P<pm>午後|下午|오후)?(?:午前|上午|오전)?\s*"
    r"(?P<h>\d{1,2})\s*[:時时시]\s*(?P<mi>\d{2})\s*[分분]?)?"
)
# Date.toString() of Java ("Fri Apr 28 19:20:36 CEST 2023") and of JavaScript ("Fri Apr
# 28 2023 19:20:36 GMT+0200 (Central European Summer Time)"): CMSs print these into JSON-LD.
_JAVA_DATE = re.compile(
    r"[A-Za-z]{3}\s+(?P<mon>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})\s+(?P<abbr>[A-Z]{1,5})\s+(?P<y>\d{4})"
)
_JS_DATE = re.compile(
    r"[A-Za-z]{3}\s+(?P<mon>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+(?P<y>\d{4})\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})\s+(?:GMT|UTC)(?P<tz>[+-]\d{4})?(?:\s*\([^)]*\))?"
)
# Zone abbreviations whose offset is not ambiguous (CST, IST, BST name several zones).
_ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "CET": 60, "CEST": 120, "MEZ": 60,
    "MESZ": 120, "EET": 120, "EEST": 180, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480,
    "SGT": 480, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240,
    "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "HST": -600,
    # US zones without standard/daylight: the standard offset, as dateparser reads them
    "ET": -300, "CT": -360, "MT": -420, "PT": -480,
}  # fmt: skip
_EN_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

# Date-shaped pieces of a line, for find_date_in_text; each is then parsed.
_TZ_WORD = r"(?:\s*(?:UTC|GMT|MSK|[A-Z]{1,4}T\b|[+-]\d{2}:?\d{2}))?"
_TIME_PIECE = (
    r"(?:,?\s*(?:at\s+|à\s+|um\s+|в\s+|-\s+)?\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*[AaPp]\.?[Mm]\.?)?" + _TZ_WORD + ")?"
)
_WORD = r"[^\W\d_]{3,}\.?"
_CANDIDATE = re.compile(
    "|".join(
        (
            # 2025-10-19, 2018/06/20, 2025-10-19T06:12:00+00:00
            r"(?<!\d)\d{4}(?P<isep>[-/.])\d{1,2}(?P=isep)\d{1,2}"
            r"(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)",
            # 2025年10月19日 08:15
            r"(?<!\d)\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]"
            r"(?:\s*\d{1,2}\s*[:時时시]\s*\d{2}(?:\s*[分분])?)?",
            # 19.10.2025 14:30
            r"(?<!\d)\d{1,2}(?P<nsep>[./-])\d{1,2}(?P=nsep)\d{4}(?!\d)" + _TIME_PIECE,
            # 19 October 2025, 19 de octubre de 2025, 19 октября 2025 г., 14:30
            r"(?<!\d)\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+|of\s+)?"
            + _WORD
            + r",?\s+(?:de\s+)?\d{4}(?!\d)(?:\s*г\.?)?"
            + _TIME_PIECE,
            # October 19, 2025
            r"(?<!\w)" + _WORD + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}(?!\d)" + _TIME_PIECE,
        )
    )
)
DATE_SHAPE = _CANDIDATE  # what other stages may look for: a date-shaped piece of text
_HAS_TIME = re.compile(r"\d{1,2}\s*[:時时시]\s*\d{2}|\d\s*[AaPp]\.?[Mm]\b")
_HAS_DIGIT = re.compile(r"\d")
# A whole string goes to dateparser only if it has a year: "3 hours ago" has none.
_HAS_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)|\d[./-]\d{1,2}[./-]\d\d(?!\d)")


def to_iso(value: str, languages: Sequence[str] | None = None) -> str | None:
    """Return `value` as an ISO 8601 date or datetime, or None if it holds no date."""
    text = " ".join(value.split())
    if not text or len(text) > DATE_TEXT_CHARS or not _HAS_DIGIT.search(text):
        return None
    fast = _parse_fast(text)
    if fast is not None:  # a machine format, valid or not: nothing more to try
        return fast or None
    langs = _language_key(languages)
    found = _search(text, langs)
    if found is None and len(text) <= LOOSE_DATE_CHARS and _HAS_YEAR.search(text):
        found = _parse_dateparser(text, langs)
    return found


def find_date_in_text(text: str, languages: Sequence[str] | None = None) -> str | None:
    """Return the first date inside a short line ("by Jane Doe October 19, 2025 in ...").

    Uses compiled patterns ("Month D, YYYY", "D Month YYYY", "YYYY年M月D日",
    numeric d.m.Y, ISO) to cut out date-shaped pieces, then parses each piece
    like `to_iso` (fast path, then dateparser restricted to `languages`);
    dateparser's search_dates is not used: it is slow and finds "dates" in
    ordinary words.
    """
    line = " ".join(text.split())
    if not line or len(line) > DATE_TEXT_CHARS or not _HAS_DIGIT.search(line):
        return None
    return _search(line, _language_key(languages))


def dates_in_text(text: str, languages: Sequence[str] | None = None) -> list[tuple[int, str]]:
    """Every date in a stretch of text (a page header, a byline), with its offset."""
    langs = _language_key(languages)
    found = []
    for match in _CANDIDATE.finditer(text):
        piece = match.group(0).strip(" ,")
        fast = _parse_fast(piece)
        iso = fast if fast is not None else _parse_dateparser(piece, langs)
        if iso:
            found.append((match.start(), iso))
    return found


def _search(text: str, langs: tuple[str, ...] | None) -> str | None:
    for match in _CANDIDATE.finditer(text):
        piece = match.group(0).strip(" ,")
        fast = _parse_fast(piece)
        found = fast if fast is not None else _parse_dateparser(piece, langs)
        if found:
            return found
    return None


def _parse_fast(text: str) -> str | None:
    """Machine formats and English month names, without dateparser.

    None: not such a format. "": such a format, but an impossible date
    (30 February, year 1970), which dateparser should not get to reinterpret.
    """
    parsers = (
        _parse_iso,
        _parse_rfc2822,
        _parse_cjk,
        _parse_english,
        _parse_numeric,
        _parse_tostring,
    )
    for parse in parsers:
        try:
            found = parse(text)
        except (ValueError, OverflowError):  # datetime() refuses day 31 of June etc.
            return ""
        except _UnknownZone:
            return None
        if found is not None:
            return found
    return None


def _parse_iso(text: str) -> str | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    month = match.group("m") or match.group("m2")
    day = match.group("d") or match.group("d2")
    return _from_parts(match, int(match.group("y")), int(month), int(day))


def _parse_rfc2822(text: str) -> str | None:
    if not _RFC2822.fullmatch(text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _finish(parsed, has_time=True)


def _parse_cjk(text: str) -> str | None:
    match = _CJK.fullmatch(text)
    if match is None:
        return None
    parsed = datetime(int(match["y"]), int(match["m"]), int(match["d"]))
    if match["h"] is None:
        return _finish(parsed, has_time=False)
    hour = int(match["h"]) + (12 if match["pm"] and int(match["h"]) < 12 else 0)
    return _finish(parsed.replace(hour=hour, minute=int(match["mi"])), has_time=True)


def _parse_english(text: str) -> str | None:
    match = _EN_MDY.fullmatch(text) or _EN_DMY.fullmatch(text)
    if match is None:
        return None
    month = _EN_MONTHS.get(match["mon"].lower())
    if month is None:  # another language's month name: dateparser's job
        return None
    return _from_parts(match, int(match["y"]), month, int(match["d"]))


def _parse_numeric(text: str) -> str | None:
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    first, second = int(match["a"]), int(match["b"])
    if match["sep"] == "/" and first <= 12:
        if second <= 12:
            return None  # 3/4/2025: March or April depends on the locale
        first, second = second, first  # US order, m/d/Y
    return _from_parts(match, int(match["y"]), second, first)


def _parse_tostring(text: str) -> str | None:
    """Java's and JavaScript's Date.toString(); an unknown zone abbreviation keeps no zone."""
    match = _JAVA_DATE.fullmatch(text) or _JS_DATE.fullmatch(text)
    if match is None:
        return None
    month = _EN_MONTHS.get(match["mon"].lower())
    if month is None:
        return None
    groups = match.groupdict()
    zone: tzinfo | None = _zone(groups.get("tz"))
    abbreviation = groups.get("abbr")
    if abbreviation is not None and abbreviation in _ZONE_ABBREVIATIONS:
        zone = timezone(timedelta(minutes=_ZONE_ABBREVIATIONS[abbreviation]))
    parsed = datetime(
        int(match["y"]), month, int(match["d"]), int(match["h"]), int(match["mi"]),
        int(match["s"]), tzinfo=zone,
    )  # fmt: skip
    return _finish(parsed, has_time=True)


def _from_parts(match: re.Match[str], year: int, month: int, day: int) -> str | None:
    """Build the datetime from a match with optional h/mi/s/ampm/tz groups."""
    groups = match.groupdict()
    if groups.get("h") is None:
        return _finish(datetime(year, month, day), has_time=False)
    hour = int(groups["h"])
    ampm = (groups.get("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    zone = _zone(groups.get("tz"))
    seconds = int(groups.get("s") or 0)
    parsed = datetime(year, month, day, hour, int(groups["mi"]), seconds, tzinfo=zone)
    return _finish(parsed, has_time=True)


class _UnknownZone(Exception):
    """A zone abbreviation the fast path does not know: dateparser's call."""


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    if text.isalpha():
        if text not in _ZONE_ABBREVIATIONS:
            raise _UnknownZone(text)
        return timezone(timedelta(minutes=_ZONE_ABBREVIATIONS[text]))
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(sign * offset)  # raises ValueError beyond ±24h, caught upstream


def _finish(parsed: datetime, has_time: bool) -> str:
    """ISO text of `parsed`; "" when the year cannot be a web article's."""
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return ""
    if not has_time:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def _parse_dateparser(text: str, langs: tuple[str, ...] | None) -> str | None:
    # Memoised: a pure function of its arguments (no relative dates, every part
    # required), and a site prints the same few dates on page after page, each
    # costing dateparser a third of a millisecond.
    # Without a page language, dateparser would try all of its ~200 locales (seconds
    # of regex compiling per process): guess a few from the script instead.
    parser = _parser(langs or _languages_of_script(text))
    try:
        parsed = parser.get_date_data(text).date_obj
    except (ValueError, OverflowError, TypeError):
        return None
    if not isinstance(parsed, datetime):
        return None
    # dateparser fills 00:00 when there is no time, so ask the text.
    return _finish(parsed, has_time=_HAS_TIME.search(text) is not None) or None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")


def _languages_of_script(text: str) -> tuple[str, ...]:
    if _CYRILLIC.search(text):
        return ("ru", "uk", "bg")
    if _GREEK.search(text):
        return ("el",)
    if _ARABIC.search(text):
        return ("ar",)
    return _LATIN_LANGUAGES


def _language_key(languages: Sequence[str] | None) -> tuple[str, ...] | None:
    """'en-US', 'ru_RU' -> ('en', 'ru'), known to dateparser only; a tuple for the cache.

    dateparser rejects an unknown code only when it parses (ValueError), so
    unknown codes are dropped here; none left means "detect the language".
    """
    if not languages:
        return None
    codes = (code.replace("_", "-").split("-")[0].strip().lower() for code in languages)
    return tuple(dict.fromkeys(code for code in codes if code in _KNOWN_LANGUAGES)) or None


@lru_cache(maxsize=32)
def _parser(langs: tuple[str, ...] | None) -> DateDataParser:
    """One parser per language list: building one loads locale data."""
    try:
        return DateDataParser(
            languages=list(langs) if langs else None, settings=_DATEPARSER_SETTINGS
        )
    except ValueError:  # a language dateparser does not know: let it detect
        return _parser(None) if langs else DateDataParser(settings=_DATEPARSER_SETTINGS)


def date_from_page(html: str, url: str | None) -> str | None:
    """Last resort when the page's own precedence found nothing: htmldate's
    structural search (dates in the URL, in meta and time elements, in common
    markup), without its free-text scan, which takes "today" bars and copyright
    years. Costs a second (lxml) parse, so it runs only on pages without a date."""
    try:
        found = htmldate.find_date(
            _without_site_parts(html),
            url=url,
            original_date=True,
            extensive_search=False,
            outputformat="%Y-%m-%d",
        )
    except Exception:  # htmldate and lxml raise many kinds on hostile markup
        return None
    return found or None


# The site's own parts, where "today" bars, archives and related posts' dates live.
_SITE_PARTS = (
    "header, nav, footer, aside, [role=banner], [role=navigation], [role=contentinfo],"
    " [role=complementary]"
)


def _without_site_parts(html: str) -> str:
    """The page without its site header, navigation, footer and sidebars (an
    article's own <header> stays): a date there is the site's, not the article's."""
    tree = LexborHTMLParser(html)
    for node in reversed(tree.css(_SITE_PARTS)):
        up = node.parent
        while up is not None and up.tag != "article":
            up = up.parent
        if up is None:
            node.decompose()
    return tree.html or html
