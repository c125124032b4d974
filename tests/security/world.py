"""A small arranged world for the security tests, built through the real domain functions: two
regions with a clinic each (and a competitor), a manager per clinic, a director per region, QA, an
admin, two shoppers (one with an approved and a draft audit, the other with a draft), evidence, a
scenario, a wave, an action, and a live login session and API token for every user."""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi import Response
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.accounts import sessions, tokens
from app.accounts.models import ApiToken, Role, User
from app.actions import service as actions
from app.actions.models import Action
from app.checklists import editor, scenarios, versions
from app.checklists.schema import ChecklistDoc
from app.clinics.models import Clinic, Region
from app.db_types import utcnow
from app.fieldwork import answers, assignments, evidence, submission, visits, waves
from app.fieldwork.models import Assignment, Audit, Evidence, Wave
from app.jobs.models import Job, JobStatus
from app.jobs.service import downloads_dir
from app.review import service as review
from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_region, make_user

SLUG = "sec-clinic"
COMPLETE: dict[str, Any] = {"call.answer_time": 12, "call.greeting": True, "call.callback": True, "call.mood": 1,
                            "reception.politeness": 5, "reception.wait": "short"}
ROLES = ("shopper", "qa_lead", "director", "manager", "admin")


@dataclass
class Login:
    """How one user reaches the app: a session cookie value (with its CSRF token) and an API token."""

    user: User
    cookie: str
    session_token: str
    api_token: str
    api_token_row: ApiToken


@dataclass
class World:
    region_a: Region
    region_b: Region
    clinic_a: Clinic
    clinic_b: Clinic
    competitor: Clinic
    wave: Wave
    assignment: Assignment
    approved: Audit  # shopper's, clinic A, with a photo
    draft: Audit  # shopper's, clinic A, with a photo
    other_draft: Audit  # other shopper's, clinic B, with a photo
    approved_photo: Evidence
    draft_photo: Evidence
    other_photo: Evidence
    action: Action
    users: dict[str, User] = field(default_factory=dict)
    logins: dict[str, Login] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)  # per role: a finished download of clinic A's PDF


def photo_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 40, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def log_in_directly(session: Session, user: User) -> Login:
    """A session as the login form would start it, and a personal API token."""
    response = Response()
    token = sessions.start_session(session, user=user, response=response)
    cookie = response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    row, plain = tokens.create_token(session, user=user, name="security tests")
    return Login(user, cookie.strip('"'), token, plain, row)


def _visit(session: Session, *, wave: Wave, clinic: Clinic, shopper: User) -> Audit:
    assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=SLUG, scenario=None,
                                          shopper=shopper)
    return session.exec(select(Audit).where(Audit.assignment_id == assignment.id)).one()


def _photo(session: Session, audit: Audit, shopper: User) -> Evidence:
    return evidence.add_evidence(session, audit=audit, upload=io.BytesIO(photo_bytes()),
                                 item_key="reception.photo", actor=shopper)


