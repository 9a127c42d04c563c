"""Who is calling, and may they: API keys with roles viewer < operator < admin.

A client sends ``Authorization: Bearer <key>``; the key's SHA-256 is compared with every
configured digest in constant time. ``require(role)`` is the dependency routes declare (through
the ``ViewerDep``, ``OperatorDep`` and ``AdminDep`` aliases of :mod:`service.api.deps`): 401 with
``WWW-Authenticate`` for a missing or unknown key, 403 for a role too low.

With no key configured the API serves loopback clients only, as admin (a single operator on the
machine itself), and refuses every other client with 403 saying that keys must be configured.
Behind a reverse proxy on the same machine every client looks local: configure keys there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, status

from service.api.errors import ApiError
from service.api.keys import ROLE_RANK, Role, match_key
from service.api.loopback import is_loopback_client
from service.api.settings import ENV_PREFIX, Settings
from service.api.state import settings_of

logger = logging.getLogger(__name__)

LOCAL_NAME = "local"
"""The principal of a loopback client when no key is configured."""
REALM = 'Bearer realm="liftwatch"'


@dataclass(frozen=True)
class Principal:
    """The caller: the key's name and role (``local``/admin for a keyless loopback client)."""

    name: str
    role: Role
    via: Literal["key", "loopback"]

    def may(self, role: Role) -> bool:
        """Whether this caller holds ``role`` or a higher one."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def _unauthorized(message: str, invalid: bool) -> ApiError:
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return ApiError(
        status.HTTP_401_UNAUTHORIZED, "unauthorized", message, {"WWW-Authenticate": challenge}
    )


def bearer_token(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header; ``None`` when there is none."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <API key>'", invalid=True)
    return token.strip()


def authenticate(settings: Settings, authorization: str | None, client: str | None) -> Principal:
    """The principal of a request; :class:`ApiError` 401 or 403 when there is none."""
    if not settings.auth_enabled:
        if is_loopback_client(client):
            return Principal(LOCAL_NAME, "admin", "loopback")
        raise ApiError(
            status.HTTP_403_FORBIDDEN,
            "forbidden",
            "no API key is configured, so this server only accepts clients on its own machine; "
            f"configure {ENV_PREFIX}API_KEYS (see `liftwatch keys hash`) to serve others",
        )
    token = bearer_token(authorization)
    if token is None:
        raise _unauthorized("an API key is required: send 'Authorization: Bearer <key>'", False)
    key = match_key(token, settings.api_keys)
    if key is None:
        logger.info("request from %s with an unknown API key refused", client)
        raise _unauthorized("unknown API key", invalid=True)
    return Principal(key.name, key.role, "key")


def require(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the caller's :class:`Principal` if they hold ``role`` (or higher)."""

    async def dependency(request: Request) -> Principal:
        client = request.client.host if request.client else None
        principal = authenticate(settings_of(request), request.headers.get("authorization"), client)
        if not principal.may(role):
            raise ApiError(
                status.HTTP_403_FORBIDDEN,
                "forbidden",
                f"this needs the {role} role; key {principal.name!r} is {principal.role}",
            )
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency
