"""Waves: the campaigns visits are planned in and reports compare."""

from datetime import date

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import Conflict, Invalid, NotFound
from app.fieldwork.models import Wave
from app.i18n import N_
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page

# Bounds the pages and the API share: a count from a form must not keep one request (and, on
# SQLite, every other request) inside a transaction for minutes.
MAX_VISITS_PER_CLINIC = 100
MAX_NAME_LENGTH = 120  # the column's length


class WaveNotFound(NotFound):
    message = N_("There is no wave {wave_id}.")


def create_wave(session: Session, *, name: str, starts_on: date, ends_on: date, actor: User | None = None,
                visits_per_clinic: int = 1) -> Wave:
    """A new wave. Raises Invalid for an empty name or a period that ends before it starts,
    Conflict when the name is taken."""
    name = name.strip()
    if not name:
        raise Invalid(N_("The wave needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(N_("A wave name has at most {n} characters."), n=MAX_NAME_LENGTH)
    if ends_on < starts_on:
        raise Invalid(N_("The wave ends before it starts."))
    if not 1 <= visits_per_clinic <= MAX_VISITS_PER_CLINIC:
        raise Invalid(N_("A wave plans from 1 to {n} visits per clinic."), n=MAX_VISITS_PER_CLINIC)
    if session.exec(select(Wave.id).where(Wave.name == name)).first() is not None:
        raise Conflict(N_("There is already a wave named {name}."), name=name)
    wave = Wave(name=name, starts_on=starts_on, ends_on=ends_on, visits_per_clinic=visits_per_clinic)
    session.add(wave)
    session.flush()
    trail.record(session, actor=actor, verb="wave.create", entity="wave", entity_id=wave.id, name=name)
    return wave


def get_wave(session: Session, wave_id: int) -> Wave:
    """Raises WaveNotFound."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise WaveNotFound(wave_id=wave_id)
    return wave


WAVE_ORDER = (SortKey(col(Wave.starts_on), descending=True), SortKey(col(Wave.id), descending=True))


def list_waves(session: Session) -> list[Wave]:
    """Every wave, the latest period first."""
    return list(session.exec(select(Wave).order_by(*(key.ordered() for key in WAVE_ORDER))).all())


def waves_page(session: Session, *, page: PageRequest) -> Page[Wave]:
    """One page of waves in `list_waves` order. Raises BadPage for a cursor that is not this list's."""
    return fetch_page(session, select(Wave), order=WAVE_ORDER, page=page)
