"""The report filters: selects of the waves with approved audits, the checklists and the visible
regions, the current choice selected; a GET form that htmx enhances; hand-typed unknowns are 404."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service as accounts
from tests.factories import PASSWORD, make_user
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit, make_wave
from tests.web import log_in


def _options(html: str, select_id: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select."""
    block = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select #{select_id}"
    return [(value, label.strip(), bool(selected)) for value, selected, label in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', block.group(1))]


def test_network_filters_are_selects_of_waves_checklists_and_regions(client: TestClient, session: Session,
                                                                     network: Network) -> None:
    older = make_wave(session, "W0", starts_on=network.wave.starts_on.replace(year=2025))
    make_audit(session, version=network.version, clinic=network.b, wave=older, answers=PERFECT)
    make_wave(session, "Empty wave")  # no approved audits: not offered
    log_in(client, make_user(session, "director", whole_network=True).email, PASSWORD)

    page = client.get("/reports")

    waves = _options(page.text, "f-wave")
    assert [label for _v, label, _s in waves] == ["W1", "W0"]  # newest first
    assert [(v, s) for v, _l, s in waves] == [(str(network.wave.id), True), (str(older.id), False)]
    checklists = _options(page.text, "f-checklist")
    assert ("test-clinic", True) in [(v, s) for v, _l, s in checklists]
    assert any("(test-clinic)" in label for _v, label, _s in checklists)
    regions = _options(page.text, "f-region")
    assert [(v, label) for v, label, _s in regions][1:] == [(str(network.north.id), "North"),
                                                            (str(network.south.id), "South")]
    assert regions[0][0] == "" and regions[0][2] is False  # "all regions", not chosen
    assert 'hx-get="http://testserver/reports"' in page.text and 'hx-target="#network-report"' in page.text


def test_network_filters_keep_the_chosen_region_and_wave_selected(client: TestClient, session: Session,
                                                                  network: Network) -> None:
    log_in(client, make_user(session, "admin").email, PASSWORD)

    fragment = client.get("/reports", params={"region": str(network.south.id), "wave": str(network.wave.id),
                                              "checklist": "test-clinic"}, headers={"HX-Request": "true"})

    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="network-report">')
    assert (str(network.south.id), "South", True) in _options(fragment.text, "f-region")
    assert "Beta" in fragment.text and "Alpha" not in fragment.text


def test_a_regional_director_is_offered_only_their_regions(client: TestClient, session: Session,
                                                           network: Network) -> None:
    director = make_user(session, "director")
    accounts.set_scope(session, user=director, region_ids=[network.south.id or 0])
    log_in(client, director.email, PASSWORD)

    page = client.get("/reports")

    assert [value for value, _l, _s in _options(page.text, "f-region")] == ["", str(network.south.id)]
    assert "Alpha" not in page.text


def test_clinic_filters_offer_the_clinics_waves_and_checklists(client: TestClient, session: Session,
                                                               network: Network) -> None:
    make_wave(session, "Other clinics only")
    log_in(client, make_user(session, "qa_lead").email, PASSWORD)

    page = client.get(f"/reports/clinics/{network.a.id}")
    fragment = client.get(f"/reports/clinics/{network.a.id}", params={"wave": network.wave.id},
                          headers={"HX-Request": "true"})

    assert _options(page.text, "f-wave") == [(str(network.wave.id), "W1", True)]
    assert 'id="f-region"' not in page.text
    assert fragment.text.lstrip().startswith('<div id="clinic-report">') and 'id="f-checklist"' in fragment.text


def test_hand_typed_unknown_filters_are_404_naming_them(client: TestClient, session: Session,
                                                        network: Network) -> None:
    log_in(client, make_user(session, "admin").email, PASSWORD)

    wave = client.get("/reports", params={"wave": "No such wave"})
    region = client.get("/reports", params={"region": "Atlantis"})
    checklist = client.get(f"/reports/clinics/{network.a.id}", params={"checklist": "nope"})

    assert wave.status_code == 404 and "No such wave" in wave.text
    assert region.status_code == 404 and "Atlantis" in region.text
    assert checklist.status_code == 404 and "nope" in checklist.text
