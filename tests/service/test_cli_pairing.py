"""``liftwatch pairing``: bad options end in one ``error:`` line, never a traceback."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "resnet"], "model must be one of"),
        (["--sister", "vgg"], "sister must be one of"),
        (["--stn-localiser", "corner"], "stn_localiser must be one of"),
        (["--stn-init-scale", "1.1", "--stn-s-max", "0.9"], "stn_init_scale must lie in"),
        (["--lr-schedule", "step"], "lr_schedule must be one of"),
        (["--noise", "1.5"], "noise must lie in"),
        (["--model", "siamese", "--stn-from", "x.pt"], "stn_from needs model getnet"),
        (["--stn-from", "missing.pt"], "pairing weights missing.pt do not exist"),
        (["--freeze-stn"], "freeze_stn needs stn_from"),
        (["--elastic", "34"], "elastic needs distort"),
        (["--crop", "8"], "crop must lie in [16, canvas = 60], got 8"),
        (["--keep", "median"], "keep must be one of best, last, average"),
    ],
)
def test_bad_training_options_are_named(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["pairing", "train", "--out", str(tmp_path / "run"), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_evaluate_names_missing_weights(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pairing", "evaluate", "--weights", str(tmp_path / "no.pt")])
    assert result.exit_code == 2 and "do not exist" in result.output


def test_distort_reaches_the_training_digits() -> None:
    from models.pairing.train import PairingConfig, make_data

    assert make_data(PairingConfig(distort=True)).distortion is not None
    assert make_data(PairingConfig()).distortion is None


def test_errors_names_missing_weights(tmp_path: Path) -> None:
    args = ["pairing", "errors", "--weights", str(tmp_path / "no.pt"), "--out", "e.png"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "do not exist" in result.output
    assert "Traceback" not in result.output
