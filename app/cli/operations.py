"""`backup`, `restore` and `db copy`: snapshots of a running install, and moving it to another database."""

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from app.cli.errors import cli_errors

db_app = typer.Typer(no_args_is_help=True, help="Database operations.")


def _summary(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, str(rows))
    return table


@cli_errors
def backup(path: Path = typer.Argument(..., help="A new folder, or a file ending in .tar.gz.")) -> None:
    """Snapshot the database (SQLite online backup or pg_dump) and its media, safe while the app runs."""
    from app.operations.backup import backup as make_backup
    from app.settings import get_settings

    settings = get_settings()
    manifest = make_backup(path, url=settings.db_url, media_dir=settings.media_path)
    console = Console()
    database = manifest["database"]
    console.print(f"backup written to {path}: {database['kind']} at revision {database['alembic_revision']}, "
                  f"{sum(database['counts'].values())} rows, {len(manifest['media']['files'])} media files")
    if manifest["media"]["missing"]:
        console.print(f"[yellow]warning: {len(manifest['media']['missing'])} media files the database refers "
                      "to were not in the media folder (listed in manifest.json)[/yellow]")


@cli_errors
def restore(path: Path = typer.Argument(..., help="A backup folder or .tar.gz made by `backup`."),
            force: bool = typer.Option(False, "--force", help="Replace a database and media folder that hold data.")
            ) -> None:
    """Restore a backup into the configured database (MP_DATABASE_URL) and media folder (MP_MEDIA_DIR)."""
    from app.operations.restore import restore as bring_back
    from app.settings import get_settings

    settings = get_settings()
    manifest = bring_back(path, url=settings.db_url, media_dir=settings.media_path, force=force)
    database = manifest["database"]
    Console().print(f"restored {sum(database['counts'].values())} rows and {len(manifest['media']['files'])} "
                    f"media files (backup of {manifest['created_at']}) into {settings.db_url}")


@db_app.command("copy")
@cli_errors
def copy(to: str = typer.Option(..., "--to", help="Target database URL, e.g. postgresql+psycopg://user@host/db."),
         force: bool = typer.Option(False, "--force", help="Delete the rows the target already holds."),
         batch: int = typer.Option(1000, min=1, help="Rows per insert.")) -> None:
    """Copy every table of the configured database into another one (e.g. SQLite to PostgreSQL)."""
    from app.operations.copy import copy_database
    from app.settings import get_settings

    source = get_settings().db_url
    console = Console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total or 1)
            bar.update(tasks[table], completed=done if total else 1)

        copied = copy_database(source, to, force=force, batch=batch, progress=advance)
    table = Table(title="Rows per table")
    for column in ("table", "source", "target", ""):
        table.add_column(column, justify="right" if column in ("source", "target") else "left")
    for row in copied:
        table.add_row(row.table, str(row.source_rows), str(row.target_rows),
                      "[green]ok[/green]" if row.source_rows == row.target_rows else "[red]differs[/red]")
    console.print(table)
    console.print(f"copied {sum(r.target_rows for r in copied)} rows into the target; point MP_DATABASE_URL at it.")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
    app.add_typer(db_app, name="db")
