"""The webhook output: each alarm event POSTed as JSON, signed with HMAC-SHA256.

Headers: ``Content-Type: application/json``, ``X-Liftwatch-Event: new|update|end``,
``X-Liftwatch-Delivery: <alarm id>:<event>`` and ``X-Liftwatch-Signature: sha256=<hex>`` (the
HMAC of the exact body bytes with the secret named by ``secret_env``). Only a 2xx answer is a
delivery; redirects are not followed (a 3xx is retried like any other failure).
"""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit, urlunsplit

from service.alarms import OutputKind
from service.config.outputs import WebhookConfig
from service.outputs.payload import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    delivery_id,
    encode_message,
    sign,
)
from service.outputs.policy import Job
from service.outputs.sender import DeliveryError

USER_AGENT = "liftwatch-webhook/1"
MAX_RESPONSE_BYTES = 64 * 1024
"""The most of a response body read (and ignored): a receiver cannot make us hold more."""


class WebhookSender:
    """POSTs a station's alarm events to ``config.url``."""

    kind: OutputKind = "webhook"

    def __init__(self, station_id: str, config: WebhookConfig, secret: bytes) -> None:
        self.station_id = station_id
        self.config = config
        self._secret = secret
        parts = urlsplit(config.url)
        self._https = parts.scheme.lower() == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        self._target = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
        self._context = ssl.create_default_context() if self._https else None

    @property
    def target(self) -> str:
        """The URL without its query (which may carry a token)."""
        return self._target

    def open(self) -> None:
        """Nothing to prepare: one connection per attempt."""

    def close(self) -> None:
        """Nothing held between attempts."""

    def send(self, job: Job) -> None:
        body = encode_message(job.event)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: job.event.kind,
            DELIVERY_HEADER: delivery_id(job.event),
            SIGNATURE_HEADER: sign(self._secret, body),
        }
        connection = self._connection()
        try:
            connection.request("POST", self._path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryError(_reason(exc, self.config.timeout_s)) from exc
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise DeliveryError(f"HTTP {response.status} {response.reason}".strip())

    def _connection(self) -> http.client.HTTPConnection:
        timeout = self.config.timeout_s
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=self._context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)


def _reason(exc: BaseException, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"
