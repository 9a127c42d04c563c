"""The deployment files are valid and consistent: YAML and JSON parse, docker-compose.yml mounts
files that exist and runs the demo on all interfaces with keys from an env file, the Grafana
dashboard has the promised panels, and every liftwatch series the rules and the dashboard query
is one the app exposes. promtool checks the Prometheus config and rules, and runs the rules'
unit tests (skipped where promtool is not installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.service.deploy.app import DEPLOY, ROOT, exposed_names, referenced_names, served_app

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "liftwatch.json"
RULES = DEPLOY / "rules" / "liftwatch.yml"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_compose_runs_the_demo_with_prometheus_and_grafana() -> None:
    compose = load_yaml(ROOT / "docker-compose.yml")
    services = compose["services"]
    assert set(services) == {"liftwatch", "prometheus", "grafana"}
    liftwatch = services["liftwatch"]
    assert liftwatch["command"] == ["serve", "--demo", "--host", "0.0.0.0"]
    assert liftwatch["env_file"] == ["deploy/liftwatch.env"]  # the API keys (never in here)
    assert "8080:8080" in liftwatch["ports"]
    example = (DEPLOY / "liftwatch.env.example").read_text()
    assert "LIFTWATCH_API_KEYS=" in example and "liftwatch keys hash" in example
    for name in ("prometheus", "grafana"):
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts a missing {source}"
    prometheus = services["prometheus"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    grafana_env = services["grafana"]["environment"]
    assert grafana_env["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_prometheus_scrapes_liftwatch_and_loads_the_rules() -> None:
    config = load_yaml(DEPLOY / "prometheus.yml")
    [job] = config["scrape_configs"]
    assert job["job_name"] == "liftwatch" and job["metrics_path"] == "/metrics"
    assert job["static_configs"] == [{"targets": ["liftwatch:8080"]}]
    assert config["rule_files"] == ["rules/liftwatch.yml"]
    alerts = {rule["alert"] for group in load_yaml(RULES)["groups"] for rule in group["rules"]}
    assert {
        "LiftwatchCameraDown",
        "LiftwatchNoAnalysedFrames",
        "LiftwatchAlarmDeliveryFailing",
        "LiftwatchFrameToDecisionSlow",
    } <= alerts


def test_grafana_is_provisioned_with_the_dashboard() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    [source] = load_yaml(provisioning / "datasources" / "prometheus.yml")["datasources"]
    assert (source["uid"], source["url"]) == ("prometheus", "http://prometheus:9090")
    [provider] = load_yaml(provisioning / "dashboards" / "liftwatch.yml")["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "liftwatch"
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    titles = {p["title"] for p in panels}
    assert {
        "Camera up",
        "Frames per second",
        "Dropped frames",
        "Registration score",
        "Inference batch size",
        "Inference batch latency",
        "Frame-to-decision latency",
        "Alarms by type",
        "Alarm delivery failures",
    } <= titles
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]


def test_every_queried_series_is_exposed_by_the_app(tmp_path: Path) -> None:
    queried = referenced_names(RULES.read_text()) | referenced_names(DASHBOARD.read_text())
    assert len(queried) >= 15
    with served_app(tmp_path) as server:
        exposed = exposed_names(server.url)
    assert queried <= exposed, f"not exposed by the app: {sorted(queried - exposed)}"


def promtool(*args: str) -> str:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.skip("promtool is not installed (Debian's prometheus package has it)")
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_promtool_checks_the_config() -> None:
    assert "1 rule files found" in promtool("check", "config", str(DEPLOY / "prometheus.yml"))


def test_promtool_checks_the_rules() -> None:
    assert "SUCCESS: 8 rules found" in promtool("check", "rules", str(RULES))


def test_the_rules_fire_as_their_unit_tests_expect() -> None:
    assert "SUCCESS" in promtool("test", "rules", str(DEPLOY / "rules" / "liftwatch_test.yml"))
