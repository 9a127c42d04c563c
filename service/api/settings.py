"""The service's settings: one pydantic-settings model read from ``LIFTWATCH_*`` variables.

Keys are configured as ``{name, role, sha256}`` entries (``liftwatch keys hash`` makes one): in
``LIFTWATCH_API_KEYS`` as JSON, or in a JSON or YAML file named by ``LIFTWATCH_API_KEYS_FILE``
(a list, or a mapping with an ``api_keys`` list), or both. Only digests are ever configured; a
digest of an obvious placeholder (``changeme``, ``secret``, ``password``, ``admin``, the empty
key...) is refused, and so is such a database password.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from service.api.keys import PLACEHOLDER_KEYS, Role, is_placeholder
from service.api.loopback import is_loopback_address

ENV_PREFIX = "LIFTWATCH_"
DEFAULT_DATA_DIR = Path("data/liftwatch")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"


class SettingsError(ValueError):
    """Settings that do not validate; the message names each variable and what is wrong."""


class ApiKey(BaseModel):
    """One API key as configured: who holds it, what it may do, and its digest (never the key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        pattern=NAME_PATTERN,
        description="Who holds the key; recorded as who acknowledged an alarm.",
        examples=["station-2-desk"],
    )
    role: Role = Field(description="viewer (read), operator (+ acknowledge, masks), admin.")
    sha256: str = Field(
        description="Lower-case hex SHA-256 of the key (`liftwatch keys hash` prints it).",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )

    @field_validator("sha256")
    @classmethod
    def _digest(cls, value: str) -> str:
        digest = value.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(
                "must be the 64 hex digits of the key's SHA-256, not the key itself "
                "(`liftwatch keys hash` prints a new key and its digest)"
            )
        if is_placeholder(digest):
            raise ValueError(
                "this is the digest of a placeholder key ('changeme', 'secret', 'password', "
                "'admin', the empty key...): "
                "make a real one with `liftwatch keys hash`"
            )
        return digest


class Settings(BaseSettings):
    """Everything the service reads from its environment (``LIFTWATCH_<FIELD>``)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address the API listens on; a non-loopback one needs API keys.",
    )
    port: int = Field(
        default=8080, ge=0, le=65535, description="TCP port of the API (0: any free one)."
    )
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR, description="Alarm database (SQLite), snapshots and lift masks."
    )
    database_url: str | None = Field(
        default=None,
        repr=False,
        description="SQLAlchemy URL of the alarm store; unset: SQLite in data_dir.",
    )
    api_keys: list[ApiKey] = Field(
        default_factory=list,
        description="API keys as JSON: [{name, role, sha256}]; none: loopback clients only.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="A JSON or YAML file of more API keys (a list, or {api_keys: [...]}).",
    )
    max_upload_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (uploads included).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed by CORS, as JSON; empty (the default): CORS off.",
    )
    sse_heartbeat_s: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="Seconds between keep-alive comments of the SSE feed.",
    )

    @field_validator("database_url")
    @classmethod
    def _database_password(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            password = make_url(value).password
        except ArgumentError as exc:
            raise ValueError(f"not a SQLAlchemy database URL: {exc}") from exc
        if password is not None and str(password).lower() in PLACEHOLDER_KEYS[1:]:
            raise ValueError("the database password is a placeholder: set a real one")
        return value

    @model_validator(mode="after")
    def _keys(self) -> Settings:
        if self.api_keys_file is not None:
            self.api_keys = [*self.api_keys, *load_keys_file(self.api_keys_file)]
        seen_names: set[str] = set()
        seen_digests: set[str] = set()
        for key in self.api_keys:
            if key.name in seen_names:
                raise ValueError(f"two API keys are named {key.name!r}: names must be unique")
            if key.sha256 in seen_digests:
                raise ValueError(f"API key {key.name!r} has the digest of another key")
            seen_names.add(key.name)
            seen_digests.add(key.sha256)
        return self

    @property
    def auth_enabled(self) -> bool:
        """Whether keys are configured (otherwise only loopback clients are served)."""
        return bool(self.api_keys)

    def exposure_problem(self) -> str | None:
        """Why serving on ``host`` would be unsafe (a non-loopback address without any key)."""
        if self.auth_enabled or is_loopback_address(self.host):
            return None
        return (
            f"refusing to listen on {self.host}: no API key is configured, so anyone who can "
            f"reach it would be admin. Configure {ENV_PREFIX}API_KEYS or {ENV_PREFIX}API_KEYS_FILE "
            "(`liftwatch keys hash` makes a key), or listen on 127.0.0.1"
        )


def load_keys_file(path: Path) -> list[ApiKey]:
    """The keys of a JSON or YAML file: a list of entries, or a mapping with ``api_keys``."""
    try:
        document: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read API keys file {path}: {exc}") from exc
    if isinstance(document, dict) and set(document) == {"api_keys"}:
        document = document["api_keys"]
    if not isinstance(document, list):
        raise ValueError(f"API keys file {path}: expected a list of {{name, role, sha256}}")
    try:
        return TypeAdapter(list[ApiKey]).validate_python(document)
    except ValidationError as exc:
        raise ValueError(f"API keys file {path}: {_problems(exc, '')}") from exc


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with ``overrides`` (those not ``None``) on top.

    Raises :class:`SettingsError` naming each offending variable.
    """
    values = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(f"invalid settings: {_problems(exc, ENV_PREFIX)}") from exc


def _problems(exc: ValidationError, prefix: str) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"]]
        head, rest = (prefix + loc[0].upper(), loc[1:]) if prefix and loc else ("", loc)
        where = head + "".join(f"[{p}]" for p in rest)
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)
