"""The ``liftwatch`` command line."""

from __future__ import annotations

import typer

from service.cli_explain import explain_app
from service.cli_harvest import register_harvest_command
from service.cli_import import register_import_command
from service.cli_keys import keys_app
from service.cli_models import register_model_commands
from service.cli_pairing import pairing_app
from service.cli_pipeline import register_pipeline_commands
from service.cli_retrieval import register_retrieval_command
from service.cli_synth import demo, synth_app

app = typer.Typer(
    name="liftwatch",
    help="Chairlift safety-bar surveillance: synthetic world, models, pipeline and service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(synth_app, name="synth")
app.add_typer(keys_app, name="keys")
app.add_typer(pairing_app, name="pairing")
app.add_typer(explain_app, name="explain")
app.command("demo")(demo)
register_model_commands(app)
register_pipeline_commands(app)
register_retrieval_command(app)
register_harvest_command(app)
register_import_command(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
