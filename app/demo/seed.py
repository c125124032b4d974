"""`demo seed`: a believable network built through the same domain functions the app uses.

Seven branches in two regions and two competitors, one user per role, the bundled checklists and
scenarios, and three waves of visits: most approved, the latest wave with every status. Answers
follow each clinic's profile (app/demo/network.py): Сокольники is weak on the phone call,
Петроградская improves wave over wave. Running it again adds nothing.
"""

import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import User
from app.checklists import files as checklist_files
from app.checklists import versions as checklists
from app.checklists.models import Item, ItemOption
from app.clinics import service as clinics
from app.clinics import time_zones
from app.clinics.models import Clinic, Region
from app.demo import actions as demo_actions
from app.demo import money as demo_money
from app.demo.answers import DemoAnswer, answer_item
from app.demo.network import CLINICS, PASSWORD, PEOPLE, REGIONS, VISITS_PER_CLINIC, WAVES, DemoClinic
from app.fieldwork import answers as fieldwork_answers
from app.fieldwork import assignments, evidence, submission, visits, waves
from app.fieldwork.models import Audit, Scenario, Wave
from app.notifications import subscribers as notification_subscribers
from app.review import service as review
from app.validity import verdict as validity

CHECKLIST = "aesthetic-clinic"
SCENARIO = "aesthetic-acne-rosacea"
BUNDLED = Path(__file__).resolve().parents[2] / "checklists"


@dataclass(frozen=True)
class SeedReport:
    created: bool
    logins: list[tuple[str, str, str]]  # (role, email, password)


def seed_demo(session: Session) -> SeedReport:
    """Create the demo network unless it is there already. Does not commit."""
    checklist_files.import_paths(session, [BUNDLED])
    clinic_rows = _clinics(session)
    people = _people(session, clinic_rows)
    logins = [(p.role, p.email, PASSWORD) for p in PEOPLE]
    if session.exec(select(Wave).where(Wave.name == WAVES[0][0])).first() is not None:
        return SeedReport(created=False, logins=logins)
    scenario = session.exec(select(Scenario).where(Scenario.slug == SCENARIO)).one()
    notification_subscribers.register()  # the demo's visits, returns and alerts fill bells and the Outbox
    _visits(session, people, clinic_rows, scenario)
    return SeedReport(created=True, logins=logins)


def _clinics(session: Session) -> dict[str, Clinic]:
    regions = {name: clinics.region_named(session, name, actor=None) for name in REGIONS}
    rows = {}
    for demo in CLINICS:
        clinic = session.exec(select(Clinic).where(Clinic.name == demo.name)).first()
        if clinic is None:
            data = clinics.clinic_input(session, name=demo.name, region_id=regions[demo.region].id, city=demo.city,
                                        address=demo.address, latitude=demo.latitude, longitude=demo.longitude,
                                        is_competitor=demo.is_competitor, time_zone=demo.time_zone)
            clinic = clinics.create_clinic(session, data=data, actor=None)
        rows[demo.name] = clinic
    return rows


def _people(session: Session, clinic_rows: dict[str, Clinic]) -> dict[str, User]:
    regions = {r.name: r.id for r in session.exec(select(Region)).all()}
    found = {}
    for person in PEOPLE:
        user = accounts.find_user(session, person.email)
        if user is None:
            user = accounts.create_user(
                session, email=person.email, role=person.role, password=PASSWORD, name=person.name, language="ru",
                clinic_id=clinic_rows[person.clinic].id if person.clinic else None,
                region_ids=[region_id for name in person.regions if (region_id := regions.get(name)) is not None],
                whole_network=person.whole_network)
        found[person.email] = user
    return found


def _visits(session: Session, people: dict[str, User], clinic_rows: dict[str, Clinic], scenario: Scenario) -> None:
    rng = random.Random(20261123)  # the same demo every time
    shoppers = [people[p.email] for p in PEOPLE if p.role == "shopper"]
    qa = people["qa@demo.test"]
    version = checklists.latest_version(session, CHECKLIST)
    items = checklists.items_of(session, version.id or 0)
    options = {item.id: checklists.options_of(session, item.id or 0) for item in items if item.type == "choice"}
    touchpoint_keys = {tp.id: tp.key for tp in checklists.touchpoints_of(session, version.id or 0)}
    last = len(WAVES) - 1
    for wave_index, (name, starts, ends) in enumerate(WAVES):
        wave = waves.create_wave(session, name=name, starts_on=date.fromisoformat(starts),
                                 ends_on=date.fromisoformat(ends), actor=qa, visits_per_clinic=VISITS_PER_CLINIC)
        demo_money.price_wave(session, wave, wave_index)
        for clinic_index, demo in enumerate(CLINICS):
            for visit in range(VISITS_PER_CLINIC):
                shopper = shoppers[(clinic_index + visit + wave_index) % len(shoppers)]
                assignment = assignments.assign_visit(
                    session, wave=wave, clinic=clinic_rows[demo.name], checklist_slug=CHECKLIST, scenario=scenario,
                    shopper=shopper, window_start=wave.starts_on, window_end=wave.ends_on, actor=qa)
                audit = assignments.audit_for(session, assignment)
                fate = _fate(wave_index == last, clinic_index, visit)
                if fate == "todo":
                    continue
                visit_day = _visit_day(wave, clinic_index, visit, rng, clinic_rows[demo.name])
                _fill(session, audit, demo, wave_index, items, options, touchpoint_keys, rng, visit_day,
                      shopper, partial=fate == "draft")
                if fate == "draft":
                    continue
                demo_money.attach_receipt(session, audit, shopper, rng)
                submission.submit_audit(session, audit=audit, actor=shopper)
                _decide(session, audit, qa, fate, visit_day, items, rng)
    demo_actions.plan_actions(session, people, clinic_rows)
    demo_money.settle(session, qa=qa, admin=people["admin@demo.test"], shoppers=shoppers, clinics=clinic_rows)


