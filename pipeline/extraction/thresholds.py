"""Extraction's tuning thresholds, in one place, grouped by what they measure.

Every number a stage compares a page against (a word count, a share, a margin,
a depth or size bound) is named here, with why it is what it is. Where one idea
comes back with another value (prose, link shares, wrappers, bylines), each use
has a name of its own on purpose: the values were tuned apart and are not to be
aligned by accident. Changing any of them changes records; `bench/same_records.py`
shows which.

Modules import the names (`from pipeline.extraction.thresholds import X`): a
plain module global, as fast in a hot loop as a constant of the module's own.
Not here: regexes, word lists, model files, and the bin edges of the block
model's features (they are the fitted model's, in body/features.py).
"""

from __future__ import annotations

# --- Pages refused before they are parsed (limits.py) ----------------------------------
# Far past any page of the three benchmarks (178 levels, 71 attributes, 15,791
# elements: `python -m bench.limits_check`); limits.py exports them as MAX_*.
PAGE_MAX_DEPTH = 1_000  # elements nested in one another
PAGE_MAX_ATTRIBUTES = 1_000  # on one element
PAGE_MAX_ELEMENTS = 500_000  # in the whole page (half a million table cells: about 10 s)

# --- Decoding (decode.py) ---------------------------------------------------------------
# How far into a page NUL bytes and <meta> are looked for (browsers prescan 1 KB;
# 4 KB also covers heads bloated by inline styles).
SNIFF_BYTES = 4096
# A page is damaged UTF-8, not a legacy charset, when it has at least this many
# valid non-ASCII UTF-8 characters for each broken sequence.
UTF8_VALID_PER_BROKEN = 20
# Bounds the markup-stripping cost of the charset guess; article text starts well before.
STRIP_SAMPLE_BYTES = 1024 * 1024
# A body whose first 4 KB has more than this many binary control bytes (and more
# than one in STRAY_CONTROL_SHARE bytes) is binary or UTF-16; fewer are stray bytes.
STRAY_CONTROLS = 8
STRAY_CONTROL_SHARE = 100

# --- Work bounds against hostile markup -------------------------------------------------
# Below this depth a subtree is scored as flat text: hostile pages nest thousands of
# levels, and no article needs that many (the deepest of 500 benchmark pages is 41).
# It also bounds every recursive walk of the tree (container, segment).
MAX_TREE_DEPTH = 100
# Lists nested deeper are kept as text of their item: no author nests this far,
# and the record, its rendering and its JSON all recurse over the nesting.
MAX_LIST_DEPTH = 12
# JSON-LD nests a few levels; a script nested deeper is refused whole, which
# bounds every recursive reading of it (and the work) by this depth.
JSON_LD_MAX_DEPTH = 64
# No schema.org value needs more digits; a longer integer (Python refuses to
# convert past 4,300 digits) is kept as its digits, so it costs only its field.
MAX_INT_DIGITS = 100
# Hydration payloads: characters of script text worth decoding, JSON values walked
# per payload, levels descended (less than JSON-LD's: a framework's state nests
# deeper than any body it holds), rows of a streamed payload, levels of a
# serialised element tree.
MAX_PAYLOAD_CHARS = 5_000_000
MAX_PAYLOAD_NODES = 200_000
HYDRATION_MAX_DEPTH = 60
STREAM_MAX_ROWS = 10_000
ELEMENT_TREE_MAX_DEPTH = 20
# The HTML spec caps spans at these; browsers clamp larger values the same way.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
# Past this many grid slots, rowspans count as 1: rowspan=0 on every cell of a long
# table would otherwise push each row right of the last and grow the grid quadratically.
MAX_GRID_SLOTS = 250_000
# Element names remembered by the furniture flags (a page reuses a few hundred).
NAME_MEMO_SIZE = 50_000
# An exception's text can hold the whole page: an ExtractorError keeps this much.
ERROR_MESSAGE_CHARS = 500

# --- Elements read per question (metadata) ----------------------------------------------
# A page may carry thousands of matches for a byline, date or section selector;
# the real ones come first.
MAX_SELECTED_NODES = 40
MAX_BYLINE_NODES = 400  # byline candidates (p, span, div, ...) looked at in the region
MAX_HEADLINES = 10  # h1 elements weighed as the headline
HEADER_PIECES = 30  # pieces of text after the headline searched for a byline

