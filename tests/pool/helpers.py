"""Pool test helpers: a wave with rules, a visit on the board."""

from datetime import date

from sqlmodel import Session

from app.accounts.models import User
from app.clinics.models import Clinic
from app.fieldwork.models import Wave
from app.pool import board, rules
from app.pool.models import BoardVisit
from tests.factories import make_clinic
from tests.fieldwork.helpers import make_wave, publish_checklist

SLUG = "pool-clinic"


def ruled_wave(session: Session, *, revisit_days: int | None = None, max_visits: int | None = None,
               certification_required: bool = False) -> Wave:
    wave = make_wave(session)
    rules.set_wave_rules(session, wave=wave, revisit_days=revisit_days, max_visits=max_visits,
                         certification_required=certification_required)
    return wave


def published(session: Session, *, wave: Wave, clinic: Clinic | None = None, fee: str | None = "1500.00",
              window_start: date | None = date(2026, 11, 10), actor: User | None = None) -> BoardVisit:
    from app.checklists.versions import ChecklistNotFound, latest_version

    try:
        latest_version(session, SLUG)
    except ChecklistNotFound:
        publish_checklist(session, SLUG)
    return board.publish_visit(session, wave=wave, clinic=clinic or make_clinic(session), checklist_slug=SLUG,
                               scenario=None, window_start=window_start, window_end=date(2026, 11, 20), fee=fee,
                               actor=actor)
