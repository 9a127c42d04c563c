"""``outputs:`` of a station config: optional webhook and MQTT blocks, unknown keys refused by
name, secrets named by environment variable only, errors with the field and the YAML line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.config import (
    MqttConfig,
    OutputsConfig,
    StationConfigError,
    WebhookConfig,
    load_station_config,
)
from tests.service.config.conftest import WriteConfig, valid

WEBHOOK = {"url": "https://klaxon.local/hook", "secret_env": "LIFT03_WEBHOOK_SECRET"}


def with_outputs(outputs: Any) -> dict[str, Any]:
    return {**valid(), "outputs": outputs}


def problems(path: Path) -> list[str]:
    with pytest.raises(StationConfigError) as caught:
        load_station_config(path)
    return [p.describe() for p in caught.value.problems]


def test_no_outputs_by_default(write: WriteConfig) -> None:
    config = load_station_config(write("a.yaml", valid()))
    assert config.outputs == OutputsConfig()
    assert not config.outputs.configured


def test_both_outputs_with_their_defaults(write: WriteConfig) -> None:
    path = write("a.yaml", with_outputs({"webhook": WEBHOOK, "mqtt": {"host": "broker.local"}}))
    outputs = load_station_config(path).outputs
    assert outputs.configured
    assert outputs.webhook == WebhookConfig.model_validate(WEBHOOK)
    assert outputs.webhook is not None and outputs.webhook.max_attempts == 10
    assert (outputs.webhook.timeout_s, outputs.webhook.max_age_s) == (5.0, 900.0)
    mqtt = outputs.mqtt
    assert mqtt == MqttConfig(host="broker.local")
    assert mqtt is not None
    assert (mqtt.port, mqtt.topic_prefix, mqtt.qos, mqtt.tls) == (
        1883,
        "liftwatch/alarms",
        1,
        False,
    )
    assert (mqtt.username_env, mqtt.password_env) == (None, None)


def test_an_unknown_output_key_is_named_with_the_allowed_ones(write: WriteConfig) -> None:
    path = write("a.yaml", with_outputs({"webhook": {**WEBHOOK, "secret": "hunter2hunter2"}}))
    [problem] = problems(path)
    assert problem.startswith("outputs.webhook.secret: unknown key (allowed: timeout_s,")
    assert "secret_env" in problem and problem.endswith("(line 9)")
    [problem] = problems(write("b.yaml", with_outputs({"slack": {}})))
    assert problem == "outputs.slack: unknown key (allowed: webhook, mqtt) (line 9)"


@pytest.mark.parametrize(
    ("webhook", "field", "message"),
    [
        ({"url": "ftp://x/y"}, "url", "must be an http:// or https:// URL with a host"),
        ({"url": "https://"}, "url", "must be an http:// or https:// URL with a host"),
        ({"url": "https://u:p@x/y"}, "url", "must not hold credentials"),
        ({"secret_env": "not a name"}, "secret_env", "should match pattern"),
        ({"secret_env": None}, "secret_env", "should be a valid string"),
        ({"timeout_s": 0}, "timeout_s", "greater than 0"),
        ({"max_attempts": 0}, "max_attempts", "greater than or equal to 1"),
        ({"backoff_initial_s": 5, "backoff_max_s": 1}, None, "backoff_max_s (1) is below"),
    ],
)
def test_webhook_errors(
    write: WriteConfig, webhook: dict[str, Any], field: str | None, message: str
) -> None:
    [problem] = problems(write("a.yaml", with_outputs({"webhook": {**WEBHOOK, **webhook}})))
    where = "outputs.webhook" + (f".{field}" if field else "")
    assert problem.startswith(f"{where}: ") and message in problem, problem


def test_the_secret_env_is_required(write: WriteConfig) -> None:
    [problem] = problems(write("a.yaml", with_outputs({"webhook": {"url": WEBHOOK["url"]}})))
    assert problem == "outputs.webhook.secret_env: required key missing (line 9)"


@pytest.mark.parametrize(
    ("mqtt", "field"),
    [
        ({"topic_prefix": "alarms/#"}, "topic_prefix"),
        ({"topic_prefix": "/alarms"}, "topic_prefix"),
        ({"topic_prefix": "alarms/"}, "topic_prefix"),
        ({"topic_prefix": "a+b"}, "topic_prefix"),
        ({"qos": 3}, "qos"),
        ({"port": 0}, "port"),
        ({"host": ""}, "host"),
        ({"password_env": "1ABC"}, "password_env"),
    ],
)
def test_mqtt_errors(write: WriteConfig, mqtt: dict[str, Any], field: str) -> None:
    path = write("a.yaml", with_outputs({"mqtt": {"host": "broker.local", **mqtt}}))
    [problem] = problems(path)
    assert problem.startswith(f"outputs.mqtt.{field}: "), problem


def test_a_nested_topic_prefix_and_credentials_by_env(write: WriteConfig) -> None:
    mqtt = {
        "host": "10.1.2.3",
        "topic_prefix": "resort/lift-03/alarms",
        "qos": 2,
        "username_env": "MQTT_USER",
        "password_env": "MQTT_PASSWORD",
    }
    config = load_station_config(write("a.yaml", with_outputs({"mqtt": mqtt})))
    assert config.outputs.mqtt == MqttConfig.model_validate(mqtt)
