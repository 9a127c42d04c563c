"""``liftwatch train``, ``liftwatch evaluate`` and ``liftwatch export``: the model commands.

Heavy imports (torch, the zoo) happen inside the commands, so other commands start fast. Every
error a user can cause (unknown model, bad ``--data``, missing or foreign weights, a run that
cannot resume, no CUDA) ends in one red ``error:`` line and exit code 2, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import get_console
from rich.markup import escape
from rich.table import Table

from service.progress import progress_bar

if TYPE_CHECKING:
    from models.evaluate.tables import AccuracyTable
    from models.train.data import LiftData
    from models.train.log import EpochRecord

# The global console: progress bars (service.progress) draw on it, so lines printed during a
# run appear above the bar.
console = get_console()
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
MODEL_HELP = "Registered model name (see the zoo: siamese-fast, siamese-paper, ...)."
DATA_HELP = "Data set directory, or synthetic:small|large[:seed=N,lifts=N,test_scale=F,...]."


def _fail(message: str, code: int = 2) -> typer.Exit:
    lines = message.strip().splitlines() or [message]
    console.print(f"[bold red]error:[/] {escape(lines[0])}", soft_wrap=True)
    return typer.Exit(code=code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into ``error: ...`` and exit code 2."""
    try:
        yield
    except (ValueError, OSError, RuntimeError) as exc:  # UnknownModelError is a ValueError
        raise _fail(str(exc) or type(exc).__name__) from exc


def _check_model(name: str) -> None:
    from models.zoo.registry import model_class

    model_class(name)


def _model_kind(name: str) -> str:
    from models.zoo.registry import model_class

    return str(model_class(name).kind)


def _model_kwargs(model: str, items: list[str], pretrained: Path | None) -> dict[str, Any]:
    from models.zoo.model_args import parse_model_args

    kwargs = parse_model_args(model, items)
    if pretrained is not None:
        kwargs["pretrained"] = str(pretrained)
    return kwargs


def _load_data(text: str, workers: int) -> LiftData:
    from models.train.data import load_data

    return load_data(text, workers)


def _preload(data: LiftData, splits: tuple[str, ...]) -> None:
    for split in splits:
        with progress_bar(f"{split} images") as update:
            data.split(split, progress=update)


def _epoch_line(record: EpochRecord) -> None:
    star = " [green]best[/]" if record.best else ""
    console.print(
        f"epoch {record.epoch}: loss {record.loss:.4f}, val accuracy "
        f"{100 * record.val_accuracy:.2f} %, lr {record.lr:.3g}, {record.seconds:.1f} s{star}"
        + (f", {record.hard_cases} hard triplets" if record.hard_cases is not None else "")
    )