def _fate(latest_wave: bool, clinic_index: int, visit: int) -> str:
    """Past waves are fully reviewed; the current one has every status a QA lead meets."""
    if not latest_wave:
        return "approve"
    fates = {(0, 1): "todo", (1, 1): "draft", (2, 1): "submitted", (3, 1): "return", (4, 1): "reject",
             (6, 1): "submitted"}
    return fates.get((clinic_index, visit), "approve")


def _visit_day(wave: Wave, clinic_index: int, visit: int, rng: random.Random, clinic: Clinic) -> datetime:
    """A visit in the clinic's opening hours, on its own clock."""
    today = datetime.now(UTC).date()
    end = min(wave.ends_on, today - timedelta(days=2))
    span = max(1, (end - wave.starts_on).days)
    day = wave.starts_on + timedelta(days=rng.randint(0, span))
    return time_zones.from_local(datetime(day.year, day.month, day.day, 10 + clinic_index % 7, 15 * visit), clinic)


def _fill(session: Session, audit: Audit, demo: DemoClinic, wave_index: int, items: list[Item],
          options: dict[int | None, list[ItemOption]], touchpoint_keys: dict[int | None, str], rng: random.Random,
          visit_day: datetime, shopper: User, *, partial: bool) -> None:
    visits.set_visit_times(session, audit=audit, started_at=visit_day, ended_at=visit_day + timedelta(minutes=75),
                           actor=shopper)
    answered: list[tuple[Item, DemoAnswer]] = []
    for n, item in enumerate(items):
        if partial and n > len(items) // 3:
            break
        chance = demo.touchpoints.get(touchpoint_keys[item.touchpoint_id], demo.base)[wave_index]
        answer = answer_item(item, options.get(item.id, []), chance, rng)
        if answer is not None:
            answered.append((item, answer))
    fieldwork_answers.record_answers(session, audit=audit, answers=[
        fieldwork_answers.AnswerInput(a.item_key, a.value, a.na, a.comment) for _item, a in answered])
    failed = {item.key for item, a in answered if not a.passed}
    for item in items:
        if partial:
            break
        wants_photo = item.photo == "required" or (item.photo == "required_on_fail" and item.key in failed)
        if item.type == "evidence" or wants_photo:
            evidence.add_evidence(session, audit=audit, upload=io.BytesIO(_demo_photo(rng)), item_key=item.key,
                                  actor=shopper)


def _decide(session: Session, audit: Audit, qa: User, fate: str, visit_day: datetime, items: list[Item],
            rng: random.Random) -> None:
    submitted_at = visit_day + timedelta(hours=rng.randint(2, 30))
    # The demo's history happened in the past: date the submission like a real one and judge the visit
    # with that date (submit_audit judged it with today's).
    audit.submitted_at = submitted_at
    session.add(audit)
    validity.assess_audit(session, audit=audit)
    if fate in ("approve", "return", "reject"):
        comments = {items[1].key: "Уточните, пожалуйста, время ответа — по записи звонка оно другое."} \
            if fate == "return" else {}
        reason = "Администратор узнал тайного пациента по прошлому визиту." if fate == "reject" else ""
        decision = review.review_audit(session, audit=audit, reviewer=qa, decision=fate, comments=comments,
                                       reason=reason, reason_code="recognised" if fate == "reject" else None)
        decided_at = submitted_at + timedelta(hours=rng.randint(3, 48))
        # The demo's history happened in the past: date the review and decision like real ones.
        decision.created_at = decided_at
        audit.decided_at = decided_at
        session.add(decision)
    session.add(audit)
    session.flush()


def _demo_photo(rng: random.Random) -> bytes:
    """A small JPEG that stands in for a shopper's photo. Each one is different (soft blobs of colour
    under the frame), so the validity check does not take the demo's photos for reused ones."""
    blobs = Image.new("RGB", (8, 6))
    blobs.putdata([(rng.randrange(120, 256), rng.randrange(120, 256), rng.randrange(120, 256)) for _ in range(48)])
    image = blobs.resize((640, 480), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline=(31, 95, 168), width=8)
    draw.text((70, 220), "Mystery Patient demo photo", fill=(29, 35, 43))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()



