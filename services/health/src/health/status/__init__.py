"""`/status`: what is up, down or slow, at a glance, for a person rather than a scraper."""
