"""What an output sends: ``{"event": "new|update|end", "alarm": {...}}`` as compact JSON, and
the HMAC-SHA256 signature a webhook receiver checks it with.

The alarm is the one ``GET /api/alarms/{id}`` returns (snapshot links instead of file paths).
The event kind is in the body as well as in the ``X-Liftwatch-Event`` header, so that the
signature covers it. The body of an event is the same on every attempt: a receiver may drop a
repeat by ``X-Liftwatch-Delivery`` (``<alarm id>:<event>``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from service.alarms import AlarmEvent, AlarmRecord

ALARMS_PATH = "/api/alarms"
SIGNATURE_HEADER = "X-Liftwatch-Signature"
EVENT_HEADER = "X-Liftwatch-Event"
DELIVERY_HEADER = "X-Liftwatch-Delivery"
SIGNATURE_PREFIX = "sha256="


def alarm_payload(record: AlarmRecord) -> dict[str, Any]:
    """The alarm as the API shows it: every field, with links to its snapshots."""
    data = record.to_dict()
    crop, frame = data.pop("crop_snapshot"), data.pop("frame_snapshot")
    heatmap = data.pop("heatmap_snapshot")
    base = f"{ALARMS_PATH}/{record.id}/snapshots"
    data["snapshots"] = {
        "crop": f"{base}/crop" if crop else None,
        "frame": f"{base}/frame" if frame else None,
        "heatmap": f"{base}/heatmap" if heatmap else None,
    }
    return data


def encode_message(event: AlarmEvent) -> bytes:
    """The UTF-8 JSON body of one alarm event (keys sorted: the same bytes on every attempt)."""
    message = {"event": event.kind, "alarm": alarm_payload(event.record)}
    text = json.dumps(message, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def sign(secret: bytes, body: bytes) -> str:
    """The ``X-Liftwatch-Signature`` value of ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the one of ``body`` (constant time): what a receiver does."""
    return hmac.compare_digest(sign(secret, body), signature)


def delivery_id(event: AlarmEvent) -> str:
    """``<alarm id>:<event>``: the same for every attempt of one delivery."""
    return f"{event.record.id}:{event.kind}"
