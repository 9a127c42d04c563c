"""``liftwatch harvest``: a data set extended with labelled crops of station videos.

Each station folder is one ``liftwatch synth video`` output (station.yaml, its video, masks and
truth.json). Its video is replayed through the whole pipeline, the registered crops of the
passages that match the truth are labelled by the truth's bar angles
(``service.pipeline.harvest``), up to ``--per-lift`` of them per lift are drawn (half open, half
closed where both allow), and a new data set is written: the base data set's images plus these
as training images (``models.synthetic.extend``). Train on it as on any data set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli_models import _fail, console, user_errors
from service.cli_pipeline import DeviceOpt, EngineOpt, ModelOpt, ThreadsOpt, _choice
from service.progress import progress_bar


def _station_files(folder: Path) -> tuple[Path, Path]:
    station, truth = folder / "station.yaml", folder / "truth.json"
    for path in (station, truth):
        if not path.is_file():
            raise _fail(f"{folder} holds no {path.name}: give folders written by synth video")
    return station, truth


def harvest_cmd(
    stations: Annotated[
        list[Path], typer.Argument(help="Station folders written by `liftwatch synth video`.")
    ],
    base: Annotated[Path, typer.Option(help="The data set to extend (e.g. data/world).")],
    out: Annotated[Path, typer.Option(help="New directory for the extended data set.")],
    per_lift: Annotated[
        int, typer.Option(min=2, max=100_000, help="Crops kept per lift (half open).")
    ] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the draw of the kept crops.")] = 0,
    engine: EngineOpt = "onnx",
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Extend a data set with labelled registered crops of station videos (see module doc)."""
    from models.synthetic.extend import ExtraImage, extend_dataset
    from service.config import StationConfigError, load_station_config
    from service.pipeline.harvest import LabelledCrop, harvest, pick_balanced
    from service.pipeline.lifts import find_masks
    from service.pipeline.models import build_classifier
    from service.pipeline.score import load_json

    choice = _choice(engine, model, device, threads)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise _fail(f"{out} is not empty: the extended data set needs a new directory")
    crops: list[LabelledCrop] = []
    with user_errors(), progress_bar("harvest") as update:
        for done, folder in enumerate(stations):
            station, truth_path = _station_files(folder)
            try:
                config = load_station_config(station)
            except StationConfigError as exc:
                raise _fail(str(exc)) from exc
            masks = find_masks(config.lift, station)
            if masks is None:
                raise _fail(f"{folder}: no masks for lift {config.lift}")
            truth = load_json(truth_path, "truth")
            classifier = build_classifier(choice, {config.lift: masks})
            found = harvest(config, classifier, truth)
            console.print(f"{folder}: {len(found)} labelled crops")
            crops += found
            update(done + 1, len(stations))
        kept = pick_balanced(crops, per_lift, seed)
        extra = [ExtraImage(c.lift, c.label, c.bar_angle, c.jpeg) for c in kept]
        note = {
            "source": "registered crops of station videos (liftwatch harvest)",
            "stations": [str(s) for s in stations],
            "per_lift": per_lift,
            "seed": seed,
            "model": str(model) if model else "shipped default",
        }
        extend_dataset(base, out, extra, note)
    opened = sum(c.label == "open" for c in kept)
    console.print(
        f"wrote {out}: {base} + {len(kept)} video crops ({opened} open, {len(kept) - opened} "
        f"closed) of {len({c.lift for c in kept})} lifts, from {len(crops)} labelled"
    )


def register_harvest_command(app: typer.Typer) -> None:
    app.command("harvest")(harvest_cmd)
