from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction import body
from pipeline.extraction.body import blockmodel, clean, container
from pipeline.extraction.body.features import PageEvidence
from pipeline.extraction.body.segment import Candidate, segment
from pipeline.extraction.pageindex import PageIndex
from pipeline.record import Heading, ListBlock, Paragraph, TableRef
from tests.pages import PARAGRAPHS, article_page


def blocks_of(html: str, title: str | None = "River floods valley") -> body.Body:
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    return body.build(index, 0, title).body


def test_paragraphs_in_order_title_not_repeated() -> None:
    built = blocks_of(article_page())
    assert [b.text for b in built.blocks if isinstance(b, Paragraph)] == PARAGRAPHS
    assert not any(isinstance(b, Heading) for b in built.blocks)


def test_headings_lists_and_nesting() -> None:
    extra = (
        "<h2>What comes next</h2><ol><li>Clean-up of the <b>roads</b>"
        "<ul><li>main road first</li><li>then side roads</li></ul></li>"
        "<li>Compensation claims</li></ol>"
    )
    built = blocks_of(article_page(extra))
    assert Heading(2, "What comes next") in built.blocks
    lists = [b for b in built.blocks if isinstance(b, ListBlock)]
    assert len(lists) == 1 and lists[0].ordered
    first = lists[0].items[0]
    assert first.text == "Clean-up of the roads"
    assert [i.text for i in first.children[0].items] == ["main road first", "then side roads"]


def test_data_table_kept_calendar_dropped() -> None:
    table = (
        "<table><thead><tr><th>Village</th><th>Homes</th></tr></thead>"
        "<tbody><tr><td>Upper</td><td>40</td></tr><tr><td>Lower</td><td>12</td></tr></tbody></table>"
    )
    calendar = (
        "<table id='wp-calendar'><caption>February 2026</caption><thead><tr><th>M</th><th>T</th>"
        "<th>W</th><th>T</th><th>F</th><th>S</th><th>S</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>7</td></tr>"
        "</tbody></table>"
    )
    built = blocks_of(article_page(table + calendar))
    assert TableRef(0) in built.blocks
    assert len(built.tables) == 1
    assert built.tables[0].header == ("Village", "Homes")
    assert built.tables[0].rows == (("Upper", "40"), ("Lower", "12"))


def test_text_furniture_inside_the_post_is_dropped() -> None:
    extra = (
        "<p>ADVERTISEMENT</p><p>Denial of responsibility! This site is an automatic aggregator"
        " of the world's media.</p><p>Read more: <a href='/z'>Another story</a></p>"
        "<ul><li><a href='#a'>Part one</a></li><li><a href='#b'>Part two</a></li></ul>"
    )
    built = blocks_of(article_page(extra))
    texts = " ".join(getattr(b, "text", "") for b in built.blocks)
    for junk in ("ADVERTISEMENT", "Denial", "Read more", "Part one"):
        assert junk not in texts


def test_credit_and_pointer_dropped_their_neighbours_kept() -> None:
    extra = (
        "<p>Der Fluss stieg in der Nacht um drei Meter, zwei Dörfer wurden geräumt und die"
        " Hauptstraße blieb bis zum Mittag gesperrt.</p>"
        "<p>Das Hochwasser am Morgen über den Feldern. © AFP / Jane Roe</p>"
        "<p>Lesen Sie auch: <a href='/z'>Die Flut des vergangenen Jahres</a></p>"
        "<p>Die Behörden sagten, der Damm habe gehalten, doch für das Wochenende werde"
        " weiterer Regen erwartet.</p>"
    )
    built = blocks_of(article_page(extra))
    texts = [getattr(b, "text", "") for b in built.blocks]
    assert not any("AFP" in t or "Lesen Sie" in t for t in texts)
    assert texts[-1].startswith("Die Behörden sagten")
    assert any(t.startswith("Der Fluss stieg") for t in texts)


def test_loose_text_with_breaks_becomes_paragraphs() -> None:
    html = "<body><div>" + "<br><br>".join(PARAGRAPHS) + "</div></body>"
    built = blocks_of(html, None)
    assert [b.text for b in built.blocks if isinstance(b, Paragraph)] == PARAGRAPHS


def test_furniture_section_is_skipped_to_its_end() -> None:
    extra = (
        "<div class='x1'><h2>Related Posts</h2><h3>Another flood story</h3>"
        "<p>A teaser paragraph about some other story that must not appear here.</p></div>"
        "<p>The last paragraph of the article comes after the widget and is kept.</p>"
    )
    built = blocks_of(article_page(extra))
    texts = [getattr(b, "text", "") for b in built.blocks]
    assert "Another flood story" not in texts
    assert not any("teaser paragraph" in t for t in texts)
    assert texts[-1] == "The last paragraph of the article comes after the widget and is kept."


