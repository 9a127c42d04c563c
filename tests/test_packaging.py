"""The distribution ships every module: each source folder must be a regular package."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("top", ["models", "service"])
def test_every_source_folder_is_a_package(top: str) -> None:
    folders = {p.parent for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"add __init__.py to {missing}: setuptools would leave them out"


def test_models_do_not_import_the_service() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "models").rglob("*.py")
        if any(w in p.read_text() for w in ("import service", "from service", "fastapi"))
    ]
    assert not offenders, f"models must import without the service: {offenders}"
