"""The demo's stations: synthetic boarding-station videos, generated on first use.

``ensure_demo_stations(folder)`` films each demo lift once (``models.synthetic.video``) into
``folder/<lift>/`` and writes ``folder/<lift>.yaml`` pointing at it, with the lift's masks in
``folder/masks/<lift>/``; later calls find the files and return at once. The videos loop, so the
demo runs for as long as it is left running.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from models.synthetic.scene import World
from models.synthetic.video import generate_station_video

logger = logging.getLogger(__name__)

DEMO_LIFTS = (1, 7, 12)
DEMO_PASSAGES = 12


def _station_yaml(folder: Path, name: str) -> None:
    """``folder/<name>.yaml`` from the generated ``folder/<name>/station.yaml``."""
    config = yaml.safe_load((folder / name / "station.yaml").read_text(encoding="utf-8"))
    config["source"] = f"{name}/{config['source']}"
    config["registration"]["reference"] = f"{name}/{config['registration']['reference']}"
    config["capture"] = {"loop": True}
    text = yaml.safe_dump(config, sort_keys=False)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def ensure_demo_stations(
    folder: Path,
    lifts: Sequence[int] = DEMO_LIFTS,
    passages: int = DEMO_PASSAGES,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The demo station folder, filmed where it is missing; returns ``folder``."""
    world = World(0)
    for lift in lifts:
        name = f"lift-{lift:02d}"
        out = folder / name
        if not (out / "truth.json").is_file():  # written last
            if progress is not None:
                progress(f"filming the demo station of {name} (first run only)")
            generate_station_video(world, lift, passages, out, seed=lift, violation_rate=0.3)
        masks = folder / "masks" / name
        masks.mkdir(parents=True, exist_ok=True)
        for state in ("open", "closed"):
            shutil.copyfile(out / "masks" / f"{state}.png", masks / f"{state}.png")
        _station_yaml(folder, name)
    return folder
