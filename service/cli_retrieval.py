"""``liftwatch retrieval``: mAP@10/@50 tables of trained hashing models (the paper's Tables II/III).

Heavy imports happen inside the command. Errors a user can cause end in one red ``error:`` line
and exit code 2 (``service.cli_models.user_errors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from service.cli_models import DATA_HELP, DEFAULT_WORKERS, console, user_errors
from service.progress import progress_bar

MODEL_OPTION_HELP = (
    "NAME=WEIGHTS: a hashing model (hashing-dlbhc, hashing-psp) and its best.pt or .onnx; "
    "repeat for a side-by-side table (e.g. the proposal first, then the baseline)."
)


def parse_model_option(text: str) -> tuple[str, Path]:
    """``hashing-psp=runs/x/best.pt`` → (name, path); ``ValueError`` names what is wrong."""
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise ValueError(f"--model must be NAME=WEIGHTS (e.g. hashing-psp=best.pt), got {text!r}")
    from models.zoo.hashing import HashingModel
    from models.zoo.registry import model_class

    if not issubclass(model_class(name.strip()), HashingModel):
        raise ValueError(f"--model {name.strip()!r} is not a hashing model")
    return name.strip(), Path(path.strip())


def retrieval_cmd(
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    out: Annotated[Path, typer.Option(help="Directory for retrieval.md and retrieval.json.")],
    model: Annotated[list[str], typer.Option(help=MODEL_OPTION_HELP)],
    queries: Annotated[str, typer.Option(help="Split of the queries.")] = "test",
    database: Annotated[str, typer.Option(help="Split of the database.")] = "train",
    lifts: Annotated[str | None, typer.Option(help="Lift subset, e.g. 1,2,7-9.")] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="Torch threads.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Data generation processes.")] = (
        DEFAULT_WORKERS
    ),
) -> None:
    """Hamming-ranking retrieval of hashing models: per-class and overall mAP@10/@50."""
    from models.evaluate.retrieval_run import run_retrieval
    from models.train.data import load_data
    from models.train.device import torch_threads
    from models.train.presets import parse_lifts

    with user_errors():
        models = [parse_model_option(m) for m in model]
        full = load_data(data, workers)
        subset = full.restrict(parse_lifts(lifts)) if lifts else full
        for split in dict.fromkeys((database, queries)):
            with progress_bar(f"{split} images") as update:
                subset.split(split, update)
        with torch_threads(threads):
            results, files = run_retrieval(models, subset, out, queries, database, progress_bar)
    for r in results:
        text = ", ".join(f"mAP@{k} {v:.2f} %" for k, v in r.overall.items())
        console.print(f"{escape(r.model)}: {text} (mean of {len(r.per_class)} classes)")
    console.print("wrote " + ", ".join(str(p) for p in files.values()), soft_wrap=True)


def register_retrieval_command(app: typer.Typer) -> None:
    app.command("retrieval")(retrieval_cmd)
