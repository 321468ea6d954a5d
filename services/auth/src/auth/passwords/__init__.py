"""Passwords: Argon2id hashing in worker processes, and the password policy."""
