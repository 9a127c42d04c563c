"""The MQTT output: each alarm event published to ``<topic_prefix>/<station id>``.

The message is ``{"event": "new|update|end", "alarm": {...}}`` (see :mod:`.payload`). paho-mqtt
keeps the connection in its own thread and reconnects after a broker restart or a network cut,
waiting ``backoff_initial_s`` then up to ``backoff_max_s`` between tries. With QoS 1 or 2 a
delivery counts once the broker acknowledged it; a message not yet acknowledged when an attempt
times out stays with paho (which re-sends it after a reconnect) and the next attempt waits for
that same message rather than publishing a copy. Subscribers may still see a repeat (QoS 1 is
"at least once"): ``alarm.id`` and ``event`` tell them apart.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from service.alarms import OutputKind
from service.config.outputs import MqttConfig
from service.outputs.payload import delivery_id, encode_message
from service.outputs.policy import Job
from service.outputs.sender import DeliveryError

logger = logging.getLogger(__name__)

KEEPALIVE_S = 30


class MqttSender:
    """Publishes a station's alarm events to one broker (one connection per station)."""

    kind: OutputKind = "mqtt"

    def __init__(
        self,
        station_id: str,
        config: MqttConfig,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.station_id = station_id
        self.config = config
        self.topic = f"{config.topic_prefix}/{station_id}"
        self._username, self._password = username, password
        self._client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._problem = "not connected yet"
        self._unacked: tuple[str, mqtt.MQTTMessageInfo] | None = None

    @property
    def target(self) -> str:
        return f"mqtt://{self.config.host}:{self.config.port}/{self.topic}"

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def open(self) -> None:
        """Start connecting in paho's thread (retried until :meth:`close`)."""
        client_id = f"liftwatch-{self.station_id}-{uuid.uuid4().hex[:8]}"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        if self._username is not None:
            client.username_pw_set(self._username, self._password)
        if self.config.tls:
            client.tls_set()
        client.reconnect_delay_set(
            min_delay=max(1, round(self.config.backoff_initial_s)),
            max_delay=max(1, round(self.config.backoff_max_s)),
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.connect_async(self.config.host, self.config.port, keepalive=KEEPALIVE_S)
        client.loop_start()
        self._client = client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            client.loop_stop()
        self._connected.clear()

    def send(self, job: Job) -> None:
        if self._client is None:
            raise DeliveryError("the MQTT output is not open")
        key = delivery_id(job.event)
        info = self._unacked[1] if self._unacked and self._unacked[0] == key else None
        self._unacked = None
        timeout = self.config.timeout_s
        if info is None:
            if not self._connected.wait(timeout):
                raise DeliveryError(f"not connected to the broker: {self._problem}")
            info = self._client.publish(self.topic, encode_message(job.event), self.config.qos)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                raise DeliveryError(f"publish failed: {mqtt.error_string(info.rc)}")
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            raise DeliveryError(f"publish failed: {exc}") from exc
        if not info.is_published():
            self._unacked = (key, info)  # paho still holds it: wait for it next time
            raise DeliveryError(f"the broker did not acknowledge within {timeout:g} s")

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            self._problem = f"connection refused: {reason}"
            logger.warning(
                "MQTT output of %s: %s refused: %s", self.station_id, self.target, reason
            )
            return
        self._connected.set()
        logger.info("MQTT output of %s: connected to %s", self.station_id, self.target)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        was = self._connected.is_set()
        self._connected.clear()
        self._problem = f"disconnected: {reason}"
        if was and self._client is not None:
            logger.warning(
                "MQTT output of %s: lost %s (%s); reconnecting",
                self.station_id,
                self.target,
                reason,
            )

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        if self._problem != "cannot reach the broker":
            logger.warning(
                "MQTT output of %s: cannot reach %s; retrying", self.station_id, self.target
            )
        self._problem = "cannot reach the broker"
