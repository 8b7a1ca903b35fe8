"""Sources: where pages come from.

    files.FileSource   saved HTML files and folders, and web archives (WARC)
    web.WebSource      the web: discover (feeds, sitemaps, lists) -> due -> fetch -> archive

A source's `items()` is an async iterator of `Page`s to extract, `Unread`s
(pages that could not be read, with their error) and, for the web,
`ErrorRecord`s of its own failures (a fetch, a feed). The runner
(pipeline/runner.py) takes it from there.
"""
