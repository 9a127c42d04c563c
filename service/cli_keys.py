"""``liftwatch keys hash``: a new API key and the settings entry that admits it.

Only the key's SHA-256 goes into the settings (``LIFTWATCH_API_KEYS`` or the keys file); the
key itself is shown once, for its holder, and stored nowhere by liftwatch.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from service.cli_models import _fail, console

keys_app = typer.Typer(help="API keys of the operator API.", no_args_is_help=True)

MIN_KEY_CHARS = 20
ROLE_HELP = "viewer (read), operator (+ acknowledge, masks, classify) or admin (+ models, jobs)."


@keys_app.command("hash")
def hash_cmd(
    name: Annotated[str, typer.Option(help="Who holds the key (shown as who acknowledged).")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Hash the key read from standard input instead.")
    ] = False,
) -> None:
    """Print a new random API key and its {name, role, sha256} settings entry."""
    from pydantic import ValidationError

    from service.api.keys import generate_key, hash_key, is_placeholder
    from service.api.settings import ApiKey

    key = sys.stdin.readline().strip() if stdin else generate_key()
    if len(key) < MIN_KEY_CHARS and not is_placeholder(hash_key(key)):
        raise _fail(f"a key needs at least {MIN_KEY_CHARS} characters; leave out --stdin for one")
    try:
        entry = ApiKey(name=name, role=role, sha256=hash_key(key))  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors(include_url=False))
        raise _fail(problems.replace("Value error, ", "")) from exc
    if not stdin:
        console.print(f"key (give it to {name}; it is shown only once):")
        print(key)
    console.print("settings entry (LIFTWATCH_API_KEYS is a JSON list of these):")
    print(json.dumps(entry.model_dump()))
