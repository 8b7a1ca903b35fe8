"""Text signals for furniture that has no telling class name.

Used on one block's text at a time (never on the whole page): a disclaimer
inside the post div, an "ADVERTISEMENT" label, a "Read more" teaser, the
"Related posts" heading of a widget the clean pass could not name.
"""

from __future__ import annotations

import re

from pipeline.extraction.metadata.dates import DATE_SHAPE
from pipeline.extraction.thresholds import (
    BOILERPLATE_LABEL_CHARS,
    BYLINE_BLOCK_CHARS,
    CAPTION_WORDS,
    CREDIT_BLOCK_WORDS,
    DATELINE_BLOCK_CHARS,
    DATELINE_LABEL_WORDS,
)

# Block texts that start like this are furniture, whatever their length.
_STARTS = re.compile(
    r"""^(?:
        advertisement|advertisements|advertising|sponsored\ content|story\ continues\ below
      | denial\ of\ responsibility|disclaimer\b|the\ views\ (?:and\ opinions\ )?expressed
      | this\ (?:web)?site\ uses\ cookies|we\ use\ cookies|by\ continuing\ to\ (?:use|browse)
      | copyright\ ©|©|\(c\)\ \d{4}|all\ rights\ reserved
      | share\ (?:this|on)\b|follow\ us\b|like\ this:|click\ to\ share
      | (?:read|see)\ (?:more|also|next)\b|also\ read\b|related:|recommended:|continue\ reading
      | previous\ (?:post|article)|next\ (?:post|article)
      | tags?:|topics?:|filed\ under\b|posted\ in\b|categories:
      | a\ version\ of\ this\ (?:article|story)\ appear
      | (?:live\s*)?(?:updated|posted)\ \d+\ (?:seconds?|minutes?|mins?|hours?|hrs?|days?)\ ago
      | leave\ a\ (?:comment|reply)|sign\ up\ for|subscribe\ to\ (?:our|the)\ newsletter
      | you\ (?:may|might)\ also\ (?:like|enjoy)|more\ from\ (?:our|the)\b
      | (?:article|story)\ continues\ below|\d+\ min(?:ute)?s?\ read\b
      | join\ (?:our|the)\ (?:\w+\ )?(?:newsletter|mailing\ list|community)
      | subscribe\ to\ (?:our|the)\b|get\ (?:our|the)\ (?:free\ )?newsletter
      | this\ field\ is\ (?:for\ validation|hidden)
      | реклама|читайте\ также|поделиться|広告|関連記事|シェア
    )""",
    re.I | re.X,
)

# "Read also" pointers (de, fr, es, pt, it, pl, nl): a teaser's title follows, not
# an article's sentence. They drop their own block only: what follows may be the
# article again, so they open no furniture section.
_POINTERS = re.compile(
    r"""^[\W_]*+(?:
        lesen\ sie\ (?:auch|hier|mehr)\b|lies\ auch\b|auch\ (?:interessant|lesen)\b
      | (?:das|dies)\ könnte\ (?:sie|dich|euch)\ (?:auch\ )?interessieren|mehr\ zum\ thema\b
      | (?:zum\ )?weiterlesen\s*(?:[:»›]|$)|schon\ gelesen\b|passend\ (?:dazu|zum\ thema)\s*:
      | (?:à\ )?(?:lire|voir)\ aussi\b|sur\ le\ même\ sujet\b
      | (?:lea|lee)\ (?:también|además|más)\s*:|(?:también\ )?(?:le|te)\ puede\ interesar\b
      | (?:puedes|pueden)\ ver\s*:|vea\ (?:también|además)\b|mira\s*:|noticias\ relacionadas\b
      | (?:veja|leia)\ (?:também|mais)\s*:|saiba\ mais\s*:|leggi\ anche\b
      | (?:czytaj|zobacz|przeczytaj)\ (?:też|także|również)\b|lees\ (?:ook|meer)\s*:
    )""",
    re.I | re.X,
)

