"""The ``liftwatch`` command line."""

from __future__ import annotations

import typer

from service.cli_keys import keys_app
from service.cli_models import register_model_commands
from service.cli_pipeline import register_pipeline_commands
from service.cli_synth import demo, synth_app

app = typer.Typer(
    name="liftwatch",
    help="Chairlift safety-bar surveillance: synthetic world, models, pipeline and service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(synth_app, name="synth")
app.add_typer(keys_app, name="keys")
app.command("demo")(demo)
register_model_commands(app)
register_pipeline_commands(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
