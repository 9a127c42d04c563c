"""Settings: LIFTWATCH_* variables, API keys from JSON or a file, placeholders refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.api.keys import PLACEHOLDER_KEYS, generate_key, hash_key, match_key
from service.api.settings import ApiKey, Settings, SettingsError, load_settings
from tests.service.api.conftest import key_entries


def test_defaults_listen_on_loopback_without_keys() -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.api_keys == [] and not settings.auth_enabled
    assert settings.cors_origins == [] and settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.exposure_problem() is None


def test_every_field_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
    for name, field in ApiKey.model_fields.items():
        assert field.description, name


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIFTWATCH_PORT", "9090")
    monkeypatch.setenv("LIFTWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIFTWATCH_API_KEYS", json.dumps(key_entries()))
    settings = Settings()
    assert settings.port == 9090 and settings.data_dir == tmp_path
    assert [k.role for k in settings.api_keys] == ["viewer", "operator", "admin"]
    assert load_settings(port=7000, host=None).port == 7000  # options over the environment


@pytest.mark.parametrize("placeholder", ["changeme", "secret", "password", "admin", ""])
def test_placeholder_keys_are_refused(placeholder: str) -> None:
    entry = {"name": "desk", "role": "operator", "sha256": hash_key(placeholder)}
    with pytest.raises(ValidationError, match="placeholder key"):
        Settings(api_keys=[entry])
    assert placeholder in PLACEHOLDER_KEYS


def test_placeholder_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = {"name": "desk", "role": "viewer", "sha256": hash_key("changeme").upper()}
    monkeypatch.setenv("LIFTWATCH_API_KEYS", json.dumps([entry]))
    with pytest.raises(SettingsError, match=r"LIFTWATCH_API_KEYS\[0\]\[sha256\]: .*placeholder"):
        load_settings()


def test_a_raw_key_instead_of_its_digest_is_refused() -> None:
    with pytest.raises(ValidationError, match="not the key itself"):
        Settings(api_keys=[{"name": "desk", "role": "viewer", "sha256": generate_key()}])


def test_a_placeholder_database_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="database password is a placeholder"):
        Settings(database_url="postgresql+psycopg://liftwatch:changeme@db/liftwatch")
    url = "postgresql+psycopg://liftwatch:Xq3-long-and-random@db/liftwatch"
    settings = Settings(database_url=url)
    assert "Xq3" not in repr(settings)


def test_unknown_fields_and_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Settings(api_key="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Settings(api_keys=[{**key_entries()[0], "key": "x"}])
    with pytest.raises(ValidationError, match="role"):
        Settings(api_keys=[{**key_entries()[0], "role": "root"}])
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)


def test_names_and_digests_are_unique() -> None:
    viewer, operator, _ = key_entries()
    with pytest.raises(ValidationError, match="two API keys are named 'view-1'"):
        Settings(api_keys=[viewer, {**operator, "name": "view-1"}])
    with pytest.raises(ValidationError, match="digest of another key"):
        Settings(api_keys=[viewer, {**viewer, "name": "other"}])


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_keys_from_a_file(tmp_path: Path, suffix: str) -> None:
    viewer, operator, admin = key_entries()
    path = tmp_path / f"keys.{suffix}"
    if suffix == "json":
        path.write_text(json.dumps({"api_keys": [operator, admin]}))
    else:
        lines = [f"- name: {e['name']}\n  role: {e['role']}\n  sha256: {e['sha256']}\n"
                 for e in (operator, admin)]  # fmt: skip
        path.write_text("".join(lines))
    settings = Settings(api_keys=[viewer], api_keys_file=path)
    assert [k.name for k in settings.api_keys] == ["view-1", "op-1", "admin-1"]


def test_a_bad_keys_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("- name: desk\n  role: viewer\n  sha256: changeme\n")
    with pytest.raises(SettingsError, match=r"keys\.yaml: \[0\]\[sha256\]: must be the 64 hex"):
        load_settings(api_keys_file=path)
    with pytest.raises(SettingsError, match="cannot read API keys file"):
        load_settings(api_keys_file=tmp_path / "missing.yaml")


def test_a_public_host_without_keys_is_an_exposure() -> None:
    assert "refusing to listen on 0.0.0.0" in (Settings(host="0.0.0.0").exposure_problem() or "")
    assert Settings(host="192.168.1.10").exposure_problem() is not None
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert Settings(host=host).exposure_problem() is None
    assert Settings(host="0.0.0.0", api_keys=key_entries()).exposure_problem() is None


def test_keys_match_by_digest_only() -> None:
    settings = Settings(api_keys=key_entries())
    key = generate_key()
    assert key.startswith("lw_") and len(key) >= 40 and key != generate_key()
    assert match_key(key, settings.api_keys) is None
    matched = match_key("lw_operator-key-for-tests-000000000000000000", settings.api_keys)
    assert matched is not None and matched.name == "op-1"
