"""The programme's cost for directors: what the visits of each clinic and wave cost, and the cost
per valid (approved) visit. Aggregated in SQL over the ledger; reversals count against their visit."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.money.amounts import CENT, ZERO
from app.money.models import EntryStatus, LedgerEntry

OWED = (EntryStatus.approved, EntryStatus.in_payout, EntryStatus.paid)


@dataclass(frozen=True)
class CostRow:
    clinic_id: int
    clinic: str
    wave_id: int
    wave: str
    cost: Decimal
    valid_visits: int
    per_valid_visit: Decimal | None


def cost_by_clinic_and_wave(session: Session, *, user: User) -> list[CostRow]:
    """One row per clinic and wave with owed money, in the reader's scope; newest wave first."""
    visible = visible_clinic_ids(session, user)
    query = (select(Audit.clinic_id, Audit.wave_id, func.sum(col(LedgerEntry.amount)))
             .join(Audit, col(Audit.id) == LedgerEntry.audit_id)
             .where(col(LedgerEntry.status).in_(OWED))
             .group_by(col(Audit.clinic_id), col(Audit.wave_id)))
    valid_query = (select(Audit.clinic_id, Audit.wave_id, func.count(col(Audit.id)))
                   .where(Audit.status == AuditStatus.approved).group_by(col(Audit.clinic_id), col(Audit.wave_id)))
    if visible is not None:
        query = query.where(col(Audit.clinic_id).in_(visible))
        valid_query = valid_query.where(col(Audit.clinic_id).in_(visible))
    costs = session.exec(query).all()
    valid = {(c, w): n for c, w, n in session.exec(valid_query).all()}
    # Only the clinics and waves the rows name, each read in one query (never the whole table).
    clinic_ids, wave_ids = sorted({c for c, _w, _cost in costs}), sorted({w for _c, w, _cost in costs})
    clinics = dict(session.exec(select(Clinic.id, Clinic.name).where(col(Clinic.id).in_(clinic_ids))).all()) \
        if clinic_ids else {}
    waves = {w.id: w for w in session.exec(select(Wave).where(col(Wave.id).in_(wave_ids))).all()} if wave_ids else {}
    rows = []
    for clinic_id, wave_id, cost in costs:
        total = cost if cost is not None else ZERO
        n = valid.get((clinic_id, wave_id), 0)
        rows.append(CostRow(clinic_id, clinics.get(clinic_id, "?"), wave_id, waves[wave_id].name, total, n,
                            (total / n).quantize(CENT, rounding=ROUND_HALF_UP) if n else None))
    rows.sort(key=lambda r: (-(waves[r.wave_id].starts_on.toordinal()), r.clinic))
    return rows
