from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extraction.references import (
    Bibliography,
    entry_text,
    locate,
    parse_entries,
    parse_reference,
)
from pipeline.record import Reference

SEED = Path(__file__).parents[1] / "../shared/seeds/000_c0e51a37ef96bb4a.txt"


def seed_references() -> list[str]:
    """The first 109 "  • " lines: the list appears once fully, then partly again."""
    if not SEED.exists():
        pytest.skip("seed file ../shared/seeds/000_c0e51a37ef96bb4a.txt not available")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    refs = [line.split("•", 1)[1].strip() for line in lines if line.startswith("  • ")]
    return refs[:109]


# Each case: text, then (authors, year, title, container, doi, url). From the seed file
# unless marked otherwise; checked by hand.
Expected = tuple[tuple[str, ...], str | None, str | None, str | None, str | None, str | None]
CASES: list[tuple[str, Expected]] = [
    (  # year suffix, quoted title, newspaper container
        "Abbasova, N. (2016a) ‘Poland Joins TCITR Project’, Azernews, 25 January.",
        (("Abbasova, N.",), "2016", "Poland Joins TCITR Project", "Azernews", None, None),
    ),
    (  # journal container before volume, issue
        "Allison, R. (2004) ‘Regionalism, Regional Structures and Security Management in"
        " Central Asia’, International Affairs, 80, 3.",
        (
            ("Allison, R.",),
            "2004",
            "Regionalism, Regional Structures and Security Management in Central Asia",
            "International Affairs",
            None,
            None,
        ),
    ),
    (  # chapter in an edited book: the container is the book's title
        "Ayoob, M. (1992) ‘The Security Predicament of the Third World State: Reflections on"
        " State Making in a Comparative Perspective’, in Job, B. L. (ed.) The Insecurity"
        " Dilemma: National Security of the Third World States (Boulder, CO, Lynne Rienner).",
        (
            ("Ayoob, M.",),
            "1992",
            "The Security Predicament of the Third World State: Reflections on State Making"
            " in a Comparative Perspective",
            "The Insecurity Dilemma: National Security of the Third World States",
            None,
            None,
        ),
    ),
    (  # container with a period inside it
        "Barrow, K. (2013) ‘15-day Transit for China–Germany Freight Train’, Railjournal.com,"
        " 2 August.",
        (
            ("Barrow, K.",),
            "2013",
            "15-day Transit for China–Germany Freight Train",
            "Railjournal.com",
            None,
            None,
        ),
    ),
    (  # "&" between authors; a book: the publisher is no container
        "Beblawi, H. & Luciani, G. (1987) The Rentier State (Andover, Croom Helm).",
        (("Beblawi, H.", "Luciani, G."), "1987", "The Rentier State", None, None, None),
    ),
    (  # three authors, multi-initial last one
        "Benmaamar, M., Keou, O. & Saslavsky, D. M. (2015) Georgia’s Transport and Logistics"
        " Strategy: Achievements to Date and Areas for Improvements (Washington, DC, World"
        " Bank Group).",
        (
            ("Benmaamar, M.", "Keou, O.", "Saslavsky, D. M."),
            "2015",
            "Georgia’s Transport and Logistics Strategy: Achievements to Date and Areas for"
            " Improvements",
            None,
            None,
            None,
        ),
    ),
    (  # nested quotes and an apostrophe inside the quoted title
        "Clarke, M. E. (2015) ‘Kazakhstan’s Multi-vector Foreign Policy: Diminishing Returns"
        " in an Era of Great Power “Pivots”?’, The ASAN Forum, 9 April.",
        (
            ("Clarke, M. E.",),
            "2015",
            "Kazakhstan’s Multi-vector Foreign Policy: Diminishing Returns in an Era of Great"
            " Power “Pivots”?",
            "The ASAN Forum",
            None,
            None,
        ),
    ),
    (  # "available at: URL, accessed DATE"
        "Engvall, J. & Cornell, S. (2015) Asserting Statehood: Kazakhstan’s Role in"
        " International Organizations, Silk Road Paper, Central Asia-Caucasus Institute & Silk"
        " Road Studies Program (Washington, DC, Johns Hopkins University and Stockholm-Nacka,"
        " Institute for Security and Development Policy), available at:"
        " https://silkroadstudies.org/resources/pdf/SilkRoadPapers/2015_12_SRP_Statehood.pdf,"
        " accessed 27 April 2018.",
        (
            ("Engvall, J.", "Cornell, S."),
            "2015",
            "Asserting Statehood: Kazakhstan’s Role in International Organizations, Silk Road"
            " Paper, Central Asia-Caucasus Institute & Silk Road Studies Program",
            None,
            None,
            "https://silkroadstudies.org/resources/pdf/SilkRoadPapers/2015_12_SRP_Statehood.pdf",
        ),
    ),
    (
        "Franke, A., Gawrich, A. & Alakbarov, G. (2009) ‘Kazakhstan and Azerbaijan as"
        " Post-Soviet Rentier States: Resource Incomes and Autocracy as a Double “Curse” in"
        " Post-Soviet Regimes’, Europe-Asia Studies, 61, 1.",
        (
            ("Franke, A.", "Gawrich, A.", "Alakbarov, G."),
            "2009",
            "Kazakhstan and Azerbaijan as Post-Soviet Rentier States: Resource Incomes and"
            " Autocracy as a Double “Curse” in Post-Soviet Regimes",
            "Europe-Asia Studies",
            None,
            None,
        ),
    ),
    (  # the title itself opens with a double quote
        "Gnedina, E. (2015) ‘“Multi-Vector” Foreign Policies in Europe: Balancing,"
        " Bandwagoning or Bargaining?’, Europe-Asia Studies, 67, 7.",
        (
            ("Gnedina, E.",),
            "2015",
            "“Multi-Vector” Foreign Policies in Europe: Balancing, Bandwagoning or Bargaining?",
            "Europe-Asia Studies",
            None,
            None,
        ),
    ),
    (  # a DOI glued to a book entry
        "Krasner, S. D. (1999) Sovereignty: Organized Hypocrisy (Princeton, NJ, Princeton"
        " University Press).10.1515/9781400823260",
        (
            ("Krasner, S. D.",),
            "1999",
            "Sovereignty: Organized Hypocrisy",
            None,
            "10.1515/9781400823260",
            None,
        ),
    ),
    (  # a DOI glued to a journal entry right after the issue number
        "Lake, D. A. (1996) ‘Anarchy, Hierarchy, and the Variety of International Relations’,"
        " International Organization, 50, 1.10.1017/S002081830000165X",
        (
            ("Lake, D. A.",),
            "1996",
            "Anarchy, Hierarchy, and the Variety of International Relations",
            "International Organization",
            "10.1017/S002081830000165X",
            None,
        ),
    ),
    (  # four authors
        "Kuchins, A. C., Mankoff, J., Kourmanova, A. & Backes, O. (2015) Central Asia in a"
        " Reconnecting Eurasia. Kazakhstan’s Evolving Foreign Economic and Security Interests"
        " (New York, NY, Rowman & Littlefield).",
        (
            ("Kuchins, A. C.", "Mankoff, J.", "Kourmanova, A.", "Backes, O."),
            "2015",
            "Central Asia in a Reconnecting Eurasia. Kazakhstan’s Evolving Foreign Economic and"
            " Security Interests",
            None,
            None,
            None,
        ),
    ),
    (  # edited volume with "(eds)" and three editors
        "Ripsman, N. M., Taliaferro, J. W. & Lobell, S. E. (2009) ‘Conclusion: The State of"
        " Neoclassical Realism’, in Lobell, S. E., Ripsman, N. M. & Taliaferro, J. W. (eds)"
        " Neoclassical Realism, the State, and Foreign Policy (Cambridge, Cambridge University"
        " Press).",
        (
            ("Ripsman, N. M.", "Taliaferro, J. W.", "Lobell, S. E."),
            "2009",
            "Conclusion: The State of Neoclassical Realism",
            "Neoclassical Realism, the State, and Foreign Policy",
            None,
            None,
        ),
    ),
    (  # no date
        "Satke, R. (n.d.) Between East and West: Kazakhstan’s Development along China’s New"
        " Silk Road (Bishkek, OSCE Academy).",
        (
            ("Satke, R.",),
            None,
            "Between East and West: Kazakhstan’s Development along China’s New Silk Road",
            None,
            None,
            None,
        ),
    ),
    (  # an edition in parentheses before the publisher
        "Strange, S. (1998) States and Markets (2nd edn) (London, A&C Black).",
        (("Strange, S.",), "1998", "States and Markets", None, None, None),
    ),
    (  # container followed by a volume without a comma
        "Weitz, R. (2013b) ‘Massive East–West Transit Corridor Nears Crucial Phase’, Central"
        " Asia Caucasus Analyst 15, 24, 11 December.",
        (
            ("Weitz, R.",),
            "2013",
            "Massive East–West Transit Corridor Nears Crucial Phase",
            "Central Asia Caucasus Analyst",
            None,
            None,
        ),
    ),
    (  # not from the seed: Vancouver with "et al." and a "doi:" in the text
        "Smith J, Jones AB, Brown C, et al. Rail freight and trade. Lancet. 2020;395:1-10."
        " doi:10.1016/S0140-6736(20)30183-5.",
        (
            ("Smith J", "Jones AB", "Brown C"),
            "2020",
            "Rail freight and trade",
            "Lancet",
            "10.1016/S0140-6736(20)30183-5",
            None,
        ),
    ),
    (  # not from the seed: APA with ", &" and a doi.org URL (a DOI, so no url)
        "Smith, J. A., & Jones, B. (2019). Corridors of power. Journal of Transport History,"
        " 12(3), 45–67. https://doi.org/10.1234/abc.123",
        (
            ("Smith, J. A.", "Jones, B."),
            "2019",
            "Corridors of power",
            "Journal of Transport History",
            "10.1234/abc.123",
            None,
        ),
    ),
    (  # not from the seed: ";" between authors, a full date, Wikipedia-style quotes
        'Doe, Jane; Roe, Richard (12 March 2010). "Rail link opens". The Times.'
        " Retrieved 5 May 2020.",
        (("Doe, Jane", "Roe, Richard"), "2010", "Rail link opens", "The Times", None, None),
    ),
    (  # not from the seed: Chicago author-date with "and"
        "Smith, John, and Jane Doe. 2010. The Long Road. London: Verso.",
        (("Smith, John", "Jane Doe"), "2010", "The Long Road", None, None, None),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_parse_reference(text: str, expected: Expected) -> None:
    ref = parse_reference(text)
    assert (ref.authors, ref.year, ref.title, ref.container, ref.doi, ref.url) == expected


def test_glued_doi_is_cut_from_text() -> None:
    ref = parse_reference(
        "Lemke, D. (2002) Regions of War and Peace (Port Chester, NY, Cambridge University"
        " Press).10.1017/CBO9780511491511"
    )
    assert ref.text.endswith("University Press).")
    assert ref.doi == "10.1017/CBO9780511491511"


def test_service_labels_are_dropped_from_text() -> None:
    plain = (
        "Rose, G. (1998) ‘Neoclassical Realism and Theories of Foreign Policy’,"
        " World Politics, 51, 1."
    )
    labels = (" [Crossref], [Google Scholar]", " Google Scholar", " Web of Science ®", " PubMed")
    for suffix in labels:
        assert parse_reference(plain + suffix) == parse_reference(plain)
    # A title that merely ends with a label-like word keeps it.
    assert parse_reference("Smith, J. (2001) A Point of View").title == "A Point of View"


def test_hrefs_give_doi_and_url() -> None:
    hrefs = (
        "https://scholar.google.com/scholar_lookup?title=x",
        "https://doi.org/10.1080%2F09668136.2015.1000000",
        "https://astanatimes.com/2017/05/article/",
    )
    ref = parse_reference("Astana Times (2017) ‘Something Happened’, Astana Times, 16 May.", hrefs)
    assert ref.doi == "10.1080/09668136.2015.1000000"
    assert ref.url == "https://astanatimes.com/2017/05/article/"
    assert parse_reference("Smith, J. (2001) Book (London, Verso).", hrefs[:1]).url is None


def test_all_seed_references() -> None:
    lines = seed_references()
    assert len(lines) == 109
    refs = [parse_reference(line) for line in lines]
    undated = [r.text for r in refs if r.year is None]
    assert undated == [lines[81]] and "(n.d.)" in lines[81]
    assert sum(1 for r in refs if r.authors) >= 0.95 * len(refs)
    assert not any("Google Scholar" in r.text for r in refs)
    with_labels = [parse_reference(line + " [Crossref], [Google Scholar]") for line in lines]
    assert not any("Google Scholar" in r.text or "Crossref" in r.text for r in with_labels)
    assert with_labels == refs
    assert sum(1 for r in refs if r.doi) == 3


# --- DOM --------------------------------------------------------------------------------


def body(html: str) -> LexborNode:
    node = LexborHTMLParser(f"<html><body>{html}</body></html>").body
    assert node is not None
    return node


def located(html: str) -> Bibliography:
    bib = locate(body(html))
    assert bib is not None
    return bib


LINKOUT = (
    "/servlet/linkout?suffix=CIT0002&amp;dbid=16&amp;doi=10.1080%2F09668136.2018.1473342"
    "&amp;key=10.1515%2F9781400823260"
)
ATYPON = f"""
<article><p>Some article text about railways in Kazakhstan.</p>
<div class="tab"><ul class="references numeric-ordered-list" id="references-Section">
<li id="CIT0001"><span class="hlFld-ContribAuthor">Abbasova, N.</span> (2016a)
 ‘Poland Joins TCITR Project’, <i>Azernews</i>, 25 January.
 <span class="xlinks-container"><a href="https://scholar.google.com/scholar_lookup?x=1"
 target="_blank">Google Scholar</a></span></li>
<li id="CIT0002">Krasner, S. D. (1999) <i>Sovereignty: Organized Hypocrisy</i> (Princeton,
 NJ, Princeton University Press).<span class="xlinks-container">
 <a href="{LINKOUT}">Crossref</a>
 <a href="https://scholar.google.com/scholar_lookup?x=2">Google Scholar</a></span></li>
<li id="CIT0003">Lake, D. A. (1996) ‘Anarchy, Hierarchy, and the Variety of International
 Relations’, <i>International Organization</i>, 50, 1.
 <a href="https://doi.org/10.1017/S002081830000165X">View</a>
 <span class="xlinks-container"><a href="https://scholar.google.com/x">Google Scholar</a>
 <a href="https://www.webofscience.com/x">Web of Science ®</a></span></li>
</ul></div></article>
"""


def test_atypon_reference_list() -> None:
    bib = located(ATYPON)
    assert bib.container.tag == "ul" and len(bib.entries) == 3
    refs = parse_entries(bib)
    assert all("Google Scholar" not in r.text and "Web of Science" not in r.text for r in refs)
    assert refs[0].authors == ("Abbasova, N.",) and refs[0].container == "Azernews"
    assert refs[0].url is None  # a Google Scholar link is no URL of the work
    assert refs[1].doi == "10.1515/9781400823260"  # from the Crossref linkout's key
    assert refs[1].text.endswith("Princeton University Press).")
    assert refs[2].doi == "10.1017/S002081830000165X"
    assert refs[2].text.endswith("50, 1.")


def test_entry_text_leaves_the_tree_alone() -> None:
    bib = located(ATYPON)
    before = bib.entries[0].html
    text, hrefs = entry_text(bib.entries[0])
    assert "Google Scholar" not in text and hrefs
    assert bib.entries[0].html == before


WIKIPEDIA = """
<div class="mw-content"><p>The line opened in 2014.<sup id="cite_ref-1">
 <a href="#cite_note-1">[1]</a></sup></p>
<div class="mw-heading mw-heading2"><h2 id="References">References</h2></div>
<div class="reflist"><div class="mw-references-wrap"><ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink"><b><a href="#cite_ref-1">^</a></b></span>
 <span class="reference-text"><cite class="citation news">Doe, Jane (12 March 2010).
 <a class="external text" href="https://example.com/rail">"Rail link opens"</a>.
 <i>The Times</i>. Retrieved 5 May 2020.</cite></span></li>
<li id="cite_note-2"><span class="mw-cite-backlink">^ <a href="#cite_ref-2a">a</a>
 <a href="#cite_ref-2b">b</a></span> <span class="reference-text"><cite>Smith, John
 (2015). <i>The Iron Silk Road</i>. London: Verso.
 <a href="https://doi.org/10.1000/xyz">doi:10.1000/xyz</a></cite></span></li>
<li id="cite_note-3"><span class="mw-cite-backlink"><a href="#cite_ref-3">^</a></span>
 <span class="reference-text">"Kazakhstan rail". <i>BBC News</i>. 3 April 2016.</span></li>
</ol></div></div></div>
"""


def test_wikipedia_references() -> None:
    bib = located(WIKIPEDIA)
    assert bib.container.tag == "ol" and len(bib.entries) == 3
    first, second, third = parse_entries(bib)
    assert not first.text.startswith("^")
    assert first.authors == ("Doe, Jane",) and first.year == "2010"
    assert first.title == "Rail link opens" and first.container == "The Times"
    assert first.url == "https://example.com/rail"
    assert second.doi == "10.1000/xyz" and second.title == "The Iron Silk Road"
    assert third.authors == () and third.container == "BBC News" and third.year == "2016"


HEADED_PARAGRAPHS = """
<div class="entry-content">
<p>Kazakhstan's railways now carry more transit freight than ever (Contessi 2018).</p>
<h2>References</h2>
<p>Contessi, N. P. (2018) ‘Foreign Policy Diversification and Intercontinental Transport
 Corridors’, Europe-Asia Studies, 70, 5.</p>
<p>Cooley, A. (2012) Great Games, Local Rules (New York, NY, Oxford University Press).</p>
<p>Laruelle, M. &amp; Peyrouse, S. (2012) The Chinese Question in Central Asia (London, Hurst).</p>
<p>About the author: Jane Doe writes about transport for this site.</p>
</div>
"""


def test_references_heading_then_paragraphs() -> None:
    bib = located(HEADED_PARAGRAPHS)
    assert bib.container.tag == "div" and len(bib.entries) == 3
    assert bib.heading is not None and bib.heading.tag == "h2"
    refs = parse_entries(bib)
    assert refs[2].authors == ("Laruelle, M.", "Peyrouse, S.")
    assert refs[1].title == "Great Games, Local Rules"


NOTES_LIST = """
<div class="post"><p>Body text of a long-form essay.</p>
<h3>Notes</h3>
<ol>
<li>John Smith, <i>The Iron Silk Road</i> (London: Verso, 2015), 45.</li>
<li>Jane Doe, “Rail and Power,” <i>Central Asian Survey</i> 34, no. 2 (2016): 12–30.</li>
<li>Smith, J. et al. (2018) ‘Dry Ports’, <i>Transport Policy</i>, 5, 1.</li>
<li>Ibid., 47.</li>
</ol></div>
"""


def test_notes_heading_then_list() -> None:
    bib = located(NOTES_LIST)
    assert bib.container.tag == "ol" and len(bib.entries) == 4
    assert parse_entries(bib)[2].authors == ("Smith, J.",)


def test_bold_paragraph_heading_then_list() -> None:
    html = NOTES_LIST.replace("<h3>Notes</h3>", "<p><strong>Notes:</strong></p>")
    bib = located(html)
    assert bib.heading is not None and bib.heading.tag == "strong"


def test_explicit_role_and_ids_without_heading() -> None:
    items = "".join(
        f'<li id="bib{i}">Author{chr(65 + i)}, B. ({2000 + i}) Book {i} (London, Verso).</li>'
        for i in range(1, 5)
    )
    assert len(located(f"<section><div><ul>{items}</ul></div></section>").entries) == 4
    html = f'<section role="doc-bibliography"><h2>Works</h2><ol>{items}</ol></section>'
    assert located(html).container.tag == "ol"


NEWS_LIST = """
<article><h1>Rail link opens</h1><p>The new line opened on Monday, officials said.</p>
<ul><li>The line is 1,000 km long.</li><li>It cost $2 billion (2019 prices).</li>
<li>Trains will run twice a day.</li><li>Tickets go on sale next week.</li></ul>
<h2>Sources</h2>
<ul><li>Officials at the ministry of transport</li><li>The railway company's press office</li>
<li>Local residents interviewed on Monday</li></ul>
</article>
"""

RELATED = """
<article><p>The new line opened on Monday.</p>
<h3>Related posts</h3>
<ul><li><a href="/a">Kazakhstan opens new rail link to China (2019)</a></li>
<li><a href="/b">Why the Middle Corridor matters</a></li>
<li><a href="/c">Read more: Freight volumes double in 2023</a></li></ul>
<h3>Read more</h3>
<ul><li><a href="/d">Azerbaijan and Georgia sign deal</a></li>
<li><a href="/e">Caspian ports expand</a></li><li><a href="/f">Trains to Tehran</a></li></ul>
</article>
"""

WORD_ONLY = """
<article><p>References to the Silk Road appear in many speeches.</p>
<p><b>References</b> are listed below.</p>
<h2>References</h2><p>None.</p><p>The author thanks the editors.</p>
</article>
"""


@pytest.mark.parametrize("html", [NEWS_LIST, RELATED, WORD_ONLY], ids=["news", "related", "word"])
def test_no_bibliography(html: str) -> None:
    assert locate(body(html)) is None


def test_parse_entries_type() -> None:
    refs = parse_entries(located(ATYPON))
    assert all(isinstance(r, Reference) for r in refs)
