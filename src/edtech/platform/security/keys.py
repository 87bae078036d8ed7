"""Opaque secrets (refresh tokens, device API keys): random, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret(prefix: str = "", nbytes: int = 32) -> str:
    """A fresh random secret, URL-safe, optionally prefixed to say what it is (`dev_…`)."""
    return prefix + secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret.

    A slow hash is for guessable passwords; these secrets carry ≥ 256 random bits, so a fast
    hash is safe and lets us look a key up by its hash in an index.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Compare in constant time, whatever the characters: `hmac.compare_digest` refuses two
    `str` with non-ASCII characters (a TypeError), so both are compared as bytes."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
