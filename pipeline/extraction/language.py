"""Language stage: the declared language checked against the text.

Pages declare a language (`<html lang>`, `og:locale`, JSON-LD `inLanguage`)
once per site template, so a German article on a site whose template says
`lang="en"` is declared English. The text is what the article is in: when a
detector (py3langid, langid.py's model, bundled and deterministic) is sure of
another language on enough text, the text's language wins; with too little
text, or an unsure detector, the declaration stands. Languages the detector
tells apart poorly (Norwegian and Danish, Serbian, Croatian and Bosnian,
Malay and Indonesian) never overrule a declaration of their neighbour.
`language` stays ISO 639-1.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pipeline.extraction import native
from pipeline.extraction.thresholds import (
    LANGUAGE_MIN_CHARS,
    LANGUAGE_SAMPLE_CHARS,
    LANGUAGE_SURE,
    LANGUAGE_SURE_ALONE,
)

_NEIGHBOURS = ({"no", "nb", "nn", "da"}, {"sr", "hr", "bs"}, {"ms", "id"})


@cache
def _identifier() -> Any:
    # Loaded once per process (half a second): workers load it before forking.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    native.use_in_py3langid()  # its byte-by-byte walk, in C when the module is built
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def preload() -> None:
    """Load the model and check the native walks now (worker processes do, before
    they fork, so that no page pays for it)."""
    _identifier()
    native.available()
    detect("a sample long enough to be classified " * 10)


def detect(text: str) -> tuple[str, float] | None:
    """The text's language and the detector's probability, or None for too little text."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.strip()) < LANGUAGE_MIN_CHARS:
        return None
    language, probability = _identifier().classify(sample)
    return str(language), float(probability)


def decide(declared: str | None, text: str) -> str | None:
    """The record's language: the declared one unless the text clearly says otherwise."""
    found = detect(text)
    if found is None:
        return declared
    detected, probability = found
    if declared is None:
        return detected if probability >= LANGUAGE_SURE_ALONE else None
    if detected == declared or probability < LANGUAGE_SURE or _neighbours(declared, detected):
        return declared
    return detected


def _neighbours(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _NEIGHBOURS)
