"""Editor fixtures: a published checklist (tests/checklist_docs.small_checklist) and a logged-in QA lead."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role, User
from app.checklists.models import ChecklistVersion
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_user
from tests.web import log_in

SLUG = "test-clinic"


@pytest.fixture
def published(session: Session) -> ChecklistVersion:
    return save_version(session, ChecklistDoc.model_validate(small_checklist(SLUG))).version


@pytest.fixture
def qa(session: Session) -> User:
    return make_user(session, Role.qa_lead, name="Olga")


@pytest.fixture
def qa_client(client: TestClient, qa: User, published: ChecklistVersion) -> TestClient:
    return log_in(client, qa.email, PASSWORD)


def item_form(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The editor's item form as the browser posts it for `item` (a canonical document item)."""
    form: dict[str, Any] = {"expected_key": item["key"], "type": item["type"], "weight": item.get("weight", 1),
                            "photo": item.get("photo", "none"), "comment": item.get("comment", "optional"),
                            "unit": item.get("unit", "")}
    for field in ("text", "help"):
        for lang in ("ru", "en"):
            form[f"{field}_{lang}"] = (item.get(field) or {}).get(lang, "")
    for flag in ("critical", "allow_na", "required"):
        if item.get(flag):
            form[flag] = "true"
    pass_if = item.get("pass_if") or {}
    form["pass_min"], form["pass_max"] = pass_if.get("min", ""), pass_if.get("max", "")
    form["scale_min"], form["scale_max"] = item.get("min", ""), item.get("max", "")
    options = item.get("options") or []
    form["option_key"] = [o["key"] for o in options]
    form["option_text_ru"] = [o["text"].get("ru", "") for o in options]
    form["option_text_en"] = [o["text"].get("en", "") for o in options]
    form["option_score"] = [o["score"] for o in options]
    form.update(changes)
    return form
