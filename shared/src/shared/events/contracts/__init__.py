"""Event `data` contracts, one module per area (`logbook.<service>.<aggregate>.<verb>`)."""