def train_cmd(
    model: Annotated[str, typer.Argument(help=MODEL_HELP)],
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    out: Annotated[Path, typer.Option(help="Run directory: checkpoints, log.jsonl, config.")],
    optimizer: Annotated[str, typer.Option(help="sgd (Nesterov, the paper's) or adam.")] = "sgd",
    lr: Annotated[
        float | None,
        typer.Option(help="Base learning rate (default: per model, see models/train/config.py)."),
    ] = (None),
    lr_decay: Annotated[float, typer.Option(help="Keras decay: lr / (1 + decay·updates).")] = 1e-4,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    epochs: Annotated[int, typer.Option(min=1, help="Maximum number of epochs.")] = 100,
    patience: Annotated[int, typer.Option(min=1, help="Epochs without a better val.")] = 10,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    input_size: Annotated[int | None, typer.Option(min=8, help="Square input side.")] = None,
    lifts: Annotated[str | None, typer.Option(help="Lift subset, e.g. 1,2,7-9.")] = None,
    train_lifts: Annotated[str, typer.Option(help="all, or seen: leave-lifts-out.")] = "all",
    val_lifts: Annotated[
        int,
        typer.Option(
            min=0,
            help="N of the run's lifts (with --train-lifts seen: of the seen ones; drawn from "
            "--seed) kept out of training validate it by their masks only; early stopping and "
            "best.pt follow them.",
        ),
    ] = 0,
    augment: Annotated[
        bool, typer.Option(help="Random shifts, light and noise on training images.")
    ] = True,
    augment_lifts: Annotated[
        bool, typer.Option(help="Siamese: warp and mirror image and mask alike (unseen lifts).")
    ] = False,
    loss: Annotated[
        str, typer.Option(help="contrastive (eq. 1) or triplet (siamese models).")
    ] = "contrastive",
    margin: Annotated[
        float, typer.Option(help="Loss margin (triplet: on squared distances).")
    ] = 1.0,
    hard_mining: Annotated[
        bool,
        typer.Option(
            help="With --loss triplet: after --warmup-epochs, each epoch trains only on the "
            "mined hard triplets, d(A,P) - d(A,N) > -band."
        ),
    ] = False,
    warmup_epochs: Annotated[
        int, typer.Option(min=0, help="--hard-mining: epochs on every triplet first.")
    ] = 5,
    hard_band: Annotated[
        float | None,
        typer.Option(min=0, help="--hard-mining: the miner's band (default: --margin)."),
    ] = None,
    balanced_mining: Annotated[
        bool, typer.Option(help="--hard-mining: mine as many open as closed images.")
    ] = False,
    resume: Annotated[bool, typer.Option(help="Continue from OUT/last.pt.")] = False,
    max_minutes: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Time budget: start no epoch that would end past it (judged by the last "
            "epoch's duration).",
        ),
    ] = None,
    init: Annotated[
        Path | None,
        typer.Option(help="Start from this checkpoint's weights (fine-tuning; same model)."),
    ] = None,
    ema: Annotated[
        float | None,
        typer.Option(
            help="Validate and save a moving average of the weights with this decay per "
            "update (e.g. 0.998, about 500 updates) instead of the last weights.",
        ),
    ] = None,
    pretrained: Annotated[Path | None, typer.Option(help="ImageNet backbone weights.")] = None,
    model_arg: Annotated[
        list[str] | None,
        typer.Option(
            help="KEY=VALUE, a constructor argument of the model (repeatable), e.g. "
            "localiser=heatmap for getnet.",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(min=1, help="Torch threads (default: every core; fewer if other work runs)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Data generation processes.")] = (
        DEFAULT_WORKERS
    ),
) -> None:
    """Train MODEL with early stopping; writes last.pt, best.pt and log.jsonl to OUT."""
    from models.train.config import TrainConfig
    from models.train.device import resolve_device
    from models.train.fit import fit, train_lifts_of
    from models.train.lifts import HELD_OUT_SPLITS, run_lifts
    from models.train.presets import parse_lifts

    with user_errors():
        _check_model(model)
        config = TrainConfig(
            optimizer=optimizer,
            lr=lr,
            lr_decay=lr_decay,
            batch_size=batch_size,
            epochs=epochs,
            patience=patience,
            seed=seed,
            device=device,
            input_size=input_size,
            lifts=parse_lifts(lifts) if lifts else None,
            train_lifts=train_lifts,
            val_lifts=val_lifts,
            augment=augment,
            augment_lifts=augment_lifts,
            loss=loss,
            margin=margin,
            hard_mining=hard_mining,
            warmup_epochs=warmup_epochs,
            hard_band=hard_band,
            balanced_mining=balanced_mining,
            resume=resume,
            max_minutes=max_minutes,
            init=str(init) if init else None,
            ema=ema,
            threads=threads,
            model_kwargs=_model_kwargs(model, model_arg or [], pretrained),
        )
        config.check_model_kind(model, _model_kind(model))
        resolve_device(config.device)
        lift_data = _load_data(data, workers)
        split = run_lifts(lift_data, config)  # a bad --val-lifts fails before any image loads
        if split.val:
            console.print(
                f"training on lifts {', '.join(map(str, split.train))}; validating on held-out "
                f"lifts {', '.join(map(str, split.val))} ({'+'.join(HELD_OUT_SPLITS)} images, "
                "by their masks only)"
            )
        _preload(lift_data.restrict(train_lifts_of(lift_data, config)), ("train", "val"))
        with progress_bar(f"training {model}") as update:
            result = fit(model, lift_data, config, out, progress=update, on_epoch=_epoch_line)
    how = (
        "stopped early"
        if result.stopped_early
        else "stopped at its time budget"
        if result.out_of_time
        else "reached the last epoch"
    )
    console.print(
        f"{model} on {result.device}: {how} after epoch {result.last_epoch}; best val accuracy "
        f"{100 * result.best_val_accuracy:.2f} % at epoch {result.best_epoch}"
    )
    console.print(f"weights: {result.best_path} (best), {result.last_path} (last)")


def _table(table: AccuracyTable) -> Table:
    out = Table()
    for i, head in enumerate(table.headers()):
        out.add_column(head, justify="left" if i == 0 else "right")
    for row in table.rows:
        out.add_row(*table.cells(row), style="bold" if row.lift is None else None)
    return out