def test_furniture_section_ends_where_prose_follows_its_links() -> None:
    # A mid-article "More on this:" box: a label, teaser links, then the article again.
    resumed = (
        "The minister said on Tuesday that the new dam would be finished before the"
        " next rainy season, and that the villages below it would be rebuilt."
    )
    extra = (
        "<p>More on this story:</p>"
        "<p><a href='/a'>Floods hit the north again after a week of rain</a></p>"
        "<p><a href='/b'>What the new warning levels mean for you</a></p>"
        f"<p>{resumed}</p>"
    )
    texts = [getattr(b, "text", "") for b in blocks_of(article_page(extra)).blocks]
    assert "Floods hit the north again after a week of rain" not in texts
    assert texts[-1] == resumed


def test_furniture_section_of_prose_goes_on() -> None:
    # "About the author" holds prose from its start: no teaser links, so no resumption.
    extra = (
        "<h2>About the author</h2>"
        "<p>Jane Doe has covered the valley for the Daily Test for twenty years and"
        " writes about farming, water and the weather in the region.</p>"
    )
    texts = [getattr(b, "text", "") for b in blocks_of(article_page(extra)).blocks]
    assert not any(t.startswith("Jane Doe has covered") for t in texts)


def test_ruby_readings_are_not_text() -> None:
    html = (
        "<body><article><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの"
        "<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくすための法律ができました。</p></article></body>"
    )
    texts = [getattr(b, "text", "") for b in blocks_of(html, None).blocks]
    assert texts == ["子どもへの虐待をなくすための法律ができました。"]


def test_english_prompts_and_disclosures_inside_the_post_are_dropped() -> None:
    extra = (
        "<p>Disclosure: This post contains affiliate links. If you buy through them, we may"
        " earn a small commission at no extra cost to you.</p>"
        "<h2>Pin this for later!</h2>"
        "<p>Want more from Daily Test? Sign up for our newsletter, The Flood Brief, and stay"
        " informed.</p>"
        "<p>The last paragraph of the article comes after the prompts and is kept.</p>"
    )
    built = blocks_of(article_page(extra))
    texts = [getattr(b, "text", "") for b in built.blocks]
    assert not any("affiliate" in t or "Pin this" in t or "Sign up" in t for t in texts)
    assert texts[-1] == "The last paragraph of the article comes after the prompts and is kept."


def test_thin_body_takes_prose_scored_just_below_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = LexborHTMLParser(article_page())
    assert tree.body is not None
    index = PageIndex(tree.body)
    root = clean.clean(tree.body, index)
    flags = clean.flag(root, index)
    holder = container.find_container(index, 0, flags.furniture)
    candidates = segment(index, 0, flags, holder, None)
    prose = [i for i, c in enumerate(candidates) if c.text in PARAGRAPHS]
    threshold = blockmodel.model().threshold

    def scores(rows: object, chains: object, ruled: list[bool], fitted: object) -> object:
        # Every block far below the line but the first paragraph (just below it)
        # and one scrap of a few words (above it).
        found = [threshold - 5.0] * len(candidates)
        found[prose[0]] = threshold - 1.0
        scrap = next(i for i, c in enumerate(candidates) if not ruled[i] and i not in prose)
        found[scrap] = threshold + 1.0
        return found, [() for _ in candidates]

    monkeypatch.setattr(blockmodel, "score_blocks", scores)
    decisions = body.decide(candidates, PageEvidence())
    kept = [d.candidate.text for d in decisions if d.kept]
    assert PARAGRAPHS[0] in kept and PARAGRAPHS[1] not in kept
    assert [d.reason for d in decisions if d.candidate.text == PARAGRAPHS[0]] == ["rescued"]


def test_a_line_break_inside_a_block_separates_its_words() -> None:
    """`<br>` is a line break a reader sees: "Doe<br>Main Street" is two words."""
    extra = (
        "<p>Jane Doe<br>Main Street 5<br>Springfield</p>"
        "<blockquote>First line of the quote<br>second line</blockquote>"
        "<pre>a = 1<br>b = 2</pre>"
    )
    texts = [getattr(b, "text", "") for b in blocks_of(article_page(extra)).blocks]
    assert "Jane Doe Main Street 5 Springfield" in texts
    assert "First line of the quote second line" in texts
    assert "a = 1\nb = 2" in texts


