"""Two-factor sign-in and its management (spec/auth.md §2.2, §2.10)."""
