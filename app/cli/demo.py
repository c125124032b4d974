"""`demo seed`: a believable network to try the product on."""

import typer

app = typer.Typer(no_args_is_help=True)


def seed_and_print() -> None:
    """Placeholder until the demo seed lands."""
    typer.echo("demo data: not available yet")


@app.command()
def seed() -> None:
    """Create the demo network (idempotent)."""
    seed_and_print()