def test_a_pull_quote_that_repeats_the_body_is_not_kept_twice() -> None:
    sentence = PARAGRAPHS[1].split(", but")[0]  # "Officials said the dam upstream had held"
    unique = "We have never seen the water come up this fast, one farmer told reporters."
    extra = (
        f"<blockquote class='pullquote'>{sentence}</blockquote>"
        f"<aside class='pull'><p>{PARAGRAPHS[2]}</p></aside>"
        f"<blockquote>{unique}</blockquote>"
    )
    texts = [getattr(b, "text", "") for b in blocks_of(article_page(extra)).blocks]
    assert texts.count(PARAGRAPHS[2]) == 1
    assert sentence not in texts
    assert unique in texts  # a quote of its own is the article's


def test_a_hidden_copy_of_the_article_is_not_kept_twice() -> None:
    copy = "<div hidden><p>" + " ".join(PARAGRAPHS) + "</p></div>"
    text = "\n\n".join(
        getattr(b, "text", "") for b in blocks_of(article_page(extra_body=copy)).blocks
    )
    assert all(text.count(p) == 1 for p in PARAGRAPHS)


def test_a_hidden_copy_cut_into_lines_before_the_article_leaves_the_article() -> None:
    """A flat copy (a line per <p>, a gallery's "1 of 8" among them) placed before the
    article is set aside as a whole, before scoring: the visible text is kept."""
    lines = ["Image", "1", "of", "8", *PARAGRAPHS]
    copy = '<div style="display:none">' + "".join(f"<p>{x}</p>" for x in lines) + "</div>"
    page = article_page(extra_body="").replace(
        '<div class="entry-content">', f'{copy}<div class="entry-content">', 1
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    built = body.build(index, 0, "River floods valley")
    copies = [d for d in built.decisions if d.reason == "hidden copy"]
    assert len(copies) == len(lines)
    assert all(d.candidate.context.concealed for d in copies)
    kept = [d.candidate.text for d in built.decisions if d.kept]
    assert kept == PARAGRAPHS


def _candidates(page: str) -> list[Candidate]:
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    flags = clean.flag(tree.body, index)
    holder = container.find_container(index, 0, flags.furniture)
    return segment(index, 0, flags, holder, "River floods valley")


def test_hidden_tabs_that_share_their_steps_are_not_copies() -> None:
    """Tabs of the same steps for several languages repeat much of each other and
    of the visible tab: less than a copy does."""
    shared = [
        "Install and set up ngrok, which gives your local server an address on the web.",
        "Create a file for your code and paste the sample below into it, then save it.",
    ]
    own = {
        "Node.js": "Install Node.js and npm, then add the helper library with npm install.",
        "Python": "Make a virtual environment with venv and pip install the helper package.",
        "Ruby": "Install Ruby with your version manager and add the gem to your Gemfile now.",
    }

    def tab(language: str, attrs: str) -> str:
        lines = [own[language], *shared, f"Run the {language} program and wait for the text."]
        return f"<div {attrs}>" + "".join(f"<p>{x}</p>" for x in lines) + "</div>"

    tabs = tab("Node.js", "class='tab'") + tab("Python", "hidden") + tab("Ruby", "hidden")
    candidates = _candidates(article_page(extra_body=tabs))
    assert sum(c.context.concealed for c in candidates) == 8
    assert body.hidden_copies(candidates) == set()


def test_a_hidden_article_keeps_its_place_before_its_hidden_copy() -> None:
    """The article itself hidden (shown by script) and a hidden copy of it: the two
    repeat each other, and the region holding the container stays."""
    copy = "<div hidden>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    page = article_page(extra_body="").replace(
        '<div class="entry-content">', f'{copy}<div class="entry-content" hidden>', 1
    )
    candidates = _candidates(page)
    copies = body.hidden_copies(candidates)
    assert sorted(candidates[n].text for n in copies) == sorted(PARAGRAPHS)
    kept = [c for n, c in enumerate(candidates) if c.context.concealed and n not in copies]
    assert [c.text for c in kept] == PARAGRAPHS
    assert any(c.context.in_container for c in kept)


def test_a_copy_beside_an_article_that_is_itself_hidden_is_set_aside() -> None:
    """The whole page hidden until a script shows it, and a hidden flat copy of the
    article inside that: the copy repeats the rest of the hidden region."""
    copy = "<div hidden>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    page = article_page(extra_body=copy).replace('<div id="page"', '<div id="page" hidden', 1)
    candidates = _candidates(page)
    copies = body.hidden_copies(candidates)
    assert sorted(candidates[n].text for n in copies) == sorted(PARAGRAPHS)
    left = [c.text for n, c in enumerate(candidates) if n not in copies]
    assert all(left.count(p) == 1 for p in PARAGRAPHS)


