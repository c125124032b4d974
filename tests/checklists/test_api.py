"""/api/v1/checklists: list, publish a YAML file, read a version as JSON; roles and bad input."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.tokens import create_token
from app.checklists import files
from tests.checklists.yaml_docs import VALID, replace_line
from tests.factories import PASSWORD, make_user
from tests.web import log_in

BUNDLED = Path(__file__).resolve().parents[2] / "checklists"
YAML = {"Content-Type": "application/yaml"}


def _auth(session: Session, role: Role) -> dict[str, str]:
    """Bearer headers for a new user; commits what the test arranged so far, since a failed request
    rolls back everything after the last commit."""
    _token, plain = create_token(session, user=make_user(session, role))
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def qa(session: Session) -> dict[str, str]:
    return _auth(session, Role.qa_lead)


def test_posting_a_yaml_file_publishes_version_1(client: TestClient, qa: dict[str, str]) -> None:
    response = client.post("/api/v1/checklists", content=VALID.encode(), headers={**qa, **YAML})

    assert response.status_code == 201
    assert response.json() == {"slug": "test-clinic", "version": 1, "created": True}


def test_posting_the_same_file_again_is_200_with_the_existing_version(
    client: TestClient, qa: dict[str, str]
) -> None:
    client.post("/api/v1/checklists", content=VALID.encode(), headers={**qa, **YAML})

    response = client.post(
        "/api/v1/checklists", content=VALID.encode(), headers={**qa, "Content-Type": "text/yaml"}
    )

    assert response.status_code == 200
    assert response.json() == {"slug": "test-clinic", "version": 1, "created": False}


def test_a_changed_file_as_a_multipart_upload_is_the_next_version(
    client: TestClient, qa: dict[str, str]
) -> None:
    client.post("/api/v1/checklists", content=VALID.encode(), headers={**qa, **YAML})
    changed = replace_line(4, "target: 75")

    response = client.post(
        "/api/v1/checklists", files={"file": ("test.yaml", changed.encode(), "application/yaml")}, headers=qa
    )

    assert response.status_code == 201
    assert response.json()["version"] == 2


def test_an_invalid_file_is_422_with_each_problem_and_publishes_nothing(
    client: TestClient, qa: dict[str, str]
) -> None:
    text = replace_line(19, "        weight: -1", text=replace_line(7, '    title: {en: "Call"}'))

    response = client.post("/api/v1/checklists", content=text.encode(), headers={**qa, **YAML})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"line": 7, "key": "call", "message": "the title has no version in the default language 'ru'"},
            {"line": 19, "key": "call.greeting", "message": "weight must be greater than 0, got -1"},
        ]
    }
    assert client.get("/api/v1/checklists/test-clinic", headers=qa).status_code == 404


def test_a_yaml_syntax_error_is_422_with_its_line(client: TestClient, qa: dict[str, str]) -> None:
    response = client.post("/api/v1/checklists", content=b"slug: [x\n", headers={**qa, **YAML})

    assert response.status_code == 422
    assert response.json()["detail"][0]["key"] == "yaml"


def test_a_json_body_or_a_form_without_file_is_a_clear_422(client: TestClient, qa: dict[str, str]) -> None:
    as_json = client.post("/api/v1/checklists", json={"slug": "x"}, headers=qa)
    no_file = client.post("/api/v1/checklists", files={"other": ("a.yaml", b"x")}, headers=qa)

    assert (as_json.status_code, no_file.status_code) == (422, 422)
    assert "application/yaml" in as_json.json()["detail"]


def test_a_file_that_is_not_utf8_is_a_clear_422(client: TestClient, qa: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/checklists", content="slug: тест".encode("cp1251"), headers={**qa, **YAML}
    )

    assert response.status_code == 422
    assert response.json() == {"detail": "The checklist file is not UTF-8 text."}


def test_a_qa_lead_logged_in_with_a_cookie_can_upload_with_the_csrf_header(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)

    response = client.post(
        "/api/v1/checklists", files={"file": ("test.yaml", VALID.encode(), "application/yaml")}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("role", [Role.shopper, Role.director, Role.manager])
def test_only_qa_leads_and_admins_may_publish(client: TestClient, session: Session, role: Role) -> None:
    response = client.post(
        "/api/v1/checklists", content=VALID.encode(), headers={**_auth(session, role), **YAML}
    )

    assert response.status_code == 403


def test_the_list_shows_the_latest_version_of_each_checklist(client: TestClient, session: Session) -> None:
    files.import_paths(session, [BUNDLED / "dental-clinic.yaml"])
    files.import_checklist_text(session, VALID, "a.yaml")
    files.import_checklist_text(session, replace_line(4, "target: 75"), "a.yaml")

    response = client.get("/api/v1/checklists", headers=_auth(session, Role.director))

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "dental-clinic",
            "version": 1,
            "title": {"ru": "Визит в стоматологическую клинику", "en": "Dental clinic visit"},
        },
        {"slug": "test-clinic", "version": 2, "title": {"ru": "Тест", "en": "Test"}},
    ]


@pytest.mark.parametrize("role", [Role.shopper, Role.manager])
def test_shoppers_and_managers_cannot_read_checklists(
    client: TestClient, session: Session, role: Role
) -> None:
    headers = _auth(session, role)

    assert client.get("/api/v1/checklists", headers=headers).status_code == 403
    assert client.get("/api/v1/checklists/test-clinic", headers=headers).status_code == 403


def test_reading_without_credentials_is_401(client: TestClient) -> None:
    assert client.get("/api/v1/checklists").status_code == 401


def test_a_checklist_reads_as_the_canonical_document_with_its_version(
    client: TestClient, session: Session
) -> None:
    files.import_paths(session, [BUNDLED / "aesthetic-clinic.yaml"])

    response = client.get("/api/v1/checklists/aesthetic-clinic", headers=_auth(session, Role.admin))

    body = response.json()
    assert response.status_code == 200
    assert body["version"] == 1 and body["slug"] == "aesthetic-clinic" and body["language"] == "ru"
    item = body["touchpoints"][1]["items"][0]
    assert item == {
        "key": "call.answer_time",
        "type": "number",
        "unit": "s",
        "pass_if": {"max": 20.0},
        "weight": 2.0,
        "critical": False,
        "allow_na": False,
        "required": True,
        "photo": "none",
        "comment": "optional",
        "text": item["text"],
        "help": item["help"],
    }
    assert set(item["text"]) == {"ru", "en"}


def test_an_older_version_is_read_with_the_version_query(client: TestClient, session: Session) -> None:
    files.import_checklist_text(session, VALID, "a.yaml")
    files.import_checklist_text(session, replace_line(4, "target: 75"), "a.yaml")
    headers = _auth(session, Role.qa_lead)

    old = client.get("/api/v1/checklists/test-clinic?version=1", headers=headers).json()
    new = client.get("/api/v1/checklists/test-clinic", headers=headers).json()

    assert (old["version"], old["target"]) == (1, 80)
    assert (new["version"], new["target"]) == (2, 75)


def test_an_unknown_checklist_or_version_is_404_naming_it(client: TestClient, session: Session) -> None:
    files.import_checklist_text(session, VALID, "a.yaml")
    headers = _auth(session, Role.qa_lead)

    no_slug = client.get("/api/v1/checklists/nope", headers=headers)
    no_version = client.get("/api/v1/checklists/test-clinic?version=9", headers=headers)

    assert (no_slug.status_code, no_slug.json()) == (404, {"detail": "There is no checklist nope."})
    assert (no_version.status_code, no_version.json()) == (
        404,
        {"detail": "Checklist test-clinic has no version 9."},
    )


def test_an_oversized_file_is_refused_with_413(client: TestClient, qa: dict[str, str]) -> None:
    response = client.post("/api/v1/checklists", content=b"#" * (2 * 1024 * 1024 + 1), headers={**qa, **YAML})

    assert response.status_code == 413
    assert response.json() == {"detail": "The checklist file is too large."}


def test_the_openapi_document_describes_the_yaml_upload(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    body = spec["paths"]["/api/v1/checklists"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/yaml", "multipart/form-data"}