# Prompts to the reader that are no article's sentence (de, es, fr, en): subscribe,
# register, donate, rate or share the article; advertising and affiliate disclosures.
_PROMPTS = re.compile(
    r"""^[\W_]*+(?:
        jetzt\ (?:\w+\ ){0,3}(?:newsletter|registrieren|anmelden|abonnieren|spenden)
      | (?:\w+\ )?newsletter\ (?:abonnieren|bestellen)|jede\ (?:kleine\ )?spende\b
      | unterstütze\ (?:uns|unsere?n?)\b|unterstützen\ sie\ (?:uns|unsere?n?)\b
      | (?:\(?noch\ )?keine\ bewertungen|(?:war|ist)\ (?:der|dieser)\ (?:artikel|beitrag)
        \ (?:nützlich|hilfreich)|(?:artikel|beitrag)\ bewerten\b
      | (?:möchten\ sie|willst\ du)\ (?:den|diesen)\ (?:artikel|beitrag)\ teilen
      | like\ it\?\ share\ it|alle\ angaben\ ohne\ gewähr
      | (?:werbung|anzeige)\s*[.:\-–|]|dieser\ (?:beitrag|artikel)\ enthält\ (?:werbung|affiliate)
      | follow\ (?:\w+\ ){1,3}on\ (?:twitter|facebook|instagram)
      | (?:síguenos|suscríbete|únete)\b|hazte\ (?:miembro|socio)\b
      # English: newsletter and sign-up prompts, paywall and funding notes, affiliate
      # disclosures, sponsor slots, "pin it", "rate the recipe".
      | (?:sign\ up|subscribe)\ (?:now|today|for\ (?:free|our|the)|to\ (?:our|the|get|receive))\b
      | want\ more\b.{0,60}\?\s*(?:sign\ up|subscribe)
      | .{0,80}\bdelivered\ (?:straight\ |right\ )?to\ your\ inbox
      | pin\ (?:this|it)\b.{0,20}\blater|pin\ for\ later|help\ (?:me|us)\ spread\ the\ word
      | get\ (?:a|your|the|our)\ free\ (?:quote|trial|consultation|e-?book|guide|demo|estimate)
      | did\ you\ (?:make|try)\ (?:this|one\ of\ (?:my|our))\ recipes?
      | (?:(?:editorial\ )?note|disclosure)\s*:.{0,80}\baffiliate\ links|as\ an\ amazon\ associate
      | (?:this|our|some|the)\ (?:\w+\ ){0,3}(?:may\ )?(?:contains?|uses?)\ affiliate\ links
      | this\ (?:article|story|content)\ is\ (?:exclusive\ to|only\ (?:available\ )?for)
        \ .{0,30}(?:subscribers|members)
      | this\ (?:story|article|journalism)\ (?:is|was)\ (?:funded|made\ possible)
        \ by\ (?:readers|donors|members)
      | sponsor\ this\ (?:newsletter|podcast|site|blog)|(?:advertisement|sponsored)\s*:
      | .{0,80}\((?:sponsored|advertisement)\)$
    )""",
    re.I | re.X,
)

# Short blocks that are exactly one of these are labels, not text.
_LABELS = frozenset(
    (
        "advertisement",
        "ad",
        "ads",
        "sponsored",
        "toggle",
        "loading",
        "share",
        "tweet",
        "email",
        "print",
        "comments",
        "comment",
        "reply",
        "menu",
        "search",
        "close",
        "more",
        "skip to content",
        "back to top",
        "read more",
        "read more details",
        "view all result",
        "no result",
        "show more",
        "load more",
        "see more",
        "topics",
        "live",
        "select month",
        "select category",
        "home",
        "log in",
        "login",
        "sign in",
        "sign up",
        "register",
        "subscribe",
        "contact us",
        "copyright",
        "privacy policy",
        "terms of use",
        "terms of service",
    )
)

_HEADINGS = re.compile(
    r"""^(?:
        related(?:\ (?:posts|articles|stories|news|content))?|you\ (?:may|might)\ also\ like
      | more\ (?:from|stories|news|on)\b.*|recommended(?:\ for\ you)?|most\ (?:popular|read|viewed)
      | popular\ posts|recent\ posts|trending(?:\ now)?|latest\ (?:news|posts|stories)
      | comments?|\d+\ comments?|leave\ a\ (?:reply|comment)|share(?:\ this)?(?:\ article)?
      | tags|categories|archives|table\ of\ contents|contents|about\ the\ author
      | newsletters?|sign\ up.*|subscribe.*|follow\ us.*|read\ (?:more|next)
      | contact\ us|request\ a\ (?:quote|demo)|get\ in\ touch|stay\ connected.*
      | related\ (?:reads|reading|links|resources)|recently\ by\ .*|join\ our\ .*
      | читайте\ также|похожие\ новости|関連記事|アクセスランキング
      # Widget headings of other languages (de, fr, es, pt, it, pl, nl).
      | mehr\ zum\ thema.*|(?:das|dies)\ könnte\ (?:sie|dich|euch)\ (?:auch\ )?interessieren!?
      | (?:ähnliche|verwandte|weitere|empfohlene|passende)\ (?:beiträge|artikel|themen|news)\b.*
      | (?:die\ )?meistgelesenen?(?:\ .*)?|empfehlungen\ aus\ der\ redaktion|mehr\ themen
      | (?:\d+\ |keine\ )?kommentare|(?:diesen\ )?(?:artikel|beitrag)\ teilen
      | weiterführende\ (?:informationen|links)|weitere\ (?:informationen|infos|links)(?:\ .*)?
      | zusatzinformationen|(?:noch\ )?mehr\ infos(?:\ für\ (?:dich|sie|euch))?
      | kontakt|über\ (?:den|die)\ autor(?:in|en|innen)?|sobre\ el\ autor|à\ propos\ de\ l'auteur
      | sur\ le\ même\ sujet|articles?\ (?:similaires|liés|associés)
      | les\ plus\ lus|dans\ la\ même\ rubrique|(?:\d+\ )?commentaires?
      | noticias\ relacionadas|(?:también\ )?(?:te|le)\ puede\ interesar|lo\ más\ (?:leído|visto)
      | notícias\ relacionadas|articoli\ correlati|(?:ti\ )?potrebbe\ interessar(?:ti|e)
      | podobne\ artykuły|gerelateerde\ artikelen
    )[:.!]?$""",
    re.I | re.X,
)


