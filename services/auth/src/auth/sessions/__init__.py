"""Sign-in, sessions (refresh, sign-out, idleness) and the signed-in member (spec/auth.md §2)."""
