"""``liftwatch serve`` refuses an exposed API without keys; ``liftwatch keys hash``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from service.api.keys import hash_key
from service.api.settings import Settings
from service.cli import app

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_serve_refuses_a_public_host_without_keys(host: str) -> None:
    result = runner.invoke(app, ["serve", "--host", host, "--stations", "/nonexistent"])
    assert result.exit_code == 2, result.output
    output = flat(result.output)
    assert f"refusing to listen on {host}: no API key is configured" in output
    assert "LIFTWATCH_API_KEYS" in output


def test_serve_refuses_the_public_host_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFTWATCH_HOST", "0.0.0.0")
    result = runner.invoke(app, ["serve", "--stations", "/nonexistent"])
    assert result.exit_code == 2 and "refusing to listen on 0.0.0.0" in flat(result.output)


def test_serve_refuses_placeholder_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {"name": "desk", "role": "admin", "sha256": hash_key("changeme")}
    monkeypatch.setenv("LIFTWATCH_API_KEYS", json.dumps([entry]))
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "LIFTWATCH_API_KEYS[0][sha256]: this is the digest of a placeholder key" in flat(
        result.output
    )


def test_keys_hash_prints_a_key_and_its_entry() -> None:
    result = runner.invoke(app, ["keys", "hash", "--name", "desk-2", "--role", "operator"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    key = next(line for line in lines if line.startswith("lw_"))
    entry = json.loads(next(line for line in lines if line.startswith("{")))
    assert entry == {"name": "desk-2", "role": "operator", "sha256": hash_key(key)}
    assert Settings(api_keys=[entry]).api_keys[0].name == "desk-2"


def test_keys_hash_of_a_given_key() -> None:
    key = "a-long-enough-key-from-a-vault-0001"
    result = runner.invoke(app, ["keys", "hash", "--name", "ci", "--stdin"], input=key + "\n")
    assert result.exit_code == 0, result.output
    assert key not in result.output
    assert json.loads(result.output.splitlines()[-1])["sha256"] == hash_key(key)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [(["--stdin"], "changeme\n", "placeholder key"), (["--stdin"], "short\n", "at least 20"),
     (["--role", "root"], None, "role: Input should be"), (["--name", "a b"], None, "name:")],
)  # fmt: skip
def test_keys_hash_refuses(args: list[str], stdin: str | None, message: str) -> None:
    name = [] if "--name" in args else ["--name", "x"]
    result = runner.invoke(app, ["keys", "hash", *name, *args], input=stdin)
    assert result.exit_code == 2 and message in flat(result.output)
