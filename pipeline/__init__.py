"""News-article scraping and cleaning pipeline."""
