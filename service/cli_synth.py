"""``liftwatch synth ...`` and ``liftwatch demo``: generate and show the synthetic world."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from models.synthetic.contact_sheet import make_contact_sheet
from models.synthetic.dataset import DatasetSpec
from models.synthetic.preview import make_video_preview
from models.synthetic.samples import DEFAULT_DIFFICULTY
from models.synthetic.scene import World
from models.synthetic.splits import VARIANTS
from models.synthetic.store import DatasetError, write_dataset
from models.synthetic.video import generate_station_video
from service.progress import progress_bar

synth_app = typer.Typer(help="Generate the synthetic chairlift world.", no_args_is_help=True)
console = Console()
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=2)


def _dataset(spec: DatasetSpec, out: Path, workers: int) -> dict[str, object]:
    try:
        with progress_bar(f"images → {out}") as update:
            manifest = write_dataset(spec, out, workers=workers, progress=update)
        sheet = make_contact_sheet(out)
    except (DatasetError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"wrote {manifest['images']} images of {len(spec.lifts)} lifts to {out}")
    console.print(f"contact sheet: {sheet}")
    return manifest


@synth_app.command("dataset")
def dataset(
    out: Annotated[Path, typer.Option(help="Directory to write (new, empty or an old data set).")],
    lifts: Annotated[int, typer.Option(min=1, max=200, help="Number of lifts (1..N).")] = 20,
    variant: Annotated[str, typer.Option(help="small: Table 1 splits; large: Table 3 train.")] = (
        "small"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the images (the lifts stay the same).")] = 0,
    world_seed: Annotated[int, typer.Option(help="Seed of the lifts themselves.")] = 0,
    difficulty: Annotated[float, typer.Option(min=0.0, max=3.0)] = DEFAULT_DIFFICULTY,
    train_scale: Annotated[float, typer.Option(min=0.001, max=1.0, help="Shrink train.")] = 1.0,
    test_scale: Annotated[float, typer.Option(min=0.001, max=1.0, help="Shrink test.")] = 1.0,
    workers: Annotated[int, typer.Option(min=1, max=64)] = DEFAULT_WORKERS,
) -> None:
    """Write a labelled data set of registered images with masks, segmentation, contact sheet."""
    if variant not in VARIANTS:
        raise _fail(f"--variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    spec = DatasetSpec(
        lifts=tuple(range(1, lifts + 1)),
        seed=seed,
        world_seed=world_seed,
        variant=variant,
        difficulty=difficulty,
        train_scale=train_scale,
        test_scale=test_scale,
    )
    _dataset(spec, out, workers)


@synth_app.command("video")
def video(
    lift: Annotated[int, typer.Option(min=1, help="Lift number (1-based).")],
    out: Annotated[Path, typer.Option(help="Directory for station.mp4, truth.json, config.")],
    passages: Annotated[int, typer.Option(min=1, max=5000)] = 20,
    seed: Annotated[int, typer.Option()] = 0,
    world_seed: Annotated[int, typer.Option()] = 0,
    fps: Annotated[float | None, typer.Option(min=5, max=60)] = None,
    difficulty: Annotated[float, typer.Option(min=0.0, max=3.0)] = DEFAULT_DIFFICULTY,
    violation_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.25,
) -> None:
    """Write a station video of carriers leaving, with its ground truth and station config."""
    try:
        with progress_bar(f"frames → {out}") as update:
            truth = generate_station_video(
                World(world_seed),
                lift,
                passages,
                out,
                seed=seed,
                fps=fps,
                difficulty=difficulty,
                violation_rate=violation_rate,
                progress=update,
            )
        preview = make_video_preview(out)
    except (OSError, RuntimeError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    violations = sum(p.violation for p in truth.passages)
    console.print(
        f"wrote {truth.frames} frames at {truth.fps:g} fps, {len(truth.passages)} "
        f"passages ({violations} with the bar open at departure) to {out}"
    )
    console.print(f"every departure at a glance: {preview}")


def demo(
    out: Annotated[Path, typer.Option(help="Where the demo world goes.")] = Path("data/demo"),
    workers: Annotated[int, typer.Option(min=1, max=64)] = DEFAULT_WORKERS,
) -> None:
    """Generate the demo world (a small 20-lift data set and a station video) and show it."""
    spec = DatasetSpec(test_scale=0.05)
    _dataset(spec, out / "dataset", workers)
    video(
        lift=1,
        out=out / "station-L01",
        passages=8,
        seed=0,
        world_seed=0,
        fps=None,
        difficulty=DEFAULT_DIFFICULTY,
        violation_rate=0.25,
    )
    table = Table(title="liftwatch demo world")
    table.add_column("what")
    table.add_column("where")
    table.add_row("contact sheet (20 lifts)", str(out / "dataset" / "contact_sheet.png"))
    table.add_row("data set manifest", str(out / "dataset" / "manifest.json"))
    table.add_row("station video", str(out / "station-L01" / "station.mp4"))
    table.add_row("its departures at a glance", str(out / "station-L01" / "preview.png"))
    table.add_row("ground truth", str(out / "station-L01" / "truth.json"))
    table.add_row("station config", str(out / "station-L01" / "station.yaml"))
    console.print(table)


@synth_app.command("calibrate")
def calibrate_cmd(
    out: Annotated[Path, typer.Option(help="Where calibration.json and .png go.")] = Path(
        "docs/calibration"
    ),
    difficulties: Annotated[str, typer.Option(help="Comma-separated difficulties.")] = (
        "0.5,1.0,1.5"
    ),
    test_scale: Annotated[float, typer.Option(min=0.001, max=1.0)] = 1.0,
    workers: Annotated[int, typer.Option(min=1, max=64)] = DEFAULT_WORKERS,
) -> None:
    """Train a plain CNN on 100 images per lift at each difficulty; plot test accuracy."""
    from models.synthetic.calibrate import CalibrationPoint, calibrate

    try:
        levels = [float(x) for x in difficulties.split(",") if x.strip()]
    except ValueError as exc:
        raise _fail(f"--difficulties must be numbers separated by commas: {exc}") from exc
    if not levels:
        raise _fail("--difficulties names no difficulty")

    def report(p: CalibrationPoint) -> None:
        console.print(
            f"difficulty {p.difficulty:g}: plain CNN test accuracy "
            f"{100 * p.test_accuracy:.2f} % (mean of lifts "
            f"{100 * p.mean_lift_accuracy:.2f} %, {p.epochs} epochs)"
        )

    with progress_bar("calibration epochs") as update:

        def step(stage: str, done: int, total: int) -> None:
            i = levels.index(float(stage))
            update(i * total + done, len(levels) * total)

        calibrate(
            levels, DatasetSpec(test_scale=test_scale), out, workers, progress=step, on_point=report
        )
    console.print(f"wrote {out / 'calibration.json'} and {out / 'calibration.png'}")
