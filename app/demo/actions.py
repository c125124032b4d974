"""The demo's action plan: fixes verified in the last wave, one verified in Q3 that failed again in Q4
(a regression), open and overdue ones, one done and awaiting the next visit, and ideas.

The answers are generated, so the items are chosen from what the approved audits actually say, then
the plan is created through the actions domain with its history dated in the past, and the
approved audits are replayed in visit order through the same verification the review gate runs.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.actions import service, verification
from app.actions.models import Action
from app.checklists import versions as checklists
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, AuditStatus, Wave

CHECKLIST = "aesthetic-clinic"
IDEAS = (
    ("reception", "Предлагать травяной чай и плед в зоне ожидания"),
    ("follow_up", "Поздравлять пациента с днём рождения сообщением от лечащего врача"),
)

Results = dict[int, list[dict[str, bool]]]  # wave id -> item results of each approved visit, in visit order


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _results(session: Session, clinic: Clinic) -> tuple[Results, list[Audit]]:
    audits = session.exec(select(Audit).where(Audit.clinic_id == clinic.id, Audit.status == AuditStatus.approved)
                          .order_by(col(Audit.id))).all()
    ordered = sorted(audits, key=lambda a: verification.visit_time(a) or _at(date.max))
    found: Results = {}
    for audit in ordered:
        found.setdefault(audit.wave_id, []).append(verification.item_results(session, audit))
    return found, list(ordered)


def _verdicts(results: Results, wave_id: int, key: str) -> list[bool]:
    return [visit[key] for visit in results.get(wave_id, []) if key in visit]


def _pick(keys: list[str], taken: set[str], test: object) -> str | None:
    for key in keys:
        if key not in taken and test(key):  # type: ignore[operator]
            taken.add(key)
            return key
    return None


@dataclass(frozen=True)
class _Story:
    q2: Wave
    q3: Wave
    q4: Wave
    keys: list[str]  # 0/1 items, journey order
    texts: dict[str, str]
    today: date
    author: User


def plan_actions(session: Session, people: dict[str, User], clinic_rows: dict[str, Clinic]) -> None:
    """Create the demo plan after the three waves of visits. Does not commit."""
    waves = list(session.exec(select(Wave).order_by(col(Wave.starts_on))).all())
    if len(waves) < 3:
        return
    version = checklists.latest_version(session, CHECKLIST)
    binary = [i for i in checklists.items_of(session, version.id or 0) if i.type in ("yes_no", "number")]
    q2, q3, q4 = waves[-3:]
    story = _Story(q2, q3, q4, keys=[i.key for i in binary],
                   texts={i.key: i.text.get("ru") or next(iter(i.text.values())) for i in binary},
                   today=datetime.now(UTC).date(), author=people["director@demo.test"])
    spb = people["director.spb@demo.test"]
    owners = {"Арбат": people["manager@demo.test"], "Петроградская": spb, "Невский": spb, "Васильевский": spb}
    regression_done = False
    for name, clinic in clinic_rows.items():
        if not clinic.is_competitor:
            regression_done |= _plan_clinic(session, story, clinic, owners.get(name, story.author),
                                            regression=not regression_done, extras=name in ("Арбат", "Сокольники"))


def _plan_clinic(session: Session, story: _Story, clinic: Clinic, owner: User, *, regression: bool,
                 extras: bool) -> bool:
    """One clinic's plan; returns whether it holds the regression."""
    results, audits = _results(session, clinic)
    q2, q3, q4, today = story.q2, story.q3, story.q4, story.today
    taken: set[str] = set()

    def seen(wave: Wave, key: str) -> list[bool]:
        return _verdicts(results, wave.id or 0, key)

    def make(key: str | None, title: str, *, created: date, due: date | None, kind: str = "gap",
             touchpoint: str | None = None) -> Action:
        return service.create_action(session, user=story.author, at=_at(created, 9), data=service.ActionInput(
            clinic_id=clinic.id or 0, title=title, owner_id=owner.id, due_on=due, checklist=CHECKLIST, kind=kind,
            touchpoint=touchpoint, item_keys=(key,) if key else ()))

    def finish(action: Action, done: date, comment: str) -> None:
        service.change_action(session, user=owner, action=action, status="in_progress",
                              comment="Взяли в работу", at=_at(done - timedelta(days=6)))
        service.change_action(session, user=owner, action=action, status="done", comment=comment, at=_at(done))

    fixed = _pick(story.keys, taken, lambda k: False in seen(q3, k) and bool(seen(q4, k)) and all(seen(q4, k)))
    if fixed:
        action = make(fixed, f"Сделать стандартом: {story.texts[fixed]}", created=q3.ends_on - timedelta(days=20),
                      due=q4.starts_on)
        # done the day after the last Q3 visit could be, so only a Q4 audit can verify it
        finish(action, q3.ends_on + timedelta(days=1), "Обновили стандарт, провели тренинг, проверили на звонках")
    back = _pick(story.keys, taken, lambda k: bool(seen(q3, k)) and all(seen(q3, k)) and False in seen(q4, k)) \
        if regression else None
    if back:
        action = make(back, f"Вернуть: {story.texts[back]}", created=q2.ends_on - timedelta(days=20),
                      due=q3.starts_on)
        finish(action, q3.starts_on - timedelta(days=2), "Исправили, напомнили команде на планёрке")
    late = _pick(story.keys, taken, lambda k: False in seen(q4, k))
    if late:
        action = make(late, f"Исправить: {story.texts[late]}", created=today - timedelta(days=30),
                      due=today - timedelta(days=7))
        service.change_action(session, user=owner, action=action, status="in_progress",
                              comment="Ищем подрядчика", at=_at(today - timedelta(days=20)))
    fresh = _pick(story.keys, taken, lambda k: False in seen(q4, k))
    if fresh:
        make(fresh, f"Исправить: {story.texts[fresh]}", created=today - timedelta(days=3),
             due=today + timedelta(days=21))
    if extras:
        waiting = _pick(story.keys, taken, lambda k: False in seen(q4, k))
        if waiting:
            action = make(waiting, f"Исправить: {story.texts[waiting]}", created=today - timedelta(days=14),
                          due=today + timedelta(days=7))
            finish(action, today - timedelta(days=1), "Сделано, ждём следующего визита")
        make(None, "Перестроить запись: ответ за 20 секунд и запись с первого звонка", touchpoint="call",
             created=q4.starts_on + timedelta(days=5), due=today - timedelta(days=3))
        for touchpoint, title in IDEAS:
            make(None, title, kind="idea", touchpoint=touchpoint, created=today - timedelta(days=10),
                 due=today + timedelta(days=45))
    for audit in audits:  # the review gate's verification, replayed in visit order
        verification.on_audit_approved(session, audit)
    return back is not None
