from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.metadata.structured import StructuredData, read_structured


def page(head: str = "", body: str = "", lang: str = "") -> StructuredData:
    attr = f' lang="{lang}"' if lang else ""
    return read_structured(
        LexborHTMLParser(
            f"<!doctype html><html{attr}><head>{head}</head><body>{body}</body></html>"
        )
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, content: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{content}">'


YOAST_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "WebPage",
            "@id": "https://ex.com/hello/",
            "url": "https://ex.com/hello/",
            "name": "Hello - Ex",
            "datePublished": "2025-10-18T00:00:00+00:00",
        },
        {
            "@type": "Article",
            "@id": "https://ex.com/hello/#article",
            "isPartOf": {"@id": "https://ex.com/hello/"},
            "author": {"name": "Jane Doe", "@id": "https://ex.com/#/schema/person/abc"},
            "headline": "Hello world",
            "datePublished": "2025-10-19T06:12:00+00:00",
            "dateModified": "2025-10-20T08:00:00+00:00",
            "mainEntityOfPage": {"@id": "https://ex.com/hello/"},
            "publisher": {"@id": "https://ex.com/#organization"},
            "articleSection": ["World", "Asia"],
            "keywords": ["Floods", "Weather"],
            "inLanguage": "en-US",
        },
        {"@type": "WebSite", "@id": "https://ex.com/#website", "name": "Ex Site"},
        {"@type": "Organization", "@id": "https://ex.com/#organization", "name": "Ex Media"},
        {
            "@type": "Person",
            "@id": "https://ex.com/#/schema/person/abc",
            "name": "Jane Doe",
            "url": "https://ex.com/author/jane/",
        },
        {
            "@type": "Person",
            "@id": "https://ex.com/#/schema/person/def",
            "name": "John Smith",
        },
    ],
}


def test_yoast_graph() -> None:
    graph = json.loads(json.dumps(YOAST_GRAPH))
    # Yoast writes the author as a bare reference to the Person node.
    graph["@graph"][1]["author"] = [
        {"@id": "https://ex.com/#/schema/person/abc"},
        {"@id": "https://ex.com/#/schema/person/def"},
    ]
    data = page(ld(graph))
    assert data.types == ("Article",)
    assert data.jsonld_types == ("WebPage", "Article", "WebSite", "Organization", "Person")
    assert data.title == "Hello world"
    assert data.authors == ("Jane Doe", "John Smith")
    assert data.author_orgs == ()
    assert data.published == "2025-10-19T06:12:00+00:00"
    assert data.modified == "2025-10-20T08:00:00+00:00"
    assert data.site_name == "Ex Media"  # publisher via @id beats WebSite.name
    assert data.canonical_url == "https://ex.com/hello/"
    assert data.section == "World"
    assert data.tags == ("Floods", "Weather")
    assert data.language == "en"


def test_full_news_page_meta_beats_jsonld_where_specified() -> None:
    head = (
        "<title> Hello &amp; world | Ex </title>"
        '<link rel="canonical" href="https://ex.com/c">'
        + meta("og:type", "article")
        + meta("og:title", "OG title")
        + meta("og:site_name", "Ex OG")
        + meta("og:url", "https://ex.com/og")
        + meta("og:description", "OG description")
        + meta("description", "Plain description", "name")
        + meta("og:image", "https://ex.com/i.jpg")
        + meta("article:published_time", "2025-01-01T00:00:00Z")
        + meta("article:modified_time", "2025-01-02T00:00:00Z")
        + meta("article:section", "Meta section")
        + meta("article:tag", "One")
        + meta("article:tag", "Two, with comma")
        + meta("article:tag", "one")
        + meta("author", "Meta Author", "name")
        + ld(YOAST_GRAPH)
    )
    data = page(head, lang="fr-FR")
    assert data.types == ("Article", "article")
    assert data.title == "Hello world"  # JSON-LD headline first
    assert data.title_tag == "Hello & world | Ex"
    assert data.site_name == "Ex OG"
    assert data.canonical_url == "https://ex.com/c"
    assert data.description == "OG description"
    assert data.image == "https://ex.com/i.jpg"
    assert data.published == "2025-10-19T06:12:00+00:00"
    assert data.section == "World"
    assert data.tags == ("One", "Two, with comma")
    assert data.authors == ("Jane Doe",)  # JSON-LD persons beat meta author
    assert data.language == "fr"  # <html lang> first