# --- Prose: how many words, how little link text ----------------------------------------
# A block rescued into a thin body, or a standfirst, reads as prose: less than this
# share of its text in links (and a rescued one at least RESCUED_PROSE_WORDS words).
PROSE_LINK_SHARE = 0.3
RESCUED_PROSE_WORDS = 25
# A standfirst is a sentence: standfirsts run shorter than body paragraphs.
STANDFIRST_WORDS = 10
# A long paragraph, the anchor of an article's text (block features): this many
# words and less than this share of link text.
LONG_PARAGRAPH_WORDS = 30
LONG_PARAGRAPH_LINK_SHARE = 0.2
# The blocks whose words make the page's common words: shorter than a long
# paragraph, so that a page of short paragraphs still has its function words.
COMMON_WORDS_BLOCK_WORDS = 10
# The page's most frequent words in those blocks: its language's function words.
COMMON_WORDS = 40
# After a furniture section's teasers, a paragraph of this many words with less
# than this share of link text (and a sentence's end) is the article again.
RESUME_WORDS = 20
RESUME_LINK_SHARE = 0.2
# Page type: a paragraph of the body; shorter blocks are captions, labels, teaser lines.
LISTING_PARAGRAPH_WORDS = 15
# Page type: a sentence has several words before its full stop (teasers, labels,
# names do not).
SENTENCE_WORDS = 6
# An inline element with at least this much text around it in its block is inside
# a sentence: its words are the sentence's, whatever its class says.
INLINE_SENTENCE_CHARS = 20

# --- Link shares that make teasers ------------------------------------------------------
# A furniture section's block with this share of its text in links is its teasers.
FURNITURE_TEASER_LINK_SHARE = 0.5
# A heading this much of whose text is a link is a teaser's title (page type).
TEASER_HEADING_LINK_SHARE = 0.6
# A block this much of whose text is a link is a grid card's title (page type).
GRID_TITLE_LINK_SHARE = 0.5

# --- Wrappers: a part that holds most of the page is not furniture ----------------------
# A flagged element holding this share of the page's plain (non-link) text is a
# misnamed wrapper: "content-with-sidebar", WordPress "tag-foo" post classes,
# Blogger's "widget Blog" around the post.
MISNAMED_WRAPPER_SHARE = 0.4
# Hidden markup is spared only when it holds most of the page (the article a script
# will show); the same majority tells a run of text that holds the page.
HIDDEN_ARTICLE_SHARE = 0.5
# A furniture-named element holding this share of the page's text is its layout.
LAYOUT_WRAPPER_SHARE = 0.5
# Page type: a site part (header, form, nav, ...) holding this share of the page's
# words is a wrapper (ASP.NET's page-wide <form>), which shuts no prose out.
SITE_PART_WRAPPER_SHARE = 0.5

# --- Finding the body's container (body/container.py) -----------------------------------
# Link text weighs a little more than plain text: a paragraph may carry a few
# links, a menu is nothing but.
LINK_WEIGHT = 1.5
# Descend into a child that holds this share of its parent's score.
DESCEND_SHARE = 0.9
# An element of this much text is a paragraph; a sibling of this much, a section.
CONTAINER_PARAGRAPH_CHARS = 80
SECTION_CHARS = 200

# --- Regions of blocks (block features and the model's second stage) --------------------
# A region: the nearest ancestor holding this many blocks, among this many ancestors
# (second stage); a wide one holds this share of the page's words.
REGION_BLOCKS = 3
REGION_DEPTH = 12
WIDE_REGION_SHARE = 0.3
# The block's own element names, and its ancestors' (this many), as features.
MAX_NAMED_ANCESTORS = 3
MAX_NAME_TOKEN = 24  # letters in a word of a class or id read as a feature, at most
MAX_CHAIN = 15  # ancestors a block's context records
# Blocks whose first words repeat on the page are a template's: words compared.
REPEATED_PREFIX_WORDS = 3
# Words in a shingle matched against the body the page declares (JSON-LD).
DECLARED_SHINGLE_WORDS = 3

