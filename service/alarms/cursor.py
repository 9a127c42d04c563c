"""The opaque page cursor of the alarm list: the position of the last alarm of a page.

Alarms are listed newest first on ``(raised_at, id)``, a total order since ids are unique, so the
next page is "everything strictly after that pair" and no alarm is repeated or skipped, even
when alarms share a ``raised_at`` or new ones arrive between pages. The cursor is URL-safe
base64 of ``<raised_at as float.hex()>|<id>``: exact (no decimal rounding) and opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass

ALARM_ID_PATTERN = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last alarm's ``raised_at`` and ``id``."""

    raised_at: float
    id: str


def encode_cursor(position: Position) -> str:
    """The opaque cursor of ``position``."""
    text = f"{position.raised_at.hex()}|{position.id}"
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position of a cursor from :func:`encode_cursor`; ``ValueError`` if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        hex_time, alarm_id = text.split("|")
        raised_at = float.fromhex(hex_time)
    except (UnicodeError, binascii.Error, ValueError) as exc:
        raise _invalid(cursor) from exc
    if not math.isfinite(raised_at) or not ALARM_ID_PATTERN.fullmatch(alarm_id):
        raise _invalid(cursor)
    return Position(raised_at, alarm_id)


def _invalid(cursor: str) -> ValueError:
    return ValueError(
        f"invalid cursor {cursor!r}: pass the next_cursor of a previous page unchanged"
    )
