"""Small pages built in code for unit tests."""

from __future__ import annotations

PARAGRAPHS = [
    "The river rose three metres overnight, forcing the evacuation of two villages "
    "and closing the main road to the capital for most of the morning.",
    "Officials said the dam upstream had held, but that further rain was expected "
    "over the weekend and residents should stay alert to warnings.",
    "Farmers in the valley, many of whom lost crops to a similar flood last year, "
    "said compensation had still not arrived and asked for faster help.",
]


def article_page(extra_body: str = "", head: str = "", sidebar: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html lang="en"><head><title>River floods valley - Daily Test</title>
<meta property="og:type" content="article">{head}</head>
<body class="single single-post">
<header class="site-header"><div class="logo">Daily Test</div>
<div class="top-date">Monday, November 23, 2026</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav></header>
<div id="page" class="site has-sidebar">
<main id="main"><article class="post tag-floods">
<h1 class="entry-title">River floods valley</h1>
<div class="entry-meta">By <a rel="author" href="/a/jane">Jane Doe</a>
<time datetime="2025-10-19T06:12:00+02:00">October 19, 2025</time></div>
<div class="entry-content">{paragraphs}{extra_body}</div>
<div class="share-buttons"><a href="#">Share on Facebook</a></div>
</article></main>
<aside class="sidebar"><h3>Popular</h3><ul><li><a href="/x">Other story one</a></li>
<li><a href="/y">Other story two</a></li></ul>{sidebar}</aside>
</div><footer><p>© 2024 Daily Test. All rights reserved.</p></footer></body></html>"""
