"""Page-type stage: is this page one article, or an index of many?

A listing (home page, category, tag, search, archive, shop collection) must
never become an "article". No single signal tells: listicles have teasers,
shops declare Product pages, blogs put post dates on their index. So the
decision is a linear score over general signals of the whole page, each
measured the same way on every site:

    what the page declares   article schema type, og:type article, a listing
                             schema type or WordPress archive body class
    what it says of itself   a publication date, an author, a slug-like URL
                             (several words), a query string, pagination
    what it shows            body words, paragraph words and count, link share
                             of the cleaned page, linked images, prices, linked
                             titles; teaser cards (repeated siblings of one
                             shape, each a linked title and a short blurb), the
                             share of the page's text they hold, and the prose
                             outside them

The weights are a logistic regression fitted on the WCXB development split by
`bench/fit_pagetype.py` (which calls `features()`, so training and use
measure the same things); that script prints the rates, cross-validated by
site, that the threshold was chosen from. A page whose score is above the
threshold is a listing, unless it declares an article in JSON-LD or microdata
and has a full body, and teaser cards do not dominate it: the score may weigh
URL shape and link share, but those never overrule a declared, full article.
The rejection names, in words, the evidence that pushed the score up.

The stage's modules, in the order a page meets them:

    signals.py    what the intact page shows, read before the clean stage: teaser
                  cards, the prose outside them, pagination, prices
    measure.py    the page's features, in the order of FEATURES
    scoring.py    the fitted logistic model, and the page's score
    decision.py   article or listing, and the evidence that made a listing
"""

from __future__ import annotations

from pipeline.extraction.pagetype.decision import PageType, classify, protected
from pipeline.extraction.pagetype.measure import (
    FEATURES,
    declares_article,
    declares_schema_article,
    features,
)
from pipeline.extraction.pagetype.scoring import Model, from_json, model, to_json
from pipeline.extraction.pagetype.signals import PageSignals, page_signals, teaser_cards

__all__ = [
    "FEATURES",
    "Model",
    "PageSignals",
    "PageType",
    "classify",
    "declares_article",
    "declares_schema_article",
    "features",
    "from_json",
    "model",
    "page_signals",
    "protected",
    "teaser_cards",
    "to_json",
]
