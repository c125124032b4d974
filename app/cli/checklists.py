"""Placeholder: these commands are added by their issue."""

import typer

app = typer.Typer(no_args_is_help=True)
