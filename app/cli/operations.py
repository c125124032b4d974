"""`backup`, `restore`, `db copy` and `media copy`: snapshots of a running install, and moving it to
another database or media storage."""

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from app.cli.errors import cli_errors, fail

db_app = typer.Typer(no_args_is_help=True, help="Database operations.")
media_app = typer.Typer(no_args_is_help=True, help="Media storage operations.")


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
    from app.storage import get_storage

    settings = get_settings()
    manifest = make_backup(path, url=settings.db_url, media=get_storage())
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
    """Restore a backup into the configured database (MP_DATABASE_URL) and media storage (MP_MEDIA_URL or
    MP_MEDIA_DIR)."""
    from app.operations.restore import restore as bring_back
    from app.settings import get_settings
    from app.storage import get_storage

    settings = get_settings()
    manifest = bring_back(path, url=settings.db_url, media=get_storage(), force=force)
    database = manifest["database"]
    Console().print(f"restored {sum(database['counts'].values())} rows and {len(manifest['media']['files'])} "
                    f"media files (backup of {manifest['created_at']}) into {settings.db_url}")


@db_app.command("copy")
@cli_errors
def copy(to: str = typer.Option(..., "--to", help="Target database URL, e.g. postgresql+psycopg://user@host/db."),
         force: bool = typer.Option(False, "--force", help="Delete the rows the target already holds."),
         batch: int = typer.Option(1000, min=1, help="Rows per insert."),
         media_to: str = typer.Option("", "--media-to",
                                      help="Also copy the media into this storage (s3://bucket/prefix or a folder).")
         ) -> None:
    """Copy every table of the configured database into another one (e.g. SQLite to PostgreSQL), and with
    --media-to its media too."""
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
    if media_to:
        _copy_media_to(media_to, console)
    else:
        from app.storage import get_storage

        console.print(f"the media stays in {get_storage().description}: the moved install must reach it too "
                      "(or run `media copy --to` / pass --media-to).")


def _copy_media_to(url: str, console: Console) -> None:
    from app.operations.media_copy import copy_media
    from app.settings import get_settings
    from app.storage import get_storage, storage_at

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("media files", total=None)

        def advance(_name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            target = storage_at(url)
        except ValueError as bad:
            fail(str(bad))
        result = copy_media(get_storage(), target, database_url=get_settings().db_url, progress=advance)
    console.print(f"media: {len(result.copied)} files copied and verified by SHA-256, "
                  f"{len(result.already_there)} already there with the same SHA-256, into {url}")
    for label, names in (("differ after the copy", result.mismatched), ("missing from the source", result.missing),
                         ("differ from the digest the database recorded", result.damaged)):
        if names:
            console.print(f"[red]{len(names)} files {label}: {', '.join(names[:10])}[/red]")
    if not result.ok:
        fail("the media copy is incomplete (see above); nothing was deleted from the source")
    console.print("point MP_MEDIA_URL at it: every old photo is served from there.")


@media_app.command("copy")
@cli_errors
def media_copy(to: str = typer.Option(..., "--to", help="Target storage: s3://bucket/prefix (MP_S3_* keys) or a "
                                                          "folder.")) -> None:
    """Copy every media file into another storage (e.g. the local folder to S3), verifying each by SHA-256."""
    _copy_media_to(to, Console())


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
    app.add_typer(db_app, name="db")
    app.add_typer(media_app, name="media")
