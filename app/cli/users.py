"""`users create` and `users token`: accounts from the command line (first admin, integrations)."""

import typer
from sqlmodel import Session, select

from app.accounts import service, tokens
from app.accounts.models import Role
from app.cli.errors import cli_errors, fail
from app.clinics.models import Clinic, Region
from app.db import get_engine

app = typer.Typer(no_args_is_help=True, help="Users and their API tokens.")


def _region_ids(session: Session, names: list[str]) -> list[int]:
    found = {region.name: region.id for region in session.exec(select(Region)).all()}
    missing = [name for name in names if name.strip() not in found]
    if missing:
        fail(f"no region named {missing[0]!r} (known: {', '.join(sorted(found)) or 'none'})")
    return [found[name.strip()] or 0 for name in names]


@app.command()
@cli_errors
def create(email: str = typer.Argument(..., help="Login email."),
           role: Role = typer.Option(..., "--role", help="shopper, qa_lead, director, manager or admin."),
           password: str = typer.Option(..., "--password", help="At least 12 characters."),
           name: str = typer.Option("", "--name", help="Display name."),
           region: list[str] = typer.Option([], "--region", help="Director scope: region name, repeatable."),
           clinic: list[int] = typer.Option([], "--clinic", help="Director scope or manager's clinic: id."),
           whole_network: bool = typer.Option(False, "--whole-network",
                                              help="Director scope: every clinic (without it and without "
                                                   "--region/--clinic a director sees nothing).")
           ) -> None:
    """Create an active user. A manager needs exactly one --clinic; a director sees --whole-network,
    or the --region and --clinic given, or nothing."""
    if role == Role.manager and len(clinic) != 1:
        fail("a manager needs exactly one --clinic ID")
    if region and role != Role.director:
        fail("--region applies to directors only")
    if whole_network and role != Role.director:
        fail("--whole-network applies to directors only")
    if whole_network and (region or clinic):
        fail("--whole-network and --region/--clinic exclude each other")
    with Session(get_engine()) as session:
        for clinic_id in clinic:
            if session.get(Clinic, clinic_id) is None:
                fail(f"no clinic with id {clinic_id}")
        scope: dict[str, object] = {}
        if role == Role.manager:
            scope["clinic_id"] = clinic[0]
        elif role == Role.director:
            scope = {"region_ids": _region_ids(session, region), "clinic_ids": clinic,
                     "whole_network": whole_network}
        elif clinic:
            fail("--clinic applies to managers and directors only")
        user = service.create_user(session, email=email, role=role, password=password, name=name,
                                   **scope)  # type: ignore[arg-type]
        session.commit()
        typer.echo(f"created {user.email} ({user.role}, id {user.id})")


@app.command()
@cli_errors
def token(email: str = typer.Argument(..., help="The user's email."),
          name: str = typer.Option("", "--name", help="What the token is for.")) -> None:
    """Print a new personal API token for the user (and nothing else: pipe-friendly)."""
    with Session(get_engine()) as session:
        user = service.find_user(session, email)
        if user is None:
            fail(f"no user with email {email.strip().lower()!r}")
            return
        if not user.active:
            fail(f"{user.email} is deactivated")
        _token, plain = tokens.create_token(session, user=user, name=name or "cli")
        session.commit()
    typer.echo(plain)
