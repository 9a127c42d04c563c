"""What outputs send: the alarm as the API shows it, the event, a signature over the body."""

from __future__ import annotations

import hashlib
import hmac
import json

from service.alarms import AlarmEvent
from service.api.schemas.alarms import Alarm
from service.outputs import alarm_payload, encode_message, sign, verify
from service.outputs.payload import delivery_id
from tests.service.outputs.conftest import AddAlarm


def test_the_alarm_is_the_one_the_api_shows(add_alarm: AddAlarm) -> None:
    record = add_alarm()
    assert alarm_payload(record) == Alarm.from_record(record).model_dump()
    assert alarm_payload(record)["snapshots"] == {
        "crop": f"/api/alarms/{record.id}/snapshots/crop",
        "frame": None,
        "heatmap": None,
    }


def test_the_message_is_compact_sorted_json_with_the_event(add_alarm: AddAlarm) -> None:
    record = add_alarm()
    body = encode_message(AlarmEvent("end", record))
    message = json.loads(body)
    assert message == {"event": "end", "alarm": alarm_payload(record)}
    assert body == encode_message(AlarmEvent("end", record))  # the same bytes on every attempt
    assert b" " not in body.replace(b"bar_open", b"")  # no padding
    assert delivery_id(AlarmEvent("end", record)) == f"{record.id}:end"


def test_the_signature_is_the_hmac_sha256_of_the_body() -> None:
    secret, body = b"k" * 32, b'{"event":"new"}'
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    assert sign(secret, body) == f"sha256={expected}"
    assert verify(secret, body, f"sha256={expected}")
    assert not verify(secret, body + b" ", f"sha256={expected}")
    assert not verify(b"other" * 8, body, f"sha256={expected}")