def test_meta_only_news_page() -> None:
    head = (
        meta("og:type", "article")
        + meta("og:title", "OG title")
        + meta("twitter:title", "Twitter title", "name")
        + meta("og:url", "https://ex.com/og")
        + meta("og:locale", "ru_RU")
        + meta("og:updated_time", "2025-01-03")
        + meta("article:author", "https://facebook.com/jane")
        + meta("author", "Jane Doe", "name")
        + meta("parsely-pub-date", "2025-01-01", "name")
        + meta("parsely-section", "Parsely section", "name")
        + meta("news_keywords", "a, b,, A ,c", "name")
        + meta("keywords", "ignored", "name")
        + meta("twitter:description", "Tw description", "name")
        + meta("application-name", "App Name", "name")
    )
    data = page(head)
    assert data.types == ("article",)
    assert data.title == "OG title"
    assert data.site_name == "App Name"
    assert data.canonical_url == "https://ex.com/og"
    assert data.language == "ru"
    assert data.modified == "2025-01-03"
    assert data.authors == ("Jane Doe",)
    assert data.published == "2025-01-01"
    assert data.section == "Parsely section"
    assert data.tags == ()  # keyword metas are weaker than tags: kept apart
    assert data.keywords == ("a", "b", "c")
    assert data.description == "Tw description"


def test_taylor_and_francis_citation_meta() -> None:
    head = (
        "<title>Full article: Central Asia in Asia</title>"
        + meta("citation_title", "Central Asia in Asia", "name")
        + meta("citation_author", "Nicola P. Contessi", "name")
        + meta("citation_author", "Roe, Jane", "name")
        + meta("dc.Title", "DC title", "name")
        + meta("dc.Creator", "Nicola P. Contessi", "name")
        + meta("dc.Date", "20 Jun 2018", "name")
        + '<meta name="dc.Identifier" scheme="doi" content="10.1080/02634937.2018.1487888">'
        + meta("citation_doi", "doi:10.1080/02634937.2018.1487888", "name")
        + meta("keywords", "Central Asia, Kazakhstan", "name")
    )
    data = page(head)
    assert data.title == "DC title"  # dc.title and citation_title: dc first, both "self"
    assert data.title_tag == "Full article: Central Asia in Asia"
    assert data.authors == ("Nicola P. Contessi", "Roe, Jane")
    assert data.published == "20 Jun 2018"
    assert data.doi == "10.1080/02634937.2018.1487888"
    assert data.keywords == ("Central Asia", "Kazakhstan")


def test_citation_publication_date_beats_dc_date() -> None:
    head = meta("dc.Date", "20 Jun 2018", "name") + meta(
        "citation_publication_date", "2018/06/20", "name"
    )
    assert page(head).published == "2018/06/20"


@pytest.mark.parametrize(
    ("head", "doi"),
    [
        (meta("citation_doi", "10.1000/xyz123", "name"), "10.1000/xyz123"),
        (meta("citation_doi", "https://doi.org/10.1000/xyz123", "name"), "10.1000/xyz123"),
        (meta("dc.identifier", "doi:10.1000/xyz123", "name"), "10.1000/xyz123"),
        (meta("dc.identifier", "https://pub.com/10.1000/xyz123", "name"), None),
        (meta("dc.identifier", "ISSN 1234-5678", "name"), None),
        (meta("prism.doi", "10.1000/xyz123", "name"), "10.1000/xyz123"),
        (
            ld({"@type": "ScholarlyArticle", "sameAs": "https://doi.org/10.1000/abc."}),
            "10.1000/abc",
        ),
        (
            ld(
                {
                    "@type": "ScholarlyArticle",
                    "identifier": [
                        "ISSN-0000",
                        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1000/pv"},
                    ],
                }
            ),
            "10.1000/pv",
        ),
        ("", None),
    ],
)
def test_doi(head: str, doi: str | None) -> None:
    assert page(head).doi == doi


