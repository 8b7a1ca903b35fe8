"""Access: does the reader get the whole article, and is the page one at all?

Each record says `access`:

    paywalled   the page declares `isAccessibleForFree: false` (JSON-LD or
                microdata, on the article or one of its parts), or the body
                stops where a subscription wall's prompt begins ("Subscribe to
                continue reading", "Réservé aux abonnés") among the blocks just
                after the last one kept
    free        the page declares itself free, or shows no sign of a wall
    unknown     a wall's prompt elsewhere on the page, the body not cut by it
                (metered sites, a wall a script may raise)

A consent interstitial (a cookie or consent page shown in place of the
article) is no article: when the page declares no article, would give a short
body, offers a button to accept, and consent text is most of what it says and of
that body, extraction refuses it with the reason `consent_wall`.

The prompts are matched in English, German, French, Spanish, Italian,
Portuguese and Dutch; a page in another language relies on its declaration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.extraction.body import Decision
from pipeline.extraction.thresholds import (
    CONSENT_BODY_WORDS,
    CONSENT_SHARE,
    WALL_PROMPT_BLOCKS,
    WALL_PROMPT_WORDS,
)

FREE, PAYWALLED, UNKNOWN = "free", "paywalled", "unknown"


_WALL = re.compile(
    r"""
    subscribe\ (?:now\ )?to\ (?:continue|keep)\ reading
    | (?:to\ )?(?:continue|keep)\ reading,?\ (?:please\ )?
      (?:subscribe|log\ ?in|sign\ (?:in|up)|register)
    | (?:this|the)\ (?:full\ )?(?:article|story|content)\ is\ (?:only\ )?
      (?:available|reserved|exclusive)\ (?:to|for)\ (?:paying\ |premium\ )?(?:subscribers|members)
    | (?:for|to)\ (?:subscribers|members)\ only | subscribers?[-\ ]only\ (?:article|content|story)
    | already\ a\ (?:subscriber|member)\?
    | (?:become|you\ must\ be)\ a\ (?:subscriber|member)\ to\ (?:read|continue|access|unlock)
    | unlock\ (?:this|the\ full)\ (?:article|story)
    | you(?:'|’)ve\ (?:reached|used)\ (?:your|all\ (?:of\ )?your)\ (?:free\ )?(?:article\ )?limit
    | weiterlesen\ mit | nur\ f(?:ü|ue)r\ abonnenten | artikel\ freischalten
    | (?:jetzt\ )?abonnieren\ und\ weiterlesen | sie\ haben\ bereits\ ein\ abo
    | r(?:é|e)serv(?:é|e)\ aux\ abonn(?:é|e)s | abonnez-vous\ pour\ (?:lire|continuer)
    | (?:contenido\ )?exclusivo\ para\ (?:suscriptores|abonados)
    | suscr(?:í|i)bete\ para\ (?:seguir|continuar)\ leyendo
    | riservato\ agli\ abbonati | abbonati\ per\ continuare\ a\ leggere
    | exclusivo\ para\ assinantes | assine\ para\ continuar\ lendo
    | alleen\ voor\ abonnees | lees\ verder\ met
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Consent banners' own words (a recipe for cookies is not one: "cookies" alone is not).
_CONSENT = re.compile(
    r"""
    \bconsent\b | \baccept\ all\b | \breject\ all\b | \bprivacy\ (?:settings|choices)\b
    | \bmanage\ (?:your\ )?(?:preferences|choices|options|settings)\b
    | \bwe\ (?:and\ our\ partners\ )?use\ cookies\b | \bcookie\ (?:policy|settings|preferences)\b
    | \b(?:store|access)\ (?:and/or\ access\ )?information\ on\ (?:a|your)\ device\b
    | \beinwilligung | \bzustimmen\b | \balle\ akzeptieren\b | \bdatenschutzeinstellungen\b
    | \bconsentement\b | \btout\ accepter\b | \bconsentimiento\b | \baceptar\ todo\b
    | \bconsenso\b | \baccetta\ tutt | \btoestemming\b | \balles\ accepteren\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


# The button that lets the reader through.
_ACCEPT = re.compile(
    r"""
    \b(?:accept|agree\ to)\ all\b | \bi\ (?:accept|agree)\b | \balle\ akzeptieren\b
    | \bakzeptieren\ und\ weiter | \btout\ accepter\b | \baceptar\ todo\b
    | \baccetta\ tutt | \balles\ accepteren\b | \baceitar\ tudo\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def is_wall_prompt(text: str) -> bool:
    """A subscription wall's prompt ("Subscribe to continue reading")."""
    return len(text.split()) <= WALL_PROMPT_WORDS and _WALL.search(text) is not None


def access(declared_free: bool | None, decisions: Sequence[Decision]) -> str:
    """The record's `access` (see the module docstring)."""
    if declared_free is False:
        return PAYWALLED
    kept = [n for n, d in enumerate(decisions) if d.kept]
    if kept:
        after = decisions[kept[-1] + 1 : kept[-1] + 1 + WALL_PROMPT_BLOCKS]
        if any(not d.kept and is_wall_prompt(d.candidate.text) for d in after):
            return PAYWALLED
    if declared_free is True:
        return FREE
    if any(not d.kept and is_wall_prompt(d.candidate.text) for d in decisions):
        return UNKNOWN
    return FREE


def consent_wall(decisions: Sequence[Decision], declared_article: bool, html: str) -> bool:
    """The page is a consent interstitial: it declares no article, consent text is
    most of what its blocks say and of the body it would give, and it offers to
    accept ("Accept all", "Alle akzeptieren": a button, read in the page's `html`
    since buttons are no text block). An article about cookie law declares itself,
    or has no button to accept."""
    if declared_article:
        return False
    kept = [d for d in decisions if d.kept]
    if sum(d.candidate.words for d in kept) >= CONSENT_BODY_WORDS:
        return False  # a full body: whatever its banner says, the article is there
    if _share(kept) < CONSENT_SHARE or _share(decisions) < CONSENT_SHARE:
        return False
    return _ACCEPT.search(html) is not None


def _share(decisions: Sequence[Decision]) -> float:
    """Of the blocks' words, the share in blocks that speak of consent."""
    total = consent = 0
    for d in decisions:
        words = d.candidate.words
        total += words
        if _CONSENT.search(d.candidate.text):
            consent += words
    return consent / total if total else 0.0
