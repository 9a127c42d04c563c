"""API keys: made at random, stored only as their SHA-256, compared in constant time.

No FastAPI here: ``liftwatch keys hash`` and the settings use it without loading the web stack.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar, get_args

Role = Literal["viewer", "operator", "admin"]
"""viewer reads; operator also acknowledges alarms, uploads masks, classifies; admin also runs
models and jobs. Each role may do all that the roles below it may."""
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_RANK: dict[Role, int] = {role: rank for rank, role in enumerate(ROLES)}

KEY_PREFIX = "lw_"
"""Marks liftwatch keys so that secret scanners and people can recognise one."""
KEY_BYTES = 32
PLACEHOLDER_KEYS = (
    "",
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "admin",
    "administrator",
    "operator",
    "viewer",
    "liftwatch",
    "apikey",
    "api-key",
    "api_key",
    "key",
    "token",
    "test",
    "default",
    "example",
    "1234",
    "12345678",
    "123456",
    "letmein",
    "xxx",
)
"""Keys nobody should deploy; their digests are refused in settings."""


def hash_key(key: str) -> str:
    """The lower-case hex SHA-256 of ``key`` (UTF-8): what the settings store."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


PLACEHOLDER_DIGESTS = frozenset(hash_key(k) for k in PLACEHOLDER_KEYS)


def generate_key() -> str:
    """A new random key: ``lw_`` and 43 URL-safe characters (256 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def is_placeholder(digest: str) -> bool:
    """Whether ``digest`` is the SHA-256 of an obvious placeholder (``changeme``, ``secret``...)."""
    return digest.lower() in PLACEHOLDER_DIGESTS


class HasDigest(Protocol):
    @property
    def sha256(self) -> str: ...


K = TypeVar("K", bound=HasDigest)


def match_key(presented: str, keys: Iterable[K]) -> K | None:
    """The configured key whose digest is ``presented``'s, or ``None``.

    Every configured digest is compared (``hmac.compare_digest``, no early exit), so the time
    taken says nothing about which key, or how much of one, matched.
    """
    digest = hash_key(presented)
    found: K | None = None
    for key in keys:
        if hmac.compare_digest(digest, key.sha256):
            found = key
    return found