def test_invalid_jsonld_is_repaired_or_skipped() -> None:
    head = (
        '<script type="application/ld+json">not json at all {</script>'
        '<script type="application/ld+json"><!-- {"@type": "NewsArticle", "headline": "Line one\n'
        'line two", "author": [{"@type": "Person", "name": "Иван Петров"},'
        ' {"@type": "Organization", "name": "РИА"},], "datePublished": "2025-10-19",} --></script>'
    )
    data = page(head)
    assert data.types == ("NewsArticle",)
    assert data.title == "Line one line two"
    assert data.authors == ("Иван Петров",)
    assert data.author_orgs == ("РИА",)
    assert data.published == "2025-10-19"


@pytest.mark.parametrize(
    "script",
    [
        '//<![CDATA[\n{"@type": "NewsArticle", "headline": "T"}\n//]]>',
        '/*<![CDATA[*/{"@type": "NewsArticle", "headline": "T"}/*]]>*/',
        '<![CDATA[{"@type": "NewsArticle", "headline": "T"}]]>',
        '{"@type": "BreadcrumbList"}\n{"@type": "NewsArticle", "headline": "T"};',
        '[{"@type": "BreadcrumbList"}, {"@type": "NewsArticle", "headline": "T"}]',
        '{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "T"}}',
        '{"@type": "http://schema.org/NewsArticle", "headline": "T"}',
        '{"@type": ["Thing", "NewsArticle"], "headline": "T"}',
    ],
)
def test_jsonld_shapes(script: str) -> None:
    data = page(f'<script type="application/ld+json">{script}</script>')
    assert data.title == "T"
    assert "NewsArticle" in data.types


def test_type_attribute_is_case_insensitive() -> None:
    data = page('<script type="application/LD+JSON">{"@type": "Article", "headline": "T"}</script>')
    assert data.title == "T"


def test_live_blog_posting() -> None:
    data = page(
        ld(
            {
                "@context": "https://schema.org",
                "@type": "LiveBlogPosting",
                "headline": "Live: storm updates",
                "coverageStartTime": "2025-10-19T06:00:00+00:00",
                "datePublished": "2025-10-19T06:00:00+00:00",
                "liveBlogUpdate": [
                    {"@type": "BlogPosting", "headline": "Update 1", "author": {"name": "X"}}
                ],
                "author": {"@type": "Person", "name": "Jane Doe"},
                "isAccessibleForFree": "False",
            }
        )
    )
    assert data.types == ("LiveBlogPosting",)
    assert data.jsonld_types == ("LiveBlogPosting",)  # nested updates are not page-level
    assert data.title == "Live: storm updates"
    assert data.authors == ("Jane Doe",)
    assert data.is_accessible_for_free is False


def test_collection_page_is_recognisable() -> None:
    listing = {
        "@graph": [
            {"@type": "CollectionPage", "@id": "https://ex.com/world/", "name": "World"},
            {"@type": "WebSite", "name": "Ex"},
            {
                "@type": "ItemList",
                "itemListElement": [
                    {"@type": "ListItem", "item": {"@type": "NewsArticle", "headline": "Teaser"}}
                ],
            },
        ]
    }
    data = page(ld(listing))
    assert data.jsonld_types == ("CollectionPage", "WebSite", "ItemList")
    assert data.types == ("CollectionPage",)
    assert data.title == "World"
    assert data.site_name == "Ex"


