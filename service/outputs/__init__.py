"""Alarm outputs: every alarm event of a station also goes to a signed webhook and/or an MQTT
topic, as its ``outputs:`` config says, retried until the receiver accepts it.

:class:`DeliveryService` (built from the station configs, run by ``liftwatch serve``) listens on
the alarm bus and feeds one :class:`OutputWorker` thread per output; the state of every delivery
is kept in the alarm store (``alarm_deliveries``), shown by ``GET /api/alarms/{id}`` and counted
on ``/metrics``.
"""

from __future__ import annotations

from service.outputs.mqtt import MqttSender
from service.outputs.payload import alarm_payload, encode_message, sign, verify
from service.outputs.policy import Job, RetryPolicy
from service.outputs.sender import DeliveryError, Sender
from service.outputs.service import DeliveryService, OutputSetupError, senders_of
from service.outputs.webhook import WebhookSender
from service.outputs.worker import OutputWorker

__all__ = [
    "DeliveryError",
    "DeliveryService",
    "Job",
    "MqttSender",
    "OutputSetupError",
    "OutputWorker",
    "RetryPolicy",
    "Sender",
    "WebhookSender",
    "alarm_payload",
    "encode_message",
    "senders_of",
    "sign",
    "verify",
]
