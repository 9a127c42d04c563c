"""``liftwatch pairing train|evaluate|crops|errors``: GetNet's own task, cluttered MNIST pairing.

Yu et al. (GetNet, Table I, MNIST row) pair 28×28 digits placed at random on 60×60 noisy
canvases; ``--model siamese`` trains the plain siamese network, ``--model getnet`` the same
sister behind a scale-and-translate STN, trained alternately (``models.pairing``). Heavy
imports happen inside the commands; user errors end in one ``error:`` line, exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.cli_models import console, user_errors
from service.progress import progress_bar

if TYPE_CHECKING:
    from models.pairing.train import PairingConfig

pairing_app = typer.Typer(
    help="GetNet's cluttered-MNIST pairing task (same digit or not).", no_args_is_help=True
)
MODEL_HELP = "siamese (plain) or getnet (STN + the same sister, trained alternately)."
SISTER_HELP = "lenet (small, fully connected head) or cnn (BatchNorm, global max-pool)."


def _epoch_line(record: dict[str, Any]) -> None:
    window = record.get("val_window_px")
    where = f", window {window:.1f} px from the digit" if window is not None else ""
    console.print(
        f"epoch {record['epoch']} ({record['phase']}): loss {record['loss']:.4f}, val accuracy "
        f"{100 * record['val_accuracy']:.2f} %{where}, {record['seconds']:.1f} s"
    )


def _window_line(window: dict[str, Any] | None) -> None:
    if window is not None:
        console.print(
            f"STN window centre {window['mean_px']:.1f} px from the digit's centre on average "
            f"(median {window['median_px']:.1f}; the canvas centre: "
            f"{window['canvas_centre_mean_px']:.1f}), mean scale {window['mean_scale']:.2f}"
        )


def _config(**kwargs: Any) -> PairingConfig:
    from models.pairing.train import PairingConfig

    return PairingConfig(**kwargs)


@pairing_app.command("train")
def train_cmd(
    out: Annotated[Path, typer.Option(help="Run directory: model.pt and result.json.")],
    model: Annotated[str, typer.Option(help=MODEL_HELP)] = "getnet",
    sister: Annotated[str, typer.Option(help=SISTER_HELP)] = "lenet",
    epochs: Annotated[int, typer.Option(min=1)] = 8,
    batch_size: Annotated[int, typer.Option(min=1)] = 64,
    lr: Annotated[float, typer.Option(help="Adam learning rate (the sister's).")] = 1e-3,
    lr_schedule: Annotated[
        str, typer.Option(help="constant, or cosine: annealed to 0 over the epochs.")
    ] = "constant",
    stn_lr_scale: Annotated[float, typer.Option(help="The STN's rate, times --lr.")] = 0.1,
    stn_init_scale: Annotated[
        float, typer.Option(help="The STN's starting window, of the canvas's side (1: all).")
    ] = 1.0,
    stn_localiser: Annotated[
        str, typer.Option(help="regress (fully connected) or heatmap (soft-argmax centre).")
    ] = "regress",
    stn_s_max: Annotated[
        float, typer.Option(help="The STN's largest window, of the canvas's side.")
    ] = 1.2,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    noise: Annotated[float, typer.Option(help="Background noise amplitude (0..1).")] = 0.5,
    noise_warmup: Annotated[
        int,
        typer.Option(min=0, help="Epochs over which the training noise rises from 0 (0: none)."),
    ] = 0,
    distort: Annotated[
        bool, typer.Option(help="Rotate, scale and shear the training digits afresh each epoch.")
    ] = False,
    elastic: Annotated[
        float,
        typer.Option(help="With --distort: bend the strokes too, a field this strong (0: none)."),
    ] = 0.0,
    warmup: Annotated[int, typer.Option(min=0, help="Joint epochs before alternating.")] = 2,
    stn_epochs: Annotated[int, typer.Option(min=0, help="STN-only epochs per cycle.")] = 1,
    joint_epochs: Annotated[int, typer.Option(min=0, help="Joint epochs per cycle.")] = 2,
    stn_from: Annotated[
        Path | None,
        typer.Option(help="Start GetNet's STN from this getnet model.pt (same localiser, canvas)."),
    ] = None,
    freeze_stn: Annotated[
        bool, typer.Option(help="Keep the --stn-from STN as it is: the sister alone learns.")
    ] = False,
    crop: Annotated[
        int | None,
        typer.Option(help="GetNet's crop side, the sister's input (default: the canvas's)."),
    ] = None,
    keep: Annotated[
        str,
        typer.Option(
            help="The weights kept: best (validation accuracy, the earliest on a tie), last "
            "(the final epoch) or average (the mean of the final --average-epochs epochs)."
        ),
    ] = "best",
    average_epochs: Annotated[
        int,
        typer.Option(min=1, help="The final epochs whose weights --keep average averages."),
    ] = 10,
    threads: Annotated[int | None, typer.Option(min=1, help="Torch threads.")] = None,
) -> None:
    """Train the plain siamese network or GetNet on cluttered MNIST pairs."""
    from models.pairing.train import train_pairing
    from models.train.device import torch_threads

    with user_errors():
        config = _config(
            model=model,
            sister=sister,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            stn_lr_scale=stn_lr_scale,
            stn_init_scale=stn_init_scale,
            stn_localiser=stn_localiser,
            stn_s_max=stn_s_max,
            seed=seed,
            noise=noise,
            noise_warmup=noise_warmup,
            distort=distort,
            elastic=elastic,
            warmup=warmup,
            stn_epochs=stn_epochs,
            joint_epochs=joint_epochs,
            stn_from=str(stn_from) if stn_from is not None else "",
            freeze_stn=freeze_stn,
            crop=crop,
            keep=keep,
            average_epochs=average_epochs,
        )
        with torch_threads(threads), progress_bar(f"training {model}") as update:
            result = train_pairing(config, out, progress=update, on_epoch=_epoch_line)
    console.print(
        f"{model}: test pairing accuracy {100 * result['test_accuracy']:.2f} % on "
        f"{result['test_pairs']} pairs (epoch {result['kept_epoch']}, kept as the "
        f"{result['keep']}: val {100 * result['val_accuracy']:.2f} %); wrote {out}"
    )
    _window_line(result["test_window"])


@pairing_app.command("evaluate")
def evaluate_cmd(
    weights: Annotated[Path, typer.Option(help="model.pt written by liftwatch pairing train.")],
    out: Annotated[Path | None, typer.Option(help="Write the result JSON here too.")] = None,
) -> None:
    """Test pairing accuracy of trained weights (held-out digits, fixed canvases)."""
    from models.pairing.train import evaluate_pairing

    with user_errors():
        result = evaluate_pairing(weights)
        if out is not None:
            out.write_text(json.dumps(result, indent=2) + "\n")
    console.print(
        f"{result['model']}: test pairing accuracy {100 * result['test_accuracy']:.2f} % on "
        f"{result['test_pairs']} pairs"
    )
    _window_line(result["test_window"])


@pairing_app.command("crops")
def crops_cmd(
    weights: Annotated[Path, typer.Option(help="A getnet model.pt.")],
    out: Annotated[Path, typer.Option(help="The PNG to write.")],
    count: Annotated[int, typer.Option(min=1, max=32)] = 8,
) -> None:
    """Picture of test canvases above the crops GetNet's STN takes of them."""
    from models.pairing.figure import save_crops_figure
    from models.pairing.train import load, make_data

    with user_errors():
        net, config, _ = load(weights)
        if net.stn is None:
            raise ValueError(f"{weights} holds a {config.model} network: it has no STN")
        canvases = make_data(config).test.canvases  # sorted by digit: take every k-th
        path = save_crops_figure(net, canvases[:: max(1, len(canvases) // count)][:count], out)
    console.print(f"wrote {path}")


@pairing_app.command("errors")
def errors_cmd(
    weights: Annotated[Path, typer.Option(help="A model.pt written by liftwatch pairing train.")],
    out: Annotated[Path, typer.Option(help="The PNG to write.")],
    count: Annotated[int, typer.Option(min=1, max=48)] = 16,
) -> None:
    """Picture of the test pairs the network judges wrongly, as its sister sees them."""
    from models.pairing.figure import save_errors_figure
    from models.pairing.train import load, make_data

    with user_errors():
        net, config, threshold = load(weights)
        test = make_data(config).test
        path, wrong = save_errors_figure(net, test, threshold, out, count)
    console.print(f"{wrong} of {len(test.pairs)} test pairs wrong; wrote {path}")