def evaluate_cmd(
    model: Annotated[str, typer.Argument(help=MODEL_HELP)],
    weights: Annotated[Path, typer.Option(help="A checkpoint (.pt) or an ONNX export (.onnx).")],
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    out: Annotated[Path, typer.Option(help="Directory for the tables and figures.")],
    split: Annotated[str, typer.Option(help="train, val or test.")] = "test",
    unseen: Annotated[bool, typer.Option(help="Only the held-out lifts, by masks.")] = False,
    lifts: Annotated[str | None, typer.Option(help="Lift subset, e.g. 1,2,7-9.")] = None,
    paper: Annotated[bool, typer.Option(help="Add the paper's column where it has one.")] = True,
    device: Annotated[str, typer.Option(help="cpu or cuda (torch checkpoints).")] = "cpu",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Data generation processes.")] = (
        DEFAULT_WORKERS
    ),
) -> None:
    """Per-lift accuracy tables, confusion matrices and embedding plots of trained weights."""
    from models.evaluate.run import evaluate, evaluation_lifts, load_model
    from models.train.device import resolve_device
    from models.train.presets import parse_lifts

    with user_errors():
        _check_model(model)
        loaded = load_model(model, weights, str(resolve_device(device)))
        full = _load_data(data, workers)
        subset = full.restrict(
            evaluation_lifts(full, parse_lifts(lifts) if lifts else None, unseen)
        )
        _preload(subset, (split,))
        with progress_bar(f"evaluating {model}") as update:
            result = evaluate(
                model, weights, subset, out, split, unseen, None, paper, device, update, loaded
            )
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {escape(warning)}")
    console.print(f"[bold]{escape(result.table.title)}[/]")
    console.print(_table(result.table))
    console.print(
        f"average (mean of lifts) {result.table.average:.2f} %, overall "
        f"{result.table.overall:.2f} % on {len(result.lifts)} lifts ({result.protocol} protocol)"
    )
    console.print("wrote " + ", ".join(str(p) for p in result.files.values()), soft_wrap=True)


def export_cmd(
    model: Annotated[str, typer.Argument(help=MODEL_HELP)],
    weights: Annotated[Path, typer.Option(help="A checkpoint written by liftwatch train.")],
    out: Annotated[Path, typer.Option(help="The .onnx file to write (its .json beside).")],
    tolerance: Annotated[
        float, typer.Option(help="Largest |torch − ONNX| accepted, per unit of output scale.")
    ] = 1e-4,
) -> None:
    """Export MODEL's weights to ONNX (with its preprocessing JSON) and check parity."""
    from models.evaluate.parity import check_parity
    from models.evaluate.run import load_torch
    from models.zoo.export import export_onnx, sidecar_path

    with user_errors():
        _check_model(model)
        if out.suffix != ".onnx":
            raise ValueError(f"--out must end in .onnx, got {out}")
        checkpoint = load_torch(model, weights)
        path = export_onnx(checkpoint.model, out)
        parity = check_parity(checkpoint.model, str(path))
    console.print(f"wrote {path} and {sidecar_path(path)}")
    console.print(
        f"parity with torch on {parity.inputs} inputs: max abs difference "
        f"{parity.max_abs_difference:.3g} (outputs up to {parity.max_abs_output:.3g})"
    )
    if not parity.ok(tolerance):
        raise _fail(f"parity check failed: beyond tolerance {tolerance:g}", code=1)


def compare_cmd(
    evaluations: Annotated[
        list[Path], typer.Argument(help="Evaluation directories (or their accuracy.json).")
    ],
    title: Annotated[str, typer.Option(help="The table's title.")] = "Test accuracy (%)",
    label: Annotated[
        list[str] | None, typer.Option(help="Column label per evaluation (default: the model).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the markdown here too.")] = None,
) -> None:
    """Per-lift tables of several evaluations side by side, as markdown (docs/ACCURACY.md)."""
    from models.evaluate.compare import compare_markdown, read_evaluation

    with user_errors():
        labels = list(label or [])
        if labels and len(labels) != len(evaluations):
            raise ValueError(f"give one --label per evaluation ({len(evaluations)}), or none")
        evs = [read_evaluation(p, labels[i] if labels else None) for i, p in enumerate(evaluations)]
        text = compare_markdown(evs, title)
        if out is not None:
            out.write_text(text, encoding="utf-8")
    typer.echo(text, nl=False)


def register_model_commands(app: typer.Typer) -> None:
    """Add ``train``, ``evaluate``, ``export`` and ``compare`` to the ``liftwatch`` app."""
    commands: dict[str, Callable[..., None]] = {
        "train": train_cmd,
        "evaluate": evaluate_cmd,
        "export": export_cmd,
        "compare": compare_cmd,
    }
    for name, command in commands.items():
        app.command(name)(command)