# Markup that a saved page escaped into text ("&lt;img src=...&gt;").
_MARKUP = re.compile(r"^<[a-zA-Z!/][^<>]*>$")


# A byline printed as a block: "By Jane Doe ⋅ Editor ⋅ Updated May 6, 2025".
_BYLINE = re.compile(
    r"^(?i:by|written\s+by|posted\s+by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"\s*(?:$|[⋅|•·–—]|\s(?i:on|updated|published)\b)"
)
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")  # every date shape has one: most blocks are let go at once

# A picture's caption or credit printed as a block: "Foto: dpa", "Titelbild: ...",
# "Marco Odermatt in Beaver Creek. © AFP / Marco Bertorello", "... (Credit: iStock)".
# The credit ends the block (after a sentence or in brackets), or starts a short one.
_CREDIT = (
    r"(?:fotos?|photos?|bild(?:er)?|images?|credits?|crédits?(?:\ photos?)?|pictures?"
    r"|symbolbild|titelbild|beitragsbild|bildquelle|foto\ ?credits?|image\ credits?)"
)
_CREDIT_STARTS = re.compile(rf"^[(\[]?{_CREDIT}\s*:", re.I)
_CREDIT_ENDS = re.compile(
    rf"(?:^|[.!?]\s+|[(\[|]\s*)(?:©|\(c\)|{_CREDIT}\s*:)\s*[^.!?:;]{{1,60}}[)\]]?$", re.I
)
# A figure's caption: "Abbildung 4: ...", "Fig. 2: ...".
_FIGURE_STARTS = re.compile(r"^(?:abbildung|abb\.|figure|fig\.)\s*\d*[a-z]?\s*:", re.I)
# A meta line ending in a view counter: "Society | Jane Roe | 19 Oct 2025 | Views: 1 248".
_VIEWS = re.compile(
    r"(?:^|[|•·⋅]\s*)(?:views|просмотров|aufrufe|vues|visualizaciones|visitas)\s*:\s*[\d\s.,]+$",
    re.I,
)


def is_boilerplate_text(text: str) -> bool:
    """True for a block whose text is page furniture."""
    if _STARTS.match(text) or _MARKUP.match(text):
        return True
    if len(text) <= BYLINE_BLOCK_CHARS and _BYLINE.match(text):
        return True
    return len(text) <= BOILERPLATE_LABEL_CHARS and text.casefold().strip(" .:!-–—|") in _LABELS


def is_dateline(text: str) -> bool:
    """True for a short block of nothing but dates, each with a label of a word or
    three ("Published Oct. 18, 2025, 6:00 a.m. ET" / "Updated ..."): the page's
    dateline, which the record holds as dates, not the article."""
    if len(text) > DATELINE_BLOCK_CHARS or not _DIGIT.search(text):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        rest, found = DATE_SHAPE.subn(" ", line)
        if not found or len(_LETTER_WORD.findall(rest)) > DATELINE_LABEL_WORDS:
            return False
    return bool(lines)


def is_view_count(text: str) -> bool:
    """True for a meta line that ends in the page's view counter."""
    return len(text) <= BYLINE_BLOCK_CHARS and _VIEWS.search(text.strip()) is not None


def is_pointer(text: str) -> bool:
    """True for a "read also" line of another language ("Lesen Sie auch: ...")."""
    return _POINTERS.match(text) is not None


def is_prompt(text: str) -> bool:
    """True for a prompt to subscribe, donate, rate or share, or an ad disclosure."""
    return _PROMPTS.match(text) is not None


def is_credit(text: str) -> bool:
    """True for a picture's credit, a caption ending in one, or a figure's caption."""
    words = len(text.split())
    if words <= CREDIT_BLOCK_WORDS and _CREDIT_STARTS.match(text):
        return True
    if words > CAPTION_WORDS:
        return False
    return _FIGURE_STARTS.match(text) is not None or _CREDIT_ENDS.search(text.strip()) is not None


def is_boilerplate_heading(text: str) -> bool:
    """True for the heading of a widget: "Related Posts", "Leave a Reply", ..."""
    return len(text) <= 60 and _HEADINGS.match(text.strip()) is not None
