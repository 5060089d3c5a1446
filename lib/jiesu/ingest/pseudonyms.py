"""Keyed pseudonyms for names, phone numbers and WeChat ids.

A pseudonym is ``prefix + HMAC-SHA256(salt, kind + "\\x1f" + value)[:12]`` (RFC 2104 keyed hash):
the same value with the same salt always gives the same id (stable across runs), a different
``kind`` gives an unrelated id (a phone pseudonym cannot be joined to a WeChat-id pseudonym), and
without the salt the id cannot be reversed by hashing a list of candidate names.

The salt comes from ``JIESU_SALT`` if set, else from ``<data>/.salt`` (git-ignored), which is
created with 32 random bytes and mode 0600 on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

SALT_ENV = "JIESU_SALT"
ID_HEX_CHARS = 12


def load_salt(salt_file: str | os.PathLike) -> bytes:
    """The pseudonymization key: ``JIESU_SALT`` (UTF-8) if set, else the bytes of ``salt_file``.

    ``salt_file`` is created (hex text, mode 0600) when absent, so a fresh checkout gets its own key.
    """
    env = os.environ.get(SALT_ENV)
    if env:
        return env.encode("utf-8")
    path = Path(salt_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode("ascii")


def salt_fingerprint(salt: bytes) -> str:
    """A short public fingerprint of the salt (for cache keys; reveals nothing about the salt)."""
    return hmac.new(salt, b"jiesu-salt-fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonym(value: str, *, kind: str, salt: bytes, prefix: str) -> str:
    """One pseudonym: ``prefix`` + 12 hex chars of HMAC-SHA256(salt, kind ␟ value)."""
    message = f"{kind}\x1f{value}".encode()
    return prefix + hmac.new(salt, message, hashlib.sha256).hexdigest()[:ID_HEX_CHARS]


def pseudonymize(values: pd.Series, *, kind: str, salt: bytes, prefix: str) -> pd.Series:
    """Pseudonyms for a Series of strings; missing or empty values stay missing.

    Hashes each distinct value once (chat senders repeat thousands of times).
    """
    text = values.astype("string")
    present = text.notna() & (text.str.len() > 0)
    distinct = pd.unique(text[present])
    mapping = {value: pseudonym(value, kind=kind, salt=salt, prefix=prefix) for value in distinct}
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out.loc[present] = text[present].map(mapping)
    return out
