"""Benchmarks (`make bench`): figures printed and appended to docs/BENCHMARKS.md."""
