"""``outputs:`` of a station config: where the station's alarms go besides the operators' screen.

A webhook (an HTTP POST signed with HMAC-SHA256) and an MQTT topic, each optional. Secrets are
never written in the YAML: the config names the environment variables that hold them
(``secret_env``, ``username_env``, ``password_env``), read when ``liftwatch serve`` starts.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME_PATTERN)]
"""The name of an environment variable (letters, digits and ``_``, not starting with a digit)."""
TOPIC_PATTERN = r"^[^/#+\s\x00][^#+\s\x00]*[^/#+\s\x00]$|^[^/#+\s\x00]$"
"""An MQTT topic without wildcards (``+``, ``#``), spaces, or a slash at either end."""


class RetryConfig(BaseModel):
    """How a delivery is retried: exponential backoff, bounded by attempts and by age."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="Seconds one attempt may take (HTTP connect and response; MQTT connection "
        "and broker acknowledgement) before it counts as failed.",
    )
    max_attempts: int = Field(
        default=10, ge=1, le=1000, description="Attempts after which a delivery is marked failed."
    )
    max_age_s: float = Field(
        default=900.0,
        gt=0,
        description="Seconds after the alarm event past which a delivery is marked failed "
        "instead of retried (an alarm that old is no use to a klaxon).",
    )
    backoff_initial_s: float = Field(
        default=1.0, gt=0, description="Wait before the second attempt; it doubles after each."
    )
    backoff_max_s: float = Field(
        default=60.0, gt=0, description="Longest wait between two attempts."
    )

    @model_validator(mode="after")
    def _backoff_order(self) -> RetryConfig:
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError(
                f"backoff_max_s ({self.backoff_max_s:g}) is below backoff_initial_s "
                f"({self.backoff_initial_s:g})"
            )
        return self


class WebhookConfig(RetryConfig):
    """An HTTP(S) endpoint that receives every alarm event of the station as a signed POST."""

    url: str = Field(
        description="http:// or https:// URL the alarm JSON is POSTed to; any 2xx answer is a "
        "delivery, anything else is retried."
    )
    secret_env: EnvName = Field(
        description="Name of the environment variable holding the HMAC-SHA256 key that signs "
        "each body (header X-Liftwatch-Signature: sha256=<hex>); never the secret itself."
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise ValueError("must not hold credentials: the body is signed with secret_env")
        return value.strip()


class MqttConfig(RetryConfig):
    """An MQTT broker that gets every alarm event of the station on ``<topic_prefix>/<id>``."""

    host: str = Field(min_length=1, max_length=253, description="The broker's host name or IP.")
    port: int = Field(default=1883, ge=1, le=65535, description="The broker's TCP port.")
    topic_prefix: str = Field(
        default="liftwatch/alarms",
        pattern=TOPIC_PATTERN,
        max_length=200,
        description="Messages go to <topic_prefix>/<station id> (no wildcards, no slash at "
        "either end).",
    )
    qos: Literal[0, 1, 2] = Field(
        default=1,
        description="MQTT quality of service; with 1 or 2 a delivery counts once the broker "
        "acknowledged it.",
    )
    username_env: EnvName | None = Field(
        default=None, description="Environment variable holding the broker user name, if any."
    )
    password_env: EnvName | None = Field(
        default=None, description="Environment variable holding the broker password, if any."
    )
    tls: bool = Field(
        default=False,
        description="Connect with TLS, checking the broker's certificate against the system's "
        "certificate authorities (the port is then usually 8883).",
    )


class OutputsConfig(BaseModel):
    """Where the station's alarm events are delivered (``new``, ``update``, ``end``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook: WebhookConfig | None = Field(
        default=None, description="A signed HTTP POST of every alarm event; none when absent."
    )
    mqtt: MqttConfig | None = Field(
        default=None, description="An MQTT message for every alarm event; none when absent."
    )

    @property
    def configured(self) -> bool:
        """Whether any output is configured."""
        return self.webhook is not None or self.mqtt is not None
