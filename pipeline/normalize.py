"""Text normalisation applied to every string of a record.

Speed matters: this runs on every paragraph, cell and title. Clean text (the
vast majority) takes a few C-level checks and skips the costly steps. Measured on
10,000 clean 200-character paragraphs (English, Russian, French): ftfy.fix_text
costs ~36 µs each while the mojibake test that guards it costs ~0.75 µs;
str.translate costs ~9 µs on non-ASCII text while the regex test that guards it
costs ~0.6 µs; normalize_text as a whole costs ~2.7 µs.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

# Typographic quotes, dashes and full-width forms are content, not damage.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,  # done before, and never in code blocks
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,  # ftfy runs on suspect text only: fixing them there is uneven
    normalization="NFC",
)


def _sloppy(codec: str, low: int, high: int) -> str:
    """Bytes low..high as a legacy codec shows them (undefined bytes as C1 controls)."""
    return "".join(bytes([b]).decode(codec, "ignore") or chr(b) for b in range(low, high + 1))


# Mojibake is UTF-8 read as windows-1252 or windows-1251: a lead byte (Ã, Â, â, Ð,
# Ñ ... or Р, С, в) followed by a continuation byte (€, ™, ¿, NBSP ... or Ђ, ё ...).
# One class pair, not an alternation, so the regex engine scans at C speed.
_LEADS = _sloppy("cp1252", 0xC2, 0xF4) + "РСв"
# Latin-1 readings leave the C1 controls U+0080..U+009F in place of €, ’ and the like.
_CONTINUATIONS = (
    _sloppy("cp1252", 0x80, 0xBF) + _sloppy("cp1251", 0x80, 0xBF) + _sloppy("latin-1", 0x80, 0x9F)
)
_MOJIBAKE = re.compile(f"[{re.escape(_LEADS)}][{re.escape(_CONTINUATIONS)}]")

# Invisible characters with no meaning in extracted text: control characters other
# than line-breaking ones, soft hyphen, zero-width space, word joiner, BOM, and lone
# surrogates (they cannot be written as UTF-8). ZWNJ/ZWJ (U+200C/D) are kept: they
# shape Persian and Indic words and join emoji sequences.
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)]
_REMOVED = [*_CONTROLS, 0xAD, 0x180E, 0x200B, 0x2060, 0xFEFF, *range(0xD800, 0xE000)]
# Unicode spaces (Zs) and line breaks, for the multi-line form that cannot use str.split.
_SPACES = [0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]
_BREAKS = [0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029]

_TEXT_TABLE: dict[int, str | None] = dict.fromkeys(_REMOVED)
_LINES_TABLE: dict[int, str | None] = {
    **_TEXT_TABLE,
    **dict.fromkeys(_SPACES, " "),
    **dict.fromkeys(_BREAKS, "\n"),
}


def _any_of(codepoints: dict[int, str | None]) -> re.Pattern[str]:
    """A character class matching any key of a translate table."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in codepoints) + "]")


_TEXT_SPECIAL = _any_of(_TEXT_TABLE)
_LINES_SPECIAL = _any_of(_LINES_TABLE)

# Han, kana and their marks: scripts written without spaces, one character ~ one word.
CJK = re.compile(
    "[\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
# Combining marks are not \w in Python, yet they sit inside Indic, Thai, Hebrew
# and Arabic words; without them one Hindi word would count as several. (Built
# once at import from the Unicode database, ~10 ms.)
_MARKS = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c))[0] == "M")
WORD_PART = f"\\w[\\w{re.escape(_MARKS)}\u200c\u200d]*"
_WORD = re.compile(f"{WORD_PART}(?:['’]{WORD_PART})*")  # "don't" is one word, not two


def normalize_text(s: str) -> str:
    """Normalise one block of text to a single clean line."""
    s = _repair(s, unescape=True)
    if _TEXT_SPECIAL.search(s):
        s = s.translate(_TEXT_TABLE)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())  # str.split knows every Unicode space and line break


def collapsed_within(s: str, limit: int) -> str | None:
    """`s` with its whitespace collapsed, or None when that is longer than `limit`.
    Stops splitting once there are too many words for the limit, so a short-line
    test over a whole page's text costs little (the answer is exact)."""
    most = (limit + 1) // 2 + 1  # this many words take at least limit + 1 characters
    words = s.split(None, most)
    if len(words) > most:
        return None
    text = " ".join(words)
    return text if len(text) <= limit else None


def normalize_multiline(s: str) -> str:
    """Normalise preformatted text: keep newlines and indentation, trim line ends."""
    # Code about HTML shows entities on purpose, so no unescaping here.
    s = _repair(s, unescape=False).replace("\r\n", "\n")
    if _LINES_SPECIAL.search(s):
        s = s.translate(_LINES_TABLE)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    # Line by line: a regex for trailing blanks retries at every blank of a long run.
    return "\n".join(line.rstrip(" \t") for line in s.split("\n")).strip("\n")


def word_count(text: str) -> int:
    """Count words: runs of word characters, plus one per CJK character."""
    ideographs = len(CJK.findall(text))
    if ideographs:
        text = CJK.sub(" ", text)
    return ideographs + len(_WORD.findall(text))


def _repair(s: str, *, unescape: bool) -> str:
    """Decode leftover entities and undo mojibake, only where there are signs of them."""
    if unescape and "&" in s:
        s = html.unescape(s)
    if not s.isascii() and _MOJIBAKE.search(s):
        s = ftfy.fix_text(s, _FTFY)
    return s