def test_organization_author_is_separate() -> None:
    article = {
        "@type": "NewsArticle",
        "author": [
            {"@type": "NewsMediaOrganization", "name": "Ex News"},
            {"@type": "Person", "givenName": "Jane", "familyName": "Doe"},
            "John Smith",
        ],
    }
    data = page(ld(article))
    assert data.authors == ("Jane Doe", "John Smith")
    assert data.author_orgs == ("Ex News",)


def test_organization_only_author_falls_back_to_meta() -> None:
    article = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Ex"}}
    data = page(ld(article) + meta("author", "Jane Doe", "name"))
    assert data.authors == ("Jane Doe",)
    assert data.author_orgs == ("Ex",)


def test_author_meta_sources_merge() -> None:
    head = (
        meta("author", "Jane Doe", "name")
        + meta("citation_author", "John Smith", "name")
        + meta("citation_author", "Ann Lee", "name")
        + meta("DC.Creator", "Jane Doe", "name")
    )
    assert page(head).authors == ("Jane Doe", "John Smith", "Ann Lee")


@pytest.mark.parametrize(
    ("lang", "head", "expected"),
    [
        ("en-US", "", "en"),
        ("EN", "", "en"),
        ("", meta("og:locale", "ru_RU"), "ru"),
        ("", '<meta http-equiv="Content-Language" content="de-DE">', "de"),
        ("", ld({"@type": "Article", "inLanguage": "ja-JP"}), "ja"),
        ("x-default", meta("og:locale", "es_ES"), "es"),
        ("", "", None),
    ],
)
def test_language(lang: str, head: str, expected: str | None) -> None:
    assert page(head, lang=lang).language == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (meta("og:published_time", "A"), "A"),
        (meta("citation_date", "B", "name"), "B"),
        (meta("DC.Date", "C", "name"), "C"),
        (meta("dcterms.created", "D", "name"), "D"),
        (meta("pubdate", "E", "name"), "E"),
        (meta("sailthru.date", "F", "name"), "F"),
        (meta("article:published_time", "G") + meta("pubdate", "E", "name"), "G"),
        ('<meta itemprop="datePublished" content="H">', "H"),
    ],
)
def test_published_sources(head: str, expected: str) -> None:
    assert page(head).published == expected


def test_microdata_article() -> None:
    body = (
        '<article itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">Micro title</h1>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Jane Doe</span></span>'
        '<time itemprop="datePublished" datetime="2025-10-19">Oct 19</time>'
        '<meta itemprop="dateModified" content="2025-10-20"></article>'
    )
    data = page(body=body)
    assert data.types == ("NewsArticle",)
    assert data.title == "Micro title"
    assert data.authors == ("Jane Doe",)
    assert data.published == "2025-10-19"
    assert data.modified == "2025-10-20"


def test_microdata_headline_outside_article_is_ignored() -> None:
    data = page(body='<div><h2 itemprop="headline">Teaser</h2></div>')
    assert data.title is None


def test_jsonld_keywords_string_and_image_object() -> None:
    article = {
        "@type": "BlogPosting",
        "keywords": "alpha, beta,Alpha",
        "image": {"@type": "ImageObject", "url": "https://ex.com/a.png"},
        "description": "LD description",
        "url": "https://ex.com/post",
        "isAccessibleForFree": True,
    }
    data = page(ld(article))
    assert data.tags == ("alpha", "beta")
    assert data.image == "https://ex.com/a.png"
    assert data.description == "LD description"
    assert data.canonical_url == "https://ex.com/post"
    assert data.is_accessible_for_free is True


def test_empty_page() -> None:
    assert page() == StructuredData()
    assert read_structured(LexborHTMLParser("")) == StructuredData()


def test_whitespace_collapsed_but_ideographic_space_kept() -> None:
    data = page(
        meta("og:title", "子ども食堂が開業\u3000地域の拠点に") + "<title>\n  A \t B\n</title>"
    )
    assert data.title == "子ども食堂が開業\u3000地域の拠点に"
    assert data.title_tag == "A B"