# --- Deciding the body's blocks (body/__init__.py) --------------------------------------
# Blocks this long are never repeated word for word by an author (tables can be).
REPEAT_CHARS = 60
# Ancestors a standfirst shares with the article: more than <body> and <html>.
STANDFIRST_SHARED_ANCESTORS = 3
# A body of fewer words than this is thin: prose scored within RESCUE_MARGIN below
# the threshold is kept with it (and so is a standfirst).
THIN_BODY_WORDS = 30
RESCUE_MARGIN = 1.5
# A hidden block, a quote or an aside this much of whose word trigrams the other
# kept text holds is a copy of it (of at least PULL_QUOTE_GRAMS trigrams: a short
# quote may well repeat a phrase).
COPY_SHARE = 0.6
PULL_QUOTE_GRAMS = 4
# A hidden copy repeats nearly all of the visible text (a print or app variant of
# the article 85% and more, a paywall's flat copy all of it); tabs of the same
# steps for several languages repeat up to three quarters of one another.
HIDDEN_COPY_SHARE = 0.8
# How far above the main run of text the headline may sit for the run to be spared.
HEADLINE_LEVELS = 2
# More links than this in a <header> make it the site's, with its menu.
SITE_HEADER_LINKS = 12

# --- Boilerplate printed as a block (body/boilerplate.py) -------------------------------
BOILERPLATE_LABEL_CHARS = 40  # "Share this", "Related articles": a label, not a sentence
BYLINE_BLOCK_CHARS = 120  # "By Jane Doe ⋅ Editor ⋅ Updated May 6, 2025" (or a views line)
DATELINE_BLOCK_CHARS = 200  # two or three labelled dates
DATELINE_LABEL_WORDS = 3  # "Published", "Last updated on"
CREDIT_BLOCK_WORDS = 20  # a block that starts "Foto:" is a credit only when short
CAPTION_WORDS = 40  # a longer block is text, whatever it ends with

# --- Access: walls and consent pages (access.py) ----------------------------------------
# The blocks after the last kept one that are read for a wall's prompt.
WALL_PROMPT_BLOCKS = 6
# A wall's prompt is short; a paragraph about paywalls is not one.
WALL_PROMPT_WORDS = 60
# A consent page: consent text is this share of the page's block words and of its
# body, and its body is shorter than this (a consent dialog is a few paragraphs).
CONSENT_SHARE = 0.4
CONSENT_BODY_WORDS = 600

# --- The declared body, and bodies too short to be one (analysis.py, __init__.py) -------
# Scholarly full texts run to thousands of words; a "body" this short beside a
# bibliography is a references tab's furniture.
MIN_WORDS_BESIDE_REFERENCES = 100
# The page declares a body (JSON-LD articleBody, a hydration payload) of at least
# DECLARED_MIN_WORDS, and the HTML gave less than DECLARED_SHARE of it: the declared
# one is the body. Hydration payloads are read only below HYDRATION_BELOW_WORDS,
# streamed ones only below STREAM_BELOW_WORDS (a spinner).
DECLARED_MIN_WORDS = 80
DECLARED_SHARE = 0.5
HYDRATION_BELOW_WORDS = 200
STREAM_BELOW_WORDS = 30
# A page with fewer words than this in all its blocks is a stub, not a listing.
STUB_WORDS = 100
# A hydration payload's body: at least this many words in one field or list; a
# list item this long reads as a paragraph.
HYDRATED_BODY_WORDS = 80
HYDRATED_ITEM_WORDS = 8

# --- Page type: teaser cards and listings (pagetype/) -----------------------------------
# Teaser headings: at least this many, holding on average fewer words than this
# (longer items are a listicle's, not a listing's).
MIN_TEASERS = 4
TEASER_CARD_WORDS = 60
# Teaser cards: at least this many repeated siblings, each a linked title of this
# many words and at most this many words in all; in a grid, this share of its children.
MIN_CARDS = 4
CARD_TITLE_WORDS = 3
CARD_MAX_WORDS = 120
CARD_MAJORITY = 0.6
CARD_DEPTH = 8  # a card is at most this many levels above its title link
GRID_LEVELS = 4  # a grid's card is at most this many levels above its blocks
TITLE_LINK_WORDS = 4  # a link of this many words is a title (the linked titles feature)
SLUG_WORDS = 3  # a URL's last segment of this many words is an article's slug
# A declared article with this much prose outside teasers has a full body ...
FULL_BODY_WORDS = 250
# ... and is a listing all the same when this many cards hold this share of its text.
DOMINANT_CARDS = 8
DOMINANT_CARD_SHARE = 0.5
# A listing's rejection names this many pieces of evidence, the strongest first.
EVIDENCE_ITEMS = 3

# --- Confidence (confidence.py) ---------------------------------------------------------
MARGIN_CLIP = 8.0  # block scores far from the line say no more
NEAR_MARGIN = 1.0  # a kept block this close to the line is a near call

