"""The `logbook` command: the one package that may import every service."""
