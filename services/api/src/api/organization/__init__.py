"""The organization area: profile, settings, modules."""
