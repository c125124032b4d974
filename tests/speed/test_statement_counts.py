"""SQL statements per request of the shopper's form page, the autosave and QA's review screen: a
fixed small number, the same for a checklist of 8 items and one of 120 (docs/speed.md).

Counted on the second request, once the checklist version is in the process's cache (the first
request reads it: a fixed few statements more, also checked). Before each counted request the test's
session forgets what it has loaded, as a request's own session starts empty; the fixtures'
savepoints are not counted (a real request has none).
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.models import Role, User
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.fieldwork import answers, evidence
from app.fieldwork.models import Audit
from app.fieldwork.submission import submit_audit
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import COMPLETE, make_audit, picture
from tests.web import log_in

# 5 (the login session and its user are one query, the audit and its version's cache key another),
# and the bell's unread count (issue 15)
FORM_PAGE = 6
# autosave: the audit and its version's cache key are one query, then the audit row lock a save takes
# against a submit (issue 12)
API_AUTOSAVE = 9
HTMX_AUTOSAVE = 11  # 8, the bell's count on the saved fragment's page, the audit row lock (issue 12), the clinic's
# zone for the "saved" time
REVIEW_SCREEN = 16  # 10, the bell, the validity verdict and facts (issue 18), the receipt and visit terms (issue 19)
FIRST_READ = 4  # the version's touchpoints, items, options and checklist, once per process


def big_checklist(slug: str) -> dict[str, Any]:
    """The small checklist plus 14 touchpoints of 8 items each (120 items in all)."""
    doc = small_checklist(slug)
    for t in range(14):
        doc["touchpoints"].append({"key": f"extra{t}", "title": f"Extra {t}", "items": [
            {"key": f"extra{t}.yes{i}", "text": f"Question {i}", "type": "yes_no"} for i in range(5)] + [
            {"key": f"extra{t}.scale", "text": "Scale", "type": "scale", "min": 1, "max": 5},
            {"key": f"extra{t}.choice", "text": "Choice", "type": "choice", "options": [
                {"key": "a", "text": "A", "score": 1}, {"key": "b", "text": "B", "score": 0}]},
            {"key": f"extra{t}.photo", "text": "Photo", "type": "yes_no", "photo": "optional"}]})
    return doc


@contextmanager
def counted(engine: Engine, session: Session) -> Iterator[list[str]]:
    """The statements sent while the block runs, starting from an empty session."""
    session.expunge_all()
    session.info.clear()
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture(params=["small", "big"])
def filled_audit(request: pytest.FixtureRequest, session: Session) -> tuple[Audit, User]:
    """A shopper's audit with every item answered and the required photo: complete, whatever the size."""
    slug = f"speed-{request.param}"
    doc = small_checklist(slug) if request.param == "small" else big_checklist(slug)
    save_version(session, ChecklistDoc.model_validate(doc))
    shopper = make_user(session, Role.shopper)
    audit = make_audit(session, shopper=shopper, slug=slug)
    extra = {"yes_no": "yes", "scale": 5, "choice": "a"}
    for key, item in answers.items_by_key(session, audit).items():
        if key in COMPLETE or key.startswith("extra"):
            answers.record_answer(session, audit=audit, item_key=key, value=COMPLETE.get(key, extra.get(item.type)))
    evidence.add_evidence(session, audit=audit, upload=_file(), item_key="reception.photo", actor=shopper)
    session.commit()
    return audit, shopper


def _file() -> io.BytesIO:
    return io.BytesIO(picture())


def test_form_page_reads_a_fixed_few_statements(client: TestClient, engine: Engine, session: Session,
                                                 filled_audit: tuple[Audit, User]) -> None:
    audit, shopper = filled_audit
    log_in(client, shopper.email, PASSWORD)
    with counted(engine, session) as first:
        assert client.get(f"/visits/{audit.id}/t/reception").status_code == 200

    with counted(engine, session) as statements:
        response = client.get(f"/visits/{audit.id}/t/reception")

    assert response.status_code == 200
    assert len(statements) <= FORM_PAGE, "\n".join(statements)
    assert len(first) <= FORM_PAGE + FIRST_READ, "\n".join(first)


def test_autosave_writes_with_a_fixed_few_statements(client: TestClient, engine: Engine, session: Session,
                                                     filled_audit: tuple[Audit, User]) -> None:
    audit, shopper = filled_audit
    log_in(client, shopper.email, PASSWORD)
    client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [{"item": "call.greeting", "value": "no"}]})

    with counted(engine, session) as statements:
        response = client.put(f"/api/v1/audits/{audit.id}/answers",
                              json={"answers": [{"item": "call.greeting", "value": "yes"}]})

    assert response.status_code == 200, response.text
    assert next(a for a in response.json()["answers"] if a["item"] == "call.greeting")["value"] is True
    assert len(statements) <= API_AUTOSAVE, "\n".join(statements)


def test_htmx_autosave_of_one_item_writes_with_a_fixed_few_statements(
        client: TestClient, engine: Engine, session: Session, filled_audit: tuple[Audit, User]) -> None:
    audit, shopper = filled_audit
    log_in(client, shopper.email, PASSWORD)
    url = f"/visits/{audit.id}/items/call.greeting"
    client.post(url, data={"v.call.greeting": "no", "c.call.greeting": "rude"}, headers={"HX-Request": "true"})

    with counted(engine, session) as statements:
        response = client.post(url, data={"v.call.greeting": "yes"}, headers={"HX-Request": "true"})

    assert response.status_code == 200, response.text
    assert len(statements) <= HTMX_AUTOSAVE, "\n".join(statements)


def test_review_screen_reads_a_fixed_few_statements(client: TestClient, engine: Engine, session: Session,
                                                    filled_audit: tuple[Audit, User]) -> None:
    audit, _shopper = filled_audit
    submit_audit(session, audit=audit)
    session.commit()
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)
    client.get(f"/review/audits/{audit.id}")

    with counted(engine, session) as statements:
        response = client.get(f"/review/audits/{audit.id}")

    assert response.status_code == 200
    assert len(statements) <= REVIEW_SCREEN, "\n".join(statements)


def test_no_middleware_runs_the_app_in_a_task_of_its_own() -> None:
    """BaseHTTPMiddleware (`@app.middleware("http")`) adds a task and memory streams to every request;
    the app's middlewares are plain ASGI ones."""
    from starlette.middleware.base import BaseHTTPMiddleware

    from app.main import app

    assert app.user_middleware, "the app has its middlewares"
    assert not [m for m in app.user_middleware if issubclass(m.cls, BaseHTTPMiddleware)]  # type: ignore[arg-type]
