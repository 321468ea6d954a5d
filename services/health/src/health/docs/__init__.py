"""The platform's public API documented in one place: one OpenAPI 3.1 document, two viewers."""
