"""Scheduled work that runs once per key however many instances run (see `work`)."""