def test_a_hidden_region_that_repeats_nothing_is_left_to_the_model() -> None:
    unseen = "The second tab tells how the town rebuilt its bridge over three summers of work."
    page = article_page(extra_body=f"<div hidden><p>{unseen}</p></div>")
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    built = body.build(index, 0, "River floods valley")
    assert not any(d.reason == "hidden copy" for d in built.decisions)


def test_a_paragraph_named_like_furniture_inside_a_list_item_is_weighed_not_removed() -> None:
    """<li><p id="tag-2">: the paragraph is a block of its own, not a chip inside a
    list item's text, so its name is evidence and its text reaches the model."""
    items = "".join(
        f'<li><h2>Pick {n}</h2><p id="tag-{n}">{p}</p></li>' for n, p in enumerate(PARAGRAPHS)
    )
    page = article_page(extra_body="").replace(
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS), f'<ol class="picks tag">{items}</ol>', 1
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    clean.flag(tree.body, index)
    assert all(p in (tree.body.text() or "") for p in PARAGRAPHS)


def test_the_standfirst_the_model_left_out_is_put_back() -> None:
    """Whatever the model scores, the summary paragraph between the headline and the
    kept article is the body's (the record's convention); a short line is not."""
    lead = "Water rose two metres overnight, and the valley's farms are cut off from town."
    page = article_page().replace(
        '<h1 class="entry-title">River floods valley</h1>',
        f'<header class="article"><h1 class="entry-title">River floods valley</h1>'
        f'<p class="article">{lead}</p></header>',
        1,
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    flags = clean.flag(tree.body, index)
    candidates = segment(
        index, 0, flags, container.find_container(index, 0, flags.furniture), "River floods valley"
    )
    texts = [c.text for c in candidates]
    at = texts.index(lead)
    kept = [t in PARAGRAPHS for t in texts]  # the model kept the article, not the lead
    ruled = [bool(body.ruled_out(c)) for c in candidates]
    scores = [0.0] * len(candidates)
    assert body._standfirst(candidates, kept, ruled, scores, -1.5) == at
    assert body._standfirst(candidates, kept, ruled, [-3.0] * len(candidates), -1.5) is None
    short = [c if n != at else candidates[n] for n, c in enumerate(candidates)]
    short[at].text = "Water rose overnight."
    assert body._standfirst(short, kept, ruled, scores, -1.5) is None


SIGN_IN = (
    "Sign in to keep reading. Your subscription gives you unlimited access to every story,"
    " the newsletter and the archive, on all of your devices at once."
)


@pytest.mark.parametrize(
    "interface",
    [
        '<div class="modal" role="dialog" aria-hidden="true">'
        f"<h2>Welcome</h2><p>{SIGN_IN}</p></div>",
        f"<dialog><h2>Welcome</h2><p>{SIGN_IN}</p></dialog>",
        f'<div style="display:none"><h2>Welcome</h2><p>{SIGN_IN}</p>'
        '<form><input name="email"><button>Go</button></form></div>',
        f'<div class="is-hidden"><h2>Welcome</h2><p>{SIGN_IN}</p>'
        '<form><input name="email"><button>Go</button></form></div>',
        f'<section class="modal d-none"><p>{SIGN_IN}</p><form><input name="pw"></form></section>',
    ],
    ids=["hidden-modal", "closed-dialog", "hidden-form", "class-hidden-form", "d-none-form"],
)
def test_a_hidden_interface_inside_the_article_is_not_kept(interface: str) -> None:
    page = article_page(extra_body="").replace(
        f"<p>{PARAGRAPHS[0]}</p>", f"<p>{PARAGRAPHS[0]}</p>{interface}", 1
    )
    assert interface in page  # the interface sits among the article's paragraphs
    text = "\n\n".join(getattr(b, "text", "") for b in blocks_of(page).blocks)
    assert "Sign in" not in text and all(p in text for p in PARAGRAPHS)


def test_hidden_article_text_without_a_form_still_reaches_the_model() -> None:
    """An accordion's collapsed answer is article text: hidden, but no interface."""
    page = article_page(extra_body="").replace(
        f"<p>{PARAGRAPHS[-1]}</p>", f"<p>{PARAGRAPHS[-1]}</p><div hidden><p>{SIGN_IN}</p></div>", 1
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    assert "Sign in to keep reading" in (tree.body.text() or "")
