"""``liftwatch replay``, ``liftwatch score`` and ``liftwatch serve``: the pipeline commands.

Every error a user can cause (a broken station config, a missing video or mask, an engine that
cannot run here, an unreadable truth file) ends in one red ``error:`` line and exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from service.cli_models import _fail, console, user_errors
from service.progress import progress_bar

if TYPE_CHECKING:
    from service.pipeline.models import EngineChoice

ENGINE_HELP = "Engine plugin: onnx (ONNX Runtime) or torch."
MODEL_HELP = "Model file (.onnx for onnx, a checkpoint .pt for torch); default: the shipped one."
DEVICE_HELP = "auto (CUDA when it really works here), cpu or cuda."

EngineOpt = Annotated[str, typer.Option("--engine", help=ENGINE_HELP)]
ModelOpt = Annotated[Path | None, typer.Option("--model", help=MODEL_HELP)]
DeviceOpt = Annotated[str, typer.Option("--device", help=DEVICE_HELP)]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, max=256)]


def _choice(engine: str, model: Path | None, device: str, threads: int | None) -> EngineChoice:
    from service.inference import Device, EngineKind
    from service.pipeline.models import EngineChoice

    if engine not in ("onnx", "torch"):
        raise _fail(f"--engine must be onnx or torch, got {engine!r}")
    if device not in ("auto", "cpu", "cuda"):
        raise _fail(f"--device must be auto, cpu or cuda, got {device!r}")
    return EngineChoice(cast(EngineKind, engine), model, cast(Device, device), threads)


def replay_cmd(
    station: Annotated[Path, typer.Option(help="The station's config (YAML).")],
    out: Annotated[Path, typer.Option(help="Where result.json goes.")],
    source: Annotated[
        Path | None, typer.Option(help="Video to replay (default: the station's).")
    ] = None,
    masks: Annotated[Path | None, typer.Option(help="Folder with open.png and closed.png.")] = None,
    engine: EngineOpt = "onnx",
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
    batch: Annotated[int, typer.Option(min=1, max=256, help="Crops per inference batch.")] = 8,
) -> None:
    """Run one station's pipeline over a recorded video and write its per-passage results."""
    from service.config import StationConfigError, load_station_config
    from service.pipeline.lifts import find_masks, mask_candidates
    from service.pipeline.models import build_classifier
    from service.pipeline.replay import replay

    choice = _choice(engine, model, device, threads)
    try:
        config = load_station_config(station)
    except StationConfigError as exc:
        raise _fail(str(exc)) from exc
    folder = masks or find_masks(config.lift, station)
    if folder is None:
        looked = ", ".join(str(p) for p in mask_candidates(config.lift, station, None))
        raise _fail(f"no masks for lift {config.lift}: give --masks DIR (looked in {looked})")
    with user_errors():
        classifier = build_classifier(choice, {config.lift: folder})
        with progress_bar(f"replay {config.id}") as update:
            result = replay(config, classifier, source, max_batch=batch, progress=update)
        result.write(out)
    s = result.summary()
    console.print(
        f"{s['frames']} frames in {s['seconds']:.1f} s ({s['fps']} fps): {s['passages']} "
        f"passages, {s['alarms']} alarm(s) → {out}"
    )


def score_cmd(
    results: Annotated[list[Path], typer.Argument(help="Replay result.json file(s).")],
    truth: Annotated[
        list[Path], typer.Option(help="The ground truth (truth.json) of each result, in order.")
    ],
    tolerance: Annotated[
        int | None, typer.Option(min=0, help="Frames a departure may be off (default: 0.5 s).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the score here.")] = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            help="KEY=VALUE of an alarm rule (a station's alarm: keys; repeat for several): "
            "the passages are judged again from their recorded frames under it first."
        ),
    ] = None,
) -> None:
    """Score replays against ground truth: violation recall, precision, false alarms, frames.

    With several results (each with its ``--truth``, in the same order), prints each one's
    line and the total over all of them. With ``--rule``, what another alarm rule would have
    raised on the same replays (the rest of the rule at its defaults).
    """
    from service.pipeline.score import Score, ScoreInputError, score_files

    if len(results) != len(truth):
        raise _fail(f"{len(results)} result file(s) but {len(truth)} --truth file(s)")
    alarm_rule = None
    if rule:
        from service.pipeline.rejudge import RuleError, parse_rule

        try:
            alarm_rule = parse_rule(rule)
        except RuleError as exc:
            raise _fail(str(exc)) from exc
    total, each = Score(), {}
    try:
        for result, true in zip(results, truth, strict=True):
            s = score_files(true, result, tolerance, alarm_rule)
            each[str(result)] = s.to_dict()
            total = total + s
    except ScoreInputError as exc:
        raise _fail(str(exc)) from exc
    if len(results) > 1:
        for name, d in each.items():
            console.print(f"{name}: {one_line(d)}")
        console.print("[bold]total[/]")
    data = total.to_dict()
    if json_out is not None:
        report = {"total": data, "results": each}
        json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    console.print(render_score(data))


def one_line(d: dict[str, Any]) -> str:
    return (
        f"{d['alarmed_violations']}/{d['violations']} violations alarmed, "
        f"{d['false_alarms']} false alarm(s), {d['missed_passages']} missed, "
        f"{d['spurious_passages']} spurious, frames {_pct(d['frame_accuracy'])}"
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f} %"


def render_score(d: dict[str, Any]) -> str:
    """The score as a few readable lines."""
    return (
        f"passages: {d['truth_passages']} in truth, {d['matched']} matched, "
        f"{d['missed_passages']} missed, {d['spurious_passages']} spurious\n"
        f"violations: {d['alarmed_violations']}/{d['violations']} alarmed "
        f"(recall {_pct(d['recall'])}, precision {_pct(d['precision'])})\n"
        f"visible violations (bar >= half in sight at departure): "
        f"{d['alarmed_visible_violations']}/{d['visible_violations']} alarmed "
        f"(recall {_pct(d['visible_recall'])})\n"
        f"false alarms: {d['false_alarms']} on {d['normal_passages']} normal passages "
        f"({_pct(d['false_alarm_rate'])})\n"
        f"frame accuracy: {_pct(d['frame_accuracy'])} of {d['frames_scored']} frames"
    )


def register_pipeline_commands(app: typer.Typer) -> None:
    from service.cli_serve import serve_cmd

    app.command("replay")(replay_cmd)
    app.command("score")(score_cmd)
    app.command("serve")(serve_cmd)
