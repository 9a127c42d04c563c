"""The shell scripts of scripts/ and .ci/ parse (``bash -n``): a syntax error fails here, not
on a lent GPU machine or in CI's first minute."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*ROOT.glob("scripts/*.sh"), ROOT / ".ci" / "run"])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_parses(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_gpu_runs_script_is_among_them() -> None:
    assert ROOT / "scripts" / "gpu_runs.sh" in SCRIPTS
