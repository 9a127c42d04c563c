"""``liftwatch explain evaluate`` and ``liftwatch explain image``: Dist-CAM and CAM heatmaps.

``evaluate`` scores heatmaps against the synthetic bar segmentation of a data set split (pointing
game, IoU; ``models.explain.evaluate``) for Dist-CAM on a siamese model, CAM on a classifier
checkpoint (optional) and a random map, and writes JSON (and optionally markdown and a picture of
examples). ``image`` writes one crop's Dist-CAM overlay against the nearer of two masks.
Heavy imports happen inside the commands; user errors end in one ``error:`` line, exit code 2.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli_models import console, user_errors
from service.progress import progress_bar

if TYPE_CHECKING:
    from models.explain.explainers import Explainer

explain_app = typer.Typer(
    help="Explanation heatmaps: Dist-CAM (siamese), CAM (classifier).", no_args_is_help=True
)
DEFAULT_SIAMESE = Path("models/default/siamese-fast.onnx")
SIAMESE_HELP = "Siamese model: exported .onnx (feature map found by graph surgery) or .pt."


def _explainers(
    siamese: Path, classifier: Path | None, seed: int, threads: int | None
) -> list[tuple[str, Explainer]]:
    from models.explain.explainers import RandomExplainer
    from models.explain.load import cam_explainer, distcam_explainer

    distcam = distcam_explainer(siamese, threads)
    found: list[tuple[str, Explainer]] = [(f"Dist-CAM {distcam.config.model}", distcam)]
    if classifier is not None:
        cam = cam_explainer(classifier, threads)
        found.append((f"CAM {cam.config.model}", cam))
    found.append(("random", RandomExplainer(seed)))
    return found


def _markdown(results: dict, labels: dict[str, str], command: str, seconds: float) -> str:
    from models.explain.report import overall_table, per_lift_table

    return (
        f"Command: `{command}` ({seconds:.0f} s)\n\n{overall_table(results, labels)}\n\n"
        f"Per lift:\n\n{per_lift_table(results)}\n"
    )


@explain_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[Path, typer.Option(help="Data set directory (liftwatch synth dataset).")],
    out: Annotated[Path, typer.Option(help="Results JSON to write.")],
    siamese: Annotated[Path, typer.Option(help=SIAMESE_HELP)] = DEFAULT_SIAMESE,
    classifier: Annotated[
        Path | None, typer.Option(help="Classifier checkpoint (.pt, GAP + linear) for CAM.")
    ] = None,
    split: Annotated[str, typer.Option(help="train, val or test.")] = "test",
    lifts: Annotated[str | None, typer.Option(help="Lift subset, e.g. 1,2,7-9.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most N images per lift.")] = None,
    markdown: Annotated[Path | None, typer.Option(help="Also write markdown tables.")] = None,
    examples: Annotated[Path | None, typer.Option(help="Also write a PNG of overlays.")] = None,
    example_lifts: Annotated[
        str | None, typer.Option(help="Lifts shown in --examples (default: the first four).")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the random-map baseline.")] = 0,
    threads: Annotated[int | None, typer.Option(min=1, help="Torch/ONNX threads.")] = None,
) -> None:
    """Pointing game and IoU of heatmaps against the bar segmentation, per lift and overall."""
    from models.explain.evaluate import evaluate
    from models.explain.figure import example_rows, examples_figure, write_figure
    from models.synthetic.store import read_manifest
    from models.train.presets import parse_lifts

    with user_errors():
        read_manifest(data)
        chosen = parse_lifts(lifts) if lifts else None
        named = _explainers(siamese, classifier, seed, threads)
        start = time.perf_counter()
        with progress_bar(f"{split} images") as update:
            results = evaluate(data, [e for _, e in named], split, chosen, limit, update)
        seconds = time.perf_counter() - start
        report = results.to_dict()
        labels = {e.name: title for title, e in named}
        report["methods"] = labels
        report["seconds"] = round(seconds, 1)
        command = shlex.join(["liftwatch", *sys.argv[1:]])
        report["command"] = command
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
        console.print(_markdown(report, labels, command, seconds))
        if markdown is not None:
            markdown.parent.mkdir(parents=True, exist_ok=True)
            markdown.write_text(_markdown(report, labels, command, seconds))
        if examples is not None:
            evaluated = sorted(int(k) for k in report["skipped_no_bar"])
            shown = list(parse_lifts(example_lifts)) if example_lifts else evaluated[:4]
            rows = example_rows(data, split, shown, 2)
            write_figure(examples, examples_figure(data, rows, named))
            console.print(f"examples: {examples}")
    console.print(f"results: {out}")


@explain_app.command("image")
def image_cmd(
    image: Annotated[Path, typer.Option(help="A registered crop (BGR image file).")],
    open_mask: Annotated[Path, typer.Option("--open", help="The lift's open mask (PNG).")],
    closed_mask: Annotated[Path, typer.Option("--closed", help="The lift's closed mask (PNG).")],
    out: Annotated[Path, typer.Option(help="Overlay PNG to write.")],
    model: Annotated[Path, typer.Option(help=SIAMESE_HELP)] = DEFAULT_SIAMESE,
    threads: Annotated[int | None, typer.Option(min=1, help="Torch/ONNX threads.")] = None,
) -> None:
    """Dist-CAM of IMAGE against the nearer of the two masks, drawn over it."""
    import cv2

    from models.explain.load import distcam_explainer
    from models.explain.overlay import overlay

    with user_errors():
        for path in (image, open_mask, closed_mask):
            if not path.is_file():
                raise ValueError(f"image file {path} does not exist")
        crop = cv2.imread(str(image), cv2.IMREAD_COLOR)
        opened = cv2.imread(str(open_mask), cv2.IMREAD_GRAYSCALE)
        closed = cv2.imread(str(closed_mask), cv2.IMREAD_GRAYSCALE)
        if crop is None or opened is None or closed is None:
            raise ValueError(f"cannot read {image}, {open_mask} or {closed_mask} as an image")
        explainer = distcam_explainer(model, threads)
        explainer.set_masks("lift", opened, closed)
        result = explainer.explain(crop[None], "lift")
        out.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(out), overlay(crop, result.heatmaps[0])):
            raise OSError(f"could not write {out}")
    state = "open" if int(result.predicted[0]) == 1 else "closed"
    console.print(f"predicted {state}; Dist-CAM against the {state} mask written to {out}")
