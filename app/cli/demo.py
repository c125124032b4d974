"""`demo seed`: a believable network to try the product on."""

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app.cli.errors import cli_errors
from app.db import get_engine

app = typer.Typer(no_args_is_help=True)


def seed_and_print() -> None:
    from app.demo.seed import seed_demo

    with Session(get_engine(), expire_on_commit=False) as session:
        report = seed_demo(session)
        session.commit()
    console = Console()
    console.print("demo network created" if report.created else "demo network already there: nothing added")
    table = Table(title="Demo logins")
    for column in ("role", "email", "password"):
        table.add_column(column)
    for row in report.logins:
        table.add_row(*row)
    console.print(table)


@app.command()
@cli_errors
def seed() -> None:
    """Create the demo network: clinics, people, checklists and three waves of visits (idempotent)."""
    seed_and_print()