def build_world(session: Session) -> World:
    versions.save_version(session, ChecklistDoc.model_validate(small_checklist(SLUG)))
    text = {"ru": "Текст", "en": "Text"}
    scenarios.save_scenario(session, scenarios.ScenarioDoc(slug="sec-scenario", checklist=SLUG, title=text,
                                                           persona=text, story=text, ask=text, avoid=text))
    region_a, region_b = make_region(session, "North"), make_region(session, "South")
    clinic_a = make_clinic(session, name="North clinic", region=region_a, address="Tverskaya 1")
    clinic_b = make_clinic(session, name="South clinic", region=region_b, address="Nevsky 2")
    competitor = make_clinic(session, name="Rival clinic", region=region_a, is_competitor=True)
    users = {
        "shopper": make_user(session, Role.shopper, name="Shopper One"),
        "other_shopper": make_user(session, Role.shopper, name="Shopper Two"),
        "qa_lead": make_user(session, Role.qa_lead),
        "admin": make_user(session, Role.admin),
        "manager": make_user(session, Role.manager, clinic_id=clinic_a.id),
        "other_manager": make_user(session, Role.manager, clinic_id=clinic_b.id),
        "director": make_user(session, Role.director, region_ids=[region_a.id]),
        "other_director": make_user(session, Role.director, region_ids=[region_b.id]),
    }
    today = utcnow().date()
    wave = waves.create_wave(session, name="Security wave", starts_on=today - timedelta(days=30),
                             ends_on=today + timedelta(days=30))
    shopper = users["shopper"]
    approved = _visit(session, wave=wave, clinic=clinic_a, shopper=shopper)
    visits.set_visit_times(session, audit=approved, started_at=utcnow() - timedelta(days=2, hours=1),
                           ended_at=utcnow() - timedelta(days=2), actor=shopper)
    answers.record_answers(session, audit=approved, answers=[answers.AnswerInput(k, v, comment="seen")
                                                              for k, v in COMPLETE.items()])
    approved_photo = _photo(session, approved, shopper)
    submission.submit_audit(session, audit=approved, actor=shopper)
    review.review_audit(session, audit=approved, reviewer=users["qa_lead"], decision="approve")
    draft = _visit(session, wave=wave, clinic=clinic_a, shopper=shopper)
    draft_photo = _photo(session, draft, shopper)
    other_draft = _visit(session, wave=wave, clinic=clinic_b, shopper=users["other_shopper"])
    other_photo = _photo(session, other_draft, users["other_shopper"])
    action = actions.create_action(session, user=users["manager"], data=actions.ActionInput(
        clinic_id=clinic_a.id or 0, title="Greet with the clinic's name", owner_id=users["manager"].id,
        due_on=date.today() + timedelta(days=14), checklist=SLUG, touchpoint=None, item_keys=("call.greeting",)))
    assignment = session.get(Assignment, draft.assignment_id)
    assert assignment is not None
    world = World(region_a, region_b, clinic_a, clinic_b, competitor, wave, assignment, approved, draft,
                  other_draft, approved_photo, draft_photo, other_photo, action, users)
    for author in ("qa_lead", "admin"):  # drafts are per author
        editor.open_draft(session, SLUG, author=users[author])
    world.logins = {name: log_in_directly(session, user) for name, user in users.items()}
    world.jobs = {name: finished_download(session, user, clinic_a) for name, user in users.items()}
    session.commit()  # a savepoint: requests that fail and roll back keep the arranged rows
    return world


def as_user(client: TestClient, login: Login | None, *, api: bool = False) -> TestClient:
    """Point the client at one identity: its session cookie and CSRF header, or its Bearer token for
    the API; None is anonymous (with a valid pre-login CSRF token, so CSRF is not what refuses)."""
    client.cookies.clear()
    for header in ("X-CSRF-Token", "Authorization"):
        client.headers.pop(header, None)
    if login is None:
        page = client.get("/login")
        client.headers["X-CSRF-Token"] = _csrf(page.text)
        return client
    if api:
        client.headers["Authorization"] = f"Bearer {login.api_token}"
        return client
    client.cookies.set(sessions.COOKIE, login.cookie)
    profile = client.get("/profile")
    if profile.status_code == 200:  # a dead session has no CSRF token to carry
        client.headers["X-CSRF-Token"] = _csrf(profile.text)
    return client


def _csrf(html: str) -> str:
    from tests.web import csrf_from

    return csrf_from(html)


def finished_download(session: Session, user: User, clinic: Clinic) -> Job:
    """A prepared PDF of the clinic's gap report, as a worker leaves it."""
    job = Job(user_id=user.id or 0, kind="clinic_pdf", params={"clinic_id": str(clinic.id)}, status=JobStatus.done,
              progress=100, download_name="report.pdf", media_type="application/pdf", clinic_ids=[clinic.id or 0],
              expires_at=utcnow() + timedelta(hours=1))
    session.add(job)
    session.flush()
    job.file_name = f"{job.id}-security.pdf"
    (downloads_dir() / job.file_name).write_bytes(b"%PDF-1.4 security world")
    session.add(job)
    return job

