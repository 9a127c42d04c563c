"""Opening the alarm database: the SQLAlchemy engine, durable SQLite settings, clear errors.

SQLite (the single-machine default) gets ``journal_mode=WAL`` and ``synchronous=FULL`` on every
connection: with both, a committed transaction is on disk when ``COMMIT`` returns, so a stored
alarm survives ``kill -9`` and a power loss, and readers (the API) never block the writer.
PostgreSQL is reached by a ``postgresql+psycopg://`` URL. Errors name the URL with its password
masked, never the password.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from service.alarms.migrate import add_missing_columns
from service.alarms.schema import metadata

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite writer waits for another connection's write lock before failing."""
PG_CONNECT_TIMEOUT_S = 10
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z0-9+.-]+://[^:/@]*):[^@]*@")


class AlarmStoreError(RuntimeError):
    """The alarm database cannot be opened or used; the message names the (masked) URL."""


def mask_url(url: str | URL) -> str:
    """``url`` as text with its password replaced by ``***`` (even when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\g<scheme>:***@", str(url))


def describe(exc: BaseException, url: str | URL) -> str:
    """A one-line reason for ``exc``: the driver's message when there is one, no password."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    raw = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    text = text.replace(raw, mask_url(url))
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        password = None
    return text.replace(str(password), "***") if password else text


def open_engine(url: str | URL) -> Engine:
    """An engine on ``url`` with the alarm tables created; :class:`AlarmStoreError` if it fails."""
    where = mask_url(url)
    try:
        parsed = make_url(url)
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=_connect_args(parsed))
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise AlarmStoreError(
            f"cannot open the alarm store at {where}: {describe(exc, url)} (expected "
            "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE)"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_durable)
    try:
        metadata.create_all(engine)
        add_missing_columns(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise AlarmStoreError(
            f"cannot open the alarm store at {where}: {describe(exc, url)}"
        ) from exc
    logger.info("alarm store open at %s", where)
    return engine


def _connect_args(url: URL) -> dict[str, Any]:
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    return {}


def _sqlite_durable(dbapi_connection: Any, _record: Any) -> None:
    """On each new SQLite connection: WAL, fsync on every commit, wait for locks."""
    cursor = dbapi_connection.cursor()
    try:
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()
    if str(mode).lower() != "wal":
        logger.warning(
            "SQLite kept journal_mode=%s instead of WAL (an in-memory database, or a file "
            "system without shared memory): readers may block the writer",
            mode,
        )
