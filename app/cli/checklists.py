"""`checklists validate|import|export`: checklist and scenario files in and out of the database."""

from pathlib import Path

import typer

from app.cli.errors import cli_errors

app = typer.Typer(no_args_is_help=True, help="Validate, import and export checklist files.")


@app.command()
@cli_errors
def validate(paths: list[Path] = typer.Argument(..., help="Checklist files or folders.")) -> None:
    """Print every problem as file:line: key: message; exit 1 if there is any."""
    from app.checklists import files

    _documents, problems = files.validate_sources(files.find_sources(paths))
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise typer.Exit(1)


@app.command("import")
@cli_errors
def import_(paths: list[Path] = typer.Argument(..., help="Checklist files or folders (with scenarios/)."),
            ) -> None:
    """Import files: the same content is "unchanged", changed content becomes version N+1.
    Nothing is imported if any file has a problem."""
    from sqlmodel import Session

    from app.checklists import files
    from app.db import get_engine

    with Session(get_engine()) as session:
        try:
            outcomes = files.import_paths(session, paths)
        except files.FilesInvalid as error:
            for problem in error.problems:
                typer.echo(str(problem))
            typer.secho("error: nothing was imported", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None
        session.commit()
    for outcome in outcomes:
        typer.echo(str(outcome))


@app.command()
@cli_errors
def export(slug: str = typer.Argument(..., help="The checklist's slug."),
           version: int | None = typer.Option(None, "--version", min=1, help="Version (default: latest)."),
           ) -> None:
    """Write a checklist version as YAML to stdout."""
    from sqlmodel import Session

    from app.checklists import files
    from app.db import get_engine

    with Session(get_engine()) as session:
        text = files.export_version(session, slug, version)
    typer.echo(text, nl=False)
