"""`mystery-patient`: serve the app, migrate the database, and the domain commands."""

import typer

from app.cli import checklists as checklist_commands
from app.cli import demo as demo_commands
from app.cli import operations as operation_commands
from app.cli import users as user_commands
from app.cli.errors import cli_errors
from app.i18n import set_language

set_language("en")  # the command line speaks English, like its --help; web pages use each reader's language

app = typer.Typer(help="Mystery Patient: field audits of clinic networks.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(user_commands.app, name="users")
app.add_typer(checklist_commands.app, name="checklists")
app.add_typer(demo_commands.app, name="demo")
operation_commands.register(app)


@app.command()
@cli_errors
def migrate() -> None:
    """Apply every database migration (safe to run again)."""
    from app.migrations import upgrade_to_head
    from app.settings import get_settings

    upgrade_to_head()
    typer.echo(f"database at head: {get_settings().db_url}")


@app.command()
@cli_errors
def serve(host: str | None = typer.Option(None, help="Address to listen on (MP_HOST)."),
          port: int | None = typer.Option(None, help="Port (MP_PORT)."),
          workers: int = typer.Option(1, min=1, help="Worker processes."),
          demo: bool = typer.Option(False, "--demo", help="Load the bundled checklists and the demo network.")) -> None:
    """Migrate, optionally seed the demo network, then serve."""
    import uvicorn

    from app.migrations import upgrade_to_head
    from app.settings import get_settings

    settings = get_settings()
    upgrade_to_head()
    if demo:
        demo_commands.seed_and_print()
    host, port = host or settings.host, port or settings.port
    typer.echo(f"Mystery Patient on http://{host}:{port}")
    # Forwarded headers only from the proxies named in MP_TRUSTED_PROXIES (none by default):
    # uvicorn would otherwise believe any X-Forwarded-For arriving from 127.0.0.1.
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None, log_level="info")


if __name__ == "__main__":
    app()
