"""Checklist and scenario pages: roles, full page and htmx fragment, upload and download, preview, diff."""

import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.checklists import editor, files, versions
from app.checklists.models import ChecklistVersion
from app.fieldwork.models import Scenario
from tests.checklist_docs import small_checklist
from tests.editor.conftest import SLUG, item_form
from tests.factories import PASSWORD, make_user
from tests.web import log_in

HX = {"HX-Request": "true"}


def _yaml_file(text: str, name: str = "upload.yaml") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode(), "application/yaml")}


def test_pages_render_as_full_page_and_as_htmx_fragment(qa_client: TestClient) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    urls = ["/checklists", f"/checklists/{SLUG}", f"/checklists/{SLUG}/versions", f"/checklists/{SLUG}/diff",
            f"/checklists/{SLUG}/draft", f"/checklists/{SLUG}/draft/preview", "/scenarios", "/scenarios/new"]
    for url in urls:
        page, fragment = qa_client.get(url), qa_client.get(url, headers=HX)

        assert page.status_code == 200 and "<html" in page.text, url
        assert fragment.status_code == 200 and "<html" not in fragment.text and fragment.text.strip(), url


def test_checklist_list_shows_latest_version_publisher_and_links(qa_client: TestClient) -> None:
    page = qa_client.get("/checklists", headers={"Accept-Language": "ru"}).text

    assert "Тестовый визит" in page and f"/checklists/{SLUG}/versions/1.yaml" in page
    assert f"/checklists/{SLUG}/draft/open" in page and 'id="upload"' in page


def test_shopper_gets_403_and_director_reads_without_editing(session: Session, client: TestClient,
                                                              published: ChecklistVersion) -> None:
    log_in(client, make_user(session, Role.shopper).email, PASSWORD)
    assert client.get("/checklists").status_code == 403
    assert client.post(f"/checklists/{SLUG}/draft/open").status_code == 403
    assert client.get("/scenarios").status_code == 403

    client.cookies.clear()
    log_in(client, make_user(session, Role.director).email, PASSWORD)
    listing = client.get("/checklists")
    assert listing.status_code == 200 and "draft/open" not in listing.text
    assert client.get(f"/checklists/{SLUG}/versions/1.yaml").status_code == 200
    assert client.post(f"/checklists/{SLUG}/draft/open").status_code == 403


