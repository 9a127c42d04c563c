"""A real Prometheus server (Debian's package) scrapes the app, served by uvicorn on loopback
with API keys configured, every second: the liftwatch series reach its query API, and the
alerting rules of deploy/rules/ load and evaluate without error."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.service.deploy.app import DEPLOY, served_app

WAIT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def query_api(base: str, path: str, **query: str) -> Any:
    url = f"{base}{path}?{urllib.parse.urlencode(query)}" if query else f"{base}{path}"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


def config_for(target: str) -> str:
    """A prometheus.yml like deploy/'s, scraping ``target`` every second."""
    return (
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {DEPLOY / 'rules' / 'liftwatch.yml'}\n"
        "scrape_configs:\n  - job_name: liftwatch\n    metrics_path: /metrics\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
    )


@contextmanager
def prometheus(binary: str, folder: Path, target: str) -> Iterator[str]:
    """Prometheus on a free loopback port (never the packaged service's 9090), scraping
    ``target``; yields its base URL and stops it after the block."""
    folder.mkdir()
    config = folder / "prometheus.yml"
    config.write_text(config_for(target))
    port = free_port()
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def poll(check: Callable[[], Any], what: str, log: Path) -> Any:
    """``check()``'s first truthy result within ``WAIT_S`` seconds (errors count as not yet)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} within {WAIT_S:g} s; prometheus log:\n{log.read_text()[-3000:]}")


def test_prometheus_scrapes_the_liftwatch_series(tmp_path: Path) -> None:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("the prometheus binary is not installed (apt-get install prometheus)")
    with served_app(tmp_path / "app") as server:
        target = f"127.0.0.1:{server.port}"
        with prometheus(binary, tmp_path / "prom", target) as base:
            log = tmp_path / "prom" / "prometheus.log"

            def scraped() -> list[dict[str, Any]]:
                query = '{__name__=~"liftwatch_.+"}'
                result = query_api(base, "/api/v1/query", query=query)["result"]
                names = {series["metric"]["__name__"] for series in result}
                return result if "liftwatch_alarm_output_failing" in names else []

            series = poll(scraped, "no liftwatch_* series in Prometheus", log)
            up = query_api(base, "/api/v1/query", query='up{job="liftwatch"}')["result"]
            assert [s["value"][1] for s in up] == ["1"]

            def evaluated() -> list[dict[str, Any]]:
                groups: list[dict[str, Any]] = query_api(base, "/api/v1/rules")["groups"]
                rules = [rule for group in groups for rule in group["rules"]]
                return groups if rules and all(r["health"] != "unknown" for r in rules) else []

            groups = poll(evaluated, "the rules were not evaluated", log)
    names = {s["metric"]["__name__"] for s in series}
    assert {
        "liftwatch_capture_fps",
        "liftwatch_camera_up",
        "liftwatch_frames_analysed_total",
        "liftwatch_frame_to_decision_seconds_bucket",
        "liftwatch_inference_batch_size_bucket",
        "liftwatch_alarms_total",
        "liftwatch_alarm_deliveries",
    } <= names
    stations = {
        s["metric"].get("station")
        for s in series
        if s["metric"]["__name__"] == "liftwatch_camera_up"
    }
    assert stations == {"st-a", "st-b"}
    assert [g["name"] for g in groups] == ["liftwatch"]
    assert len(groups[0]["rules"]) == 8
    unhealthy = [(r["name"], r.get("lastError")) for r in groups[0]["rules"] if r["health"] != "ok"]
    assert not unhealthy
