"""The dashboard's page and files: public (they hold no data), strict CSP, every module served,
nothing outside the static folder; the data behind it still needs a key."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.routes.dashboard import STATIC_DIR
from tests.service.api.conftest import auth

ROOT = Path(__file__).resolve().parents[3]
IMPORT = re.compile(r"""^import\s[^;]*?from\s+["'](\.[^"']+)["']""", re.MULTILINE)


def modules_of(text: str) -> list[str]:
    return IMPORT.findall(text)


def test_the_page_is_public_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="/static/js/main.js"></script>' in response.text
    assert client.get("/api/alarms").status_code == 401  # the data is not public
    assert client.get("/api/alarms", headers=auth("viewer")).status_code == 200


def test_the_page_has_no_inline_script() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handlers break the CSP"


def test_every_module_the_page_imports_is_served(client: TestClient) -> None:
    seen: set[str] = set()
    todo = ["/static/js/main.js"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "javascript" in response.headers["content-type"], url
        assert response.headers["cache-control"] == "no-cache"
        base = url.rsplit("/", 1)[0]
        todo += [f"{base}/{m.removeprefix('./')}" for m in modules_of(response.text)]
    served = {f"/static/js/{p.name}" for p in (STATIC_DIR / "js").glob("*.js")}
    assert seen == served, "a module is missing, or one is never imported"
    css = client.get("/static/css/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_nothing_outside_the_static_folder_is_served(client: TestClient) -> None:
    for path in (
        "/static/..%2froutes%2fdashboard.py",
        "/static/%2e%2e/settings.py",
        "/static/js/..%2f..%2fauth.py",
        "/static/",
        "/static/js",
        "/static/nothing.js",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert client.post("/static/js/main.js").status_code == 405
    assert client.head("/static/js/main.js").status_code == 200


def test_the_page_is_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


def test_keyless_server_gives_the_page_to_anyone_but_data_to_this_machine(
    keyless_app: FastAPI,
) -> None:
    with TestClient(keyless_app) as local:
        assert local.get("/").status_code == 200
        assert local.get("/api/alarms").status_code == 200
    with TestClient(keyless_app, client=("203.0.113.9", 50000)) as remote:
        assert remote.get("/").status_code == 200
        assert remote.get("/api/alarms").status_code == 403


def test_every_static_file_ships_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service.api"]
    package = STATIC_DIR.parent
    files = [p.relative_to(package).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert files
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), f"{name} would not ship"
