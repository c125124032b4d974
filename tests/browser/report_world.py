"""A network on the bundled checklists (their longest touchpoint titles, in both languages) for the
report page tests: branches and a competitor, two waves of approved audits with seeded random
answers, and a few actions on one clinic's plan. Committed for real, so the server sees it."""

import random
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.actions.models import Action, ActionStatus, JourneyStage
from app.checklists.files import import_paths
from app.checklists.models import Checklist, ChecklistVersion, ItemOption
from app.checklists.versions import items_of
from app.clinics.models import Clinic
from app.db_types import utcnow
from tests.factories import PASSWORD, make_clinic, make_region
from tests.reports.factories import make_audit, make_wave

BUNDLED = Path(__file__).resolve().parents[2] / "checklists"
DIRECTOR = "director-charts@example.test"
MANAGER = "manager-charts@example.test"
AUDITS_PER_CLINIC = 4


@dataclass(frozen=True)
class ReportWorld:
    clinic_id: int  # the branch whose gap report and journey map the tests open
    wave_id: int  # the later of the two waves
    slugs: tuple[str, ...]


def _answers(session: Session, version: ChecklistVersion, rng: random.Random, skill: float) -> dict[str, object]:
    """One visit's answers: each scored item passes with probability `skill`; emotions follow it."""
    answers: dict[str, object] = {}
    for item in items_of(session, version.id or 0):
        good = rng.random() < skill
        if item.type == "yes_no":
            answers[item.key] = good
        elif item.type == "scale":
            low, high = item.scale_min or 1, item.scale_max or 5
            answers[item.key] = high if good else rng.randint(low, high - 1)
        elif item.type == "number":
            limit = item.pass_max if item.pass_max is not None else (item.pass_min or 0) + 10
            answers[item.key] = limit - 1 if good and item.pass_max is not None else (
                limit + 5 if item.pass_max is not None else (item.pass_min or 0) + (1 if good else -1))
        elif item.type == "choice":
            options = session.exec(select(ItemOption).where(ItemOption.item_id == item.id)).all()
            best = max(options, key=lambda o: o.score)
            answers[item.key] = best.key if good else rng.choice(options).key
        elif item.type == "emotion":
            answers[item.key] = rng.choice([1, 2]) if good else rng.choice([-2, -1, 0])
    return answers


def build_report_world(session: Session) -> ReportWorld:
    import_paths(session, [BUNDLED / "aesthetic-clinic.yaml", BUNDLED / "dental-clinic.yaml"])
    versions = {c.slug: session.exec(select(ChecklistVersion).where(ChecklistVersion.checklist_id == c.id)).one()
                for c in session.exec(select(Checklist)).all() if c.slug in ("aesthetic-clinic", "dental-clinic")}
    rng = random.Random(17)
    earlier, later = make_wave(session, "Весна 2026 / Spring 2026"), make_wave(session, "Осень 2026 / Autumn 2026")
    region = make_region(session, "Приволжский федеральный округ")
    clinics: list[Clinic] = [
        make_clinic(session, name="Клиника эстетической медицины «Белая орхидея» на Пушкина", region=region),
        make_clinic(session, name="Kazan Riviera Aesthetics", region=region),
        make_clinic(session, name="Дентал-Центр Кремлёвская", region=region),
        make_clinic(session, name="Конкурент «Новая улыбка»", region=region, is_competitor=True),
    ]
    skills = [0.65, 0.85, 0.95, 0.9]
    for version in versions.values():
        for wave, shift in ((earlier, -0.1), (later, 0.0)):
            for clinic, skill in zip(clinics, skills, strict=True):
                for _ in range(AUDITS_PER_CLINIC):
                    make_audit(session, version=version, clinic=clinic, wave=wave,
                               answers=_answers(session, version, rng, skill + shift))
    director = accounts.create_user(session, email=DIRECTOR, role=Role.director, password=PASSWORD,
                                    whole_network=True)
    accounts.create_user(session, email=MANAGER, role=Role.manager, password=PASSWORD, clinic_id=clinics[0].id)
    first = clinics[0]
    checklist_id = versions["aesthetic-clinic"].checklist_id
    plan = [("Перезванивать в течение 15 минут", "call", "gap", ActionStatus.in_progress),
            ("Встречать пациента по имени", "reception", "gap", ActionStatus.verified),
            ("Бесплатный кофе и вода в зоне ожидания", "reception", "idea", ActionStatus.open),
            ("Письмо с планом лечения после консультации", "diagnostics", "gap", ActionStatus.open)]
    for title, touchpoint, kind, status in plan:
        session.add(Action(clinic_id=first.id or 0, checklist_id=checklist_id, kind=kind, touchpoint_key=touchpoint,
                           title=title, owner_id=director.id or 0, created_by_id=director.id or 0, status=status,
                           verified_at=utcnow() if status == ActionStatus.verified else None))
    blueprint = [("call", "Ирина Петрова, старший администратор", "Скрипт звонка, перезвон по пропущенным",
                  "Телефония, CRM"),
                 ("reception", "Ольга Смирнова", "Подготовка карты пациента до прихода", "МИС, электронная очередь"),
                 ("diagnostics", "Д-р Алексей Кузнецов", "Согласование плана лечения с врачом", "МИС, дерматоскоп")]
    for key, owner, backstage, systems in blueprint:
        session.add(JourneyStage(clinic_id=first.id or 0, touchpoint_key=key, owner_name=owner, backstage=backstage,
                                 systems=systems))
    session.commit()
    return ReportWorld(first.id or 0, later.id or 0, tuple(versions))
