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
          demo: bool = typer.Option(False, "--demo", help="Load the bundled checklists and the demo network."),
          migrate: bool = typer.Option(True, "--migrate/--no-migrate",
                                       help="Apply migrations first (off when several servers start at once: "
                                            "run `mystery-patient migrate` once before)."),
          forwarded_allow_ips: str = typer.Option(
              "127.0.0.1", help="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated, '*' = any)."),
          job_worker: bool | None = typer.Option(
              None, "--job-worker/--no-job-worker",
              help="Also run one job worker (with the scheduler). Default: yes for the embedded queue "
                   "(MP_QUEUE_URL unset), no when MP_QUEUE_URL names a shared queue.")) -> None:
    """Migrate, optionally seed the demo network, then serve (and, on the embedded queue, work its jobs)."""
    import uvicorn

    from app.jobs.queue import is_embedded
    from app.jobs.worker import spawn_worker
    from app.migrations import upgrade_to_head
    from app.monitoring.logs import log_config
    from app.settings import get_settings

    settings = get_settings()
    if migrate:
        upgrade_to_head()
    if demo:
        demo_commands.seed_and_print()
    host, port = host or settings.host, port or settings.port
    child = spawn_worker(scheduler=True) if (is_embedded(settings) if job_worker is None else job_worker) else None
    typer.echo(f"Mystery Patient on http://{host}:{port}" + (" with a job worker" if child else ""))
    try:
        uvicorn.run("app.main:app", host=host, port=port, workers=workers, proxy_headers=True,
                    forwarded_allow_ips=forwarded_allow_ips, log_config=log_config(settings.log_format),
                    log_level="info")
    finally:
        if child is not None:
            child.terminate()  # huey's consumer stops on SIGTERM
            try:
                child.wait(timeout=15)
            except Exception:
                child.kill()


@app.command()
@cli_errors
def worker(threads: int = typer.Option(2, min=1, help="Jobs run at the same time by this worker."),
           scheduler: bool = typer.Option(True, "--scheduler/--no-scheduler",
                                          help="Also run the periodic jobs (clean-ups, reminders). Exactly one "
                                               "worker of a queue should: start the others with --no-scheduler."),
           nice: int = typer.Option(10, min=0, max=19, help="Lower CPU priority for the jobs (PDFs, exports), so "
                                                           "requests on the same machine come first; 0 keeps it.")
           ) -> None:
    """Work the job queue (MP_QUEUE_URL: unset = var/queue.db, redis://… or postgresql+psycopg://…)
    until stopped (Ctrl-C or SIGTERM finish the running jobs first)."""
    from app.jobs.queue import queue_reachable
    from app.jobs.worker import run_worker
    from app.settings import get_settings

    settings = get_settings()
    where = settings.queue_url or str(settings.var_dir / "queue.db")
    problem = queue_reachable()
    typer.echo(f"job worker on {where} ({threads} threads, scheduler {'on' if scheduler else 'off'}, nice {nice})"
               + (f"; queue not reachable yet ({problem}), waiting for it" if problem else ""))
    run_worker(threads=threads, scheduler=scheduler, niceness=nice)


if __name__ == "__main__":
    app()
