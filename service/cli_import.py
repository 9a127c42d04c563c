"""``liftwatch import-onnx``: a trainable checkpoint from an exported (shipped) ONNX model.

The ONNX export folds BatchNorm into the convolutions, so a shipped ``.onnx`` cannot be
fine-tuned as it is; this rebuilds the model, calibrates its BatchNorms on training images of a
data set (``models.zoo.onnx_import``), checks it against ONNX Runtime and writes a checkpoint
that ``liftwatch train --init`` takes, e.g. to fine-tune the shipped model on new crops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli_models import _fail, console, user_errors


def import_onnx_cmd(
    model: Annotated[Path, typer.Argument(help="An .onnx file written by liftwatch export.")],
    data: Annotated[
        str,
        typer.Option(
            help="Data set (directory or synthetic:...) whose training images calibrate it."
        ),
    ],
    out: Annotated[Path, typer.Option(help="The checkpoint (.pt) to write.")],
    images: Annotated[
        int, typer.Option(min=2, max=4096, help="Training images drawn for the calibration.")
    ] = 256,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the draw of those images.")] = 0,
) -> None:
    """Rebuild MODEL as a trainable checkpoint (its BatchNorms calibrated on --data)."""
    import numpy as np

    from models.train.data import load_data
    from models.zoo.checkpoint import save_checkpoint
    from models.zoo.onnx_import import import_onnx

    if out.suffix != ".pt":
        raise _fail(f"--out must end in .pt, got {out}")
    if not model.is_file():
        raise _fail(f"ONNX model {model} does not exist")
    with user_errors():
        train = load_data(data).split("train")
        if len(train.images) < 2:
            raise ValueError(f"--data {data} has {len(train.images)} training images, need 2")
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(train.images), min(images, len(train.images)), replace=False)
        rebuilt, report = import_onnx(model, train.images[np.sort(pick)])
        extra = {"imported_from": str(model), "calibration_images": report.calibration_images}
        save_checkpoint(rebuilt, out, extra)
    console.print(
        f"wrote {out}: {rebuilt.model_name}, {report.convolutions} convolutions "
        f"({report.batchnorms} BatchNorms calibrated on {report.calibration_images} images of "
        f"{data}), {len(report.copied)} weights copied by name; largest difference from ONNX "
        f"Runtime {report.max_difference:.2g}",
        soft_wrap=True,
    )


def register_import_command(app: typer.Typer) -> None:
    """Add ``import-onnx`` to the ``liftwatch`` app."""
    app.command("import-onnx")(import_onnx_cmd)
