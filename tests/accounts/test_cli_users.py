"""`mystery-patient users create|token` against the test database (the commands commit for real, so
these tests use their own addresses and clean up after themselves)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from typer.testing import CliRunner

from app import i18n
from app.accounts import scope, service
from app.accounts.models import ApiToken, DirectorRegion, User
from app.cli.main import app as cli
from app.clinics.models import Region
from app.settings import get_settings

DOMAIN = "@cli.test"
PASSWORD = "cli password 1234"


@pytest.fixture
def cli_db(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("MP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    i18n.set_language("en")  # messages are checked in English whatever the catalogs hold
    yield engine
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    monkeypatch.delenv("MP_DATABASE_URL")
    get_settings.cache_clear()
    with Session(engine) as session:
        ids = session.exec(select(User.id).where(col(User.email).endswith(DOMAIN))).all()
        session.exec(delete(ApiToken).where(col(ApiToken.user_id).in_(ids)))  # type: ignore[call-overload]
        session.exec(delete(DirectorRegion).where(col(DirectorRegion.user_id).in_(ids)))  # type: ignore[call-overload]
        session.exec(delete(User).where(col(User.id).in_(ids)))  # type: ignore[call-overload]
        session.exec(delete(Region).where(col(Region.name).startswith("CLI ")))  # type: ignore[call-overload]
        session.commit()


def test_users_create_then_token_gives_a_token_that_works_for_the_api(cli_db: Engine) -> None:
    runner = CliRunner()

    created = runner.invoke(cli, ["users", "create", "Boss" + DOMAIN, "--role", "admin",
                                  "--password", PASSWORD, "--name", "Boss"])
    issued = runner.invoke(cli, ["users", "token", "boss" + DOMAIN, "--name", "ci"])

    assert created.exit_code == 0, created.output
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("mp_") and "\n" not in token
    from app.main import app

    with TestClient(app) as api:
        me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == "boss" + DOMAIN and me.json()["role"] == "admin"


def test_users_create_scopes_a_director_by_region_name(cli_db: Engine) -> None:
    with Session(cli_db) as session:
        region = Region(name="CLI North")
        session.add(region)
        session.commit()
        region_id = region.id

    result = CliRunner().invoke(cli, ["users", "create", "north" + DOMAIN, "--role", "director",
                                      "--password", PASSWORD, "--region", "CLI North"])

    assert result.exit_code == 0, result.output
    with Session(cli_db) as session:
        director = service.find_user(session, "north" + DOMAIN)
        assert director is not None
        assert service.scope_of(session, director) == ([region_id], [])


@pytest.mark.parametrize(("flag", "sees_all"), [(["--whole-network"], True), ([], False)])
def test_users_create_gives_a_director_the_whole_network_only_when_asked(cli_db: Engine, flag: list[str],
                                                                        sees_all: bool) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "all" + DOMAIN, "--role", "director",
                                      "--password", PASSWORD, *flag])

    assert result.exit_code == 0, result.output
    with Session(cli_db) as session:
        director = service.find_user(session, "all" + DOMAIN)
        assert director is not None and director.whole_network is sees_all
        assert (scope.visible_clinic_ids(session, director) is scope.ALL) is sees_all


@pytest.mark.parametrize(("arguments", "message"), [
    (["--role", "admin", "--password", PASSWORD, "--whole-network"], "--whole-network applies to directors only"),
    (["--role", "director", "--password", PASSWORD, "--whole-network", "--region", "CLI North"],
     "--whole-network and --region/--clinic exclude each other"),
    (["--role", "manager", "--password", PASSWORD], "a manager needs exactly one --clinic"),
    (["--role", "shopper", "--password", "short"], "at least 12 characters"),
    (["--role", "director", "--password", PASSWORD, "--region", "CLI Atlantis"],
     "no region named 'CLI Atlantis'"),
    (["--role", "director", "--password", PASSWORD, "--clinic", "999999"], "no clinic with id 999999"),
])
def test_users_create_refuses_bad_input_with_one_line_and_exit_1(cli_db: Engine, arguments: list[str],
                                                                 message: str) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "bad" + DOMAIN, *arguments])

    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    with Session(cli_db) as session:
        assert service.find_user(session, "bad" + DOMAIN) is None


def test_users_token_for_an_unknown_email_fails_cleanly(cli_db: Engine) -> None:
    result = CliRunner().invoke(cli, ["users", "token", "ghost" + DOMAIN])

    assert result.exit_code == 1
    assert result.output.strip() == f"error: no user with email 'ghost{DOMAIN}'"