def test_draft_is_visible_only_to_its_author(session: Session, qa_client: TestClient, qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    other = make_user(session, Role.qa_lead)
    qa_client.cookies.clear()
    log_in(qa_client, other.email, PASSWORD)

    for url in (f"/checklists/{SLUG}/draft", f"/checklists/{SLUG}/draft.yaml", f"/checklists/{SLUG}/draft/preview",
                f"/checklists/{SLUG}/diff?to=draft"):
        assert qa_client.get(url).status_code == 404, url
    assert qa_client.post(f"/checklists/{SLUG}/draft/publish").status_code == 404
    assert "badge warn" not in qa_client.get("/checklists").text
    assert editor.find_draft(session, SLUG, author=qa) is not None


def test_item_save_without_javascript_redirects_back_to_the_item(session: Session, qa_client: TestClient,
                                                                 qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    draft = editor.find_draft(session, SLUG, author=qa)
    assert draft is not None

    response = qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/1",
                              data=item_form(draft.document["touchpoints"][0]["items"][1], text_ru="Назвал клинику"))

    assert response.status_code == 303 and response.headers["location"].endswith("/draft#item-0-1")
    session.refresh(draft)
    assert draft.document["touchpoints"][0]["items"][1]["text"] == {"en": "Named the clinic", "ru": "Назвал клинику"}


def test_structure_change_returns_the_whole_editor_and_a_stale_form_gets_409(qa_client: TestClient) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")

    added = qa_client.post(f"/checklists/{SLUG}/draft/structure", headers=HX, data={
        "action": "add_item", "t": 1, "key": "reception.water", "text": "Water offered", "type": "choice"})
    stale = qa_client.post(f"/checklists/{SLUG}/draft/structure", headers=HX, data={
        "action": "item_remove", "t": 0, "i": 0, "expected_key": "call.nothing"})

    assert added.status_code == 200 and added.text.lstrip().startswith('<div id="editor"')
    assert "reception.water" in added.text
    assert stale.status_code == 409


def test_touchpoint_save_swaps_its_form_with_the_problems(qa_client: TestClient) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")

    response = qa_client.post(f"/checklists/{SLUG}/draft/tp/0", headers=HX, data={
        "expected_key": "call", "key": "call", "title_en": "Phone call", "weight": "0", "target": "90"})

    assert response.status_code == 200 and 'id="tp-0-form"' in response.text
    assert "weight must be greater than 0, got 0" in response.text


def test_yaml_upload_with_problems_lists_every_line_and_changes_nothing(session: Session, qa_client: TestClient,
                                                                       qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    draft = editor.find_draft(session, SLUG, author=qa)
    assert draft is not None
    before = dict(draft.document)
    broken = yaml.safe_dump(small_checklist(SLUG), sort_keys=False).replace("weight: 2", "weight: 0").replace(
        "type: emotion", "type: feeling")

    response = qa_client.post("/checklists/upload", files=_yaml_file(broken, "broken.yaml"))

    assert response.status_code == 422
    lines = {n for n, text in enumerate(broken.splitlines(), 1) if "weight: 0" in text or "feeling" in text}
    for line in lines:
        assert f"line {line}:" in response.text
    session.refresh(draft)
    assert draft.document == before
    assert versions.latest_version(session, SLUG).version == 1


def test_valid_yaml_upload_becomes_the_draft_and_publishes(session: Session, qa_client: TestClient,
                                                            qa: User) -> None:
    changed = small_checklist(SLUG, target=75)

    response = qa_client.post("/checklists/upload", files=_yaml_file(yaml.safe_dump(changed, allow_unicode=True)))
    published = qa_client.post(f"/checklists/{SLUG}/draft/publish")

    assert response.status_code == 303 and response.headers["location"].endswith(f"/checklists/{SLUG}/draft")
    assert published.status_code == 303
    assert versions.latest_version(session, SLUG).target == 75


def test_downloaded_yaml_reimports_as_unchanged(session: Session, qa_client: TestClient) -> None:
    response = qa_client.get(f"/checklists/{SLUG}/versions/1.yaml")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-v1.yaml"'
    result = files.import_checklist_text(session, response.text, "download.yaml")
    assert not result.created and result.version.version == 1


def test_unknown_version_download_is_404(qa_client: TestClient) -> None:
    assert qa_client.get(f"/checklists/{SLUG}/versions/7.yaml").status_code == 404


def test_preview_renders_the_shopper_item_partial_read_only(qa_client: TestClient) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")

    page = qa_client.get(f"/checklists/{SLUG}/draft/preview?touchpoint=reception").text

    assert 'class="phone-frame" hx-disable inert' in page
    assert 'id="item-reception.wait"' in page and "Under 10 minutes" in page
    assert 'id="item-call.greeting"' not in page
    assert qa_client.get(f"/checklists/{SLUG}/draft/preview?touchpoint=nope").status_code == 404


def test_diff_page_lists_the_published_change_and_the_renamed_key(session: Session, qa_client: TestClient,
                                                                   qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    draft = editor.find_draft(session, SLUG, author=qa)
    assert draft is not None
    answer_time = draft.document["touchpoints"][0]["items"][0]
    qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/0", data=item_form(answer_time, weight="3"))
    qa_client.post(f"/checklists/{SLUG}/draft/structure", data={
        "action": "rename", "t": 0, "i": 2, "expected_key": "call.callback", "new_key": "call.call_back"})

    draft_diff = qa_client.get(f"/checklists/{SLUG}/diff?to=draft").text
    qa_client.post(f"/checklists/{SLUG}/draft/publish")
    published_diff = qa_client.get(f"/checklists/{SLUG}/diff?from=1&to=2").text
    versions_page = qa_client.get(f"/checklists/{SLUG}/versions").text

    for text in (draft_diff, published_diff):
        assert "call.callback → call.call_back" in text
        assert "<del>2</del> → <ins>3</ins>" in text
    assert "call.callback → call.call_back" in versions_page and "Olga" in versions_page


def test_scenario_is_created_validated_and_edited(session: Session, qa_client: TestClient) -> None:
    form = {"slug": "acne-case", "checklist": SLUG}
    for name in ("title", "persona", "story", "ask", "avoid"):
        form[f"{name}_ru"], form[f"{name}_en"] = f"{name} ru", f"{name} en"

    missing = qa_client.post("/scenarios/new", data=form | {"persona_en": ""})
    created = qa_client.post("/scenarios/new", data=form)
    again = qa_client.post("/scenarios/new", data=form)
    edited = qa_client.post("/scenarios/acne-case/edit", data=form | {"story_en": "A new story"})

    assert missing.status_code == 422 and "persona" in missing.text
    assert created.status_code == 303 and again.status_code == 409 and edited.status_code == 303
    scenario = session.exec(select(Scenario).where(Scenario.slug == "acne-case")).one()
    assert scenario.story == {"ru": "story ru", "en": "A new story"}
    assert "acne-case" in qa_client.get("/scenarios").text
    assert qa_client.get("/scenarios/acne-case/edit").status_code == 200
    assert qa_client.get("/scenarios/nope/edit").status_code == 404


def test_uploading_a_new_checklist_makes_a_draft_that_publishes_as_version_1(session: Session,
                                                                             qa_client: TestClient) -> None:
    text = yaml.safe_dump(small_checklist("brand-new"), allow_unicode=True)

    uploaded = qa_client.post("/checklists/upload", files=_yaml_file(text))
    listed = qa_client.get("/checklists").text
    published = qa_client.post("/checklists/brand-new/draft/publish", headers=HX)

    assert uploaded.status_code == 303 and "brand-new" in listed
    assert published.status_code == 200 and published.headers["HX-Redirect"].endswith("published=1&created=1")
    assert versions.latest_version(session, "brand-new").version == 1


def test_publishing_unchanged_content_creates_no_version_and_closes_the_draft(session: Session,
                                                                               qa_client: TestClient,
                                                                               qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")

    response = qa_client.post(f"/checklists/{SLUG}/draft/publish")

    assert response.status_code == 303 and response.headers["location"].endswith("published=1&created=0")
    assert versions.latest_version(session, SLUG).version == 1
    assert editor.find_draft(session, SLUG, author=qa) is None