# --- Language (language.py) -------------------------------------------------------------
LANGUAGE_SAMPLE_CHARS = 1000  # enough to be sure, and about 0.4 ms a page
LANGUAGE_MIN_CHARS = 200  # less text than this never overrules a declaration
LANGUAGE_SURE = 0.99  # the detector's probability needed to overrule one
LANGUAGE_SURE_ALONE = 0.9  # ... and to name the language of a page that declares none

# --- Tables (tables.py) -----------------------------------------------------------------
LONG_CELL_CHARS = 1500  # a cell this long is a page column, not a datum
# More rows than a month view can have: skip the (costly) weekday-grid check.
CALENDAR_ROWS = 12

# --- Titles and headlines (metadata/titles.py, metadata/__init__.py) --------------------
# A trailing title segment of more words than this is a subtitle, not a site's name.
SUFFIX_WORDS = 5
# A site name matches a segment that starts with its words (or that it starts) from
# this many words on; initials ("BHF") from this many letters.
SITE_PREFIX_WORDS = 2
MIN_INITIALS = 2
# An h1 is the headline when this share of its words is in a declared title ...
H1_SHARED_WORDS = 0.3
# ... and not when it covers less than this share of a declared title's words.
H1_COVERED_WORDS = 0.15
# A label glued before a headline is at most this many words (and the headline more).
TITLE_LABEL_WORDS = 4
# An h1 in a furniture-named wrapper is the headline only when it agrees with a
# declared title better than this (a share of their words): a section banner's
# "SUPPORTING GAAP COMPLIANCE" shares two words with the title.
FURNITURE_H1_AGREEMENT = 0.3

# --- Sections and tags (metadata/__init__.py) -------------------------------------------
# Category and tag selectors also match WordPress post classes on the whole post:
# a match counts only when the element itself is this small.
SMALL_SECTION_CHARS = 80
SMALL_TAG_LIST_CHARS = 1000
# A tag longer than this is a sentence, not a tag.
TAG_CHARS = 60
TAG_WORDS = 6

# --- Bylines and people (metadata/byline.py, metadata/people.py) ------------------------
# A byline line read as metadata (a piece next to the date: half of it).
BYLINE_LINE_CHARS = 80
# Other people's bylines in the region beyond which it is a listing's, not an article's;
# a byline this many levels below a linked heading sits in a teaser.
TEASER_BYLINES = 2
TEASER_BYLINE_DEPTH = 4
# A person's name: at most this many characters and words; a credit's, this many words.
PERSON_CHARS = 60
PERSON_WORDS = 6
CREDIT_WORDS = 6

# --- Dates (metadata/dates.py, metadata/published.py, metadata/header.py) ---------------
# Years a page's date may fall in.
MIN_YEAR = 1990
MAX_YEAR = 2100
# Longer strings are paragraphs, not dates; searching them is the caller's call.
DATE_TEXT_CHARS = 200
# dateparser on a whole string only when it is this short: a free-form date,
# not a sentence (guessing the language of a sentence takes seconds).
LOOSE_DATE_CHARS = 48
# A date's element (or its parent) of at most this much text is searched for an
# "Updated" label; a longer one is a paragraph that merely mentions updates.
UPDATE_LABEL_CHARS = 160
# The text of a headline's block read for a date.
HEADLINE_TEXT_CHARS = 400
# A shown date this many days from the declared one is the same date in another zone.
ZONE_DAYS = 1
# More days than this shown across a page: a listing's teasers, not one article.
MAX_PAGE_DAYS = 2
# Text read after the headline: a byline, a dateline, a reading time, a standfirst.
HEADER_AFTER_CHARS = 700
# Text read before it: a kicker or a category line with the date.
HEADER_BEFORE_CHARS = 120
# A block this long is the body's first paragraph: the header has ended.
HEADER_PARAGRAPH_CHARS = 160
# The text before a date read as its label ("Published on").
HEADER_LABEL_CHARS = 40

# --- References (references/) -----------------------------------------------------------
# Explicit markup already says "bibliography": half the items suffice; after a bare
# heading, most items must look like references; at least this many of them.
REFERENCES_EXPLICIT_SHARE = 0.5
REFERENCES_HEADED_SHARE = 0.6
MIN_REFERENCES = 3
# Spaces, commas and bars between two trailing service labels, and labels stripped
# from the end of a reference, at most (bounds that keep the pattern linear).
LABEL_SEPARATOR_RUN = 12
TRAILING_LABELS = 8
