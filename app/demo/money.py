"""The demo's money: every wave priced (fee and reimbursement limit), receipts on the visits, QA's
decisions dated like the reviews, one batch exported and paid (the first wave), and visits on the
board for the current wave with its rules. Built through the same domain functions as the app."""

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists.models import Checklist
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, Wave
from app.money import payouts, receipts, terms
from app.money.models import EntryStatus, LedgerEntry
from app.pool import board, certification, rules

FEES = ("1500.00", "1500.00", "1800.00")  # per wave, rising with the programme
LIMIT = "3500.00"
CONSULTATIONS = ("2900.00", "3200.00", "3500.00", "4100.00", "2750.50")  # one above the limit


def price_wave(session: Session, wave: Wave, wave_index: int) -> None:
    terms.set_wave_defaults(session, wave=wave, fee=FEES[wave_index % len(FEES)], reimbursement_limit=LIMIT)


def attach_receipt(session: Session, audit: Audit, shopper: User, rng: random.Random) -> None:
    """A photographed receipt for most visits (some shoppers forget)."""
    if rng.random() < 0.15:
        return
    receipts.attach_receipt(session, audit=audit, amount_paid=rng.choice(CONSULTATIONS), upload=io.BytesIO(_receipt()),
                            actor=shopper)


def settle(session: Session, *, qa: User, admin: User, shoppers: list[User], clinics: dict[str, Clinic]) -> None:
    """Date the approved entries like their decisions, pay the first wave, put visits on the board."""
    approved = session.exec(select(LedgerEntry, Audit).join(Audit, col(Audit.id) == LedgerEntry.visit_audit_id)
                            .where(LedgerEntry.status == EntryStatus.approved)).all()
    for entry, audit in approved:
        entry.approved_on = audit.decided_at.date() if audit.decided_at else entry.approved_on
        session.add(entry)
    session.flush()
    waves = list(session.exec(select(Wave).order_by(col(Wave.starts_on))).all())
    first, latest = waves[0], waves[-1]
    batch = payouts.create_payout(session, up_to=first.ends_on + timedelta(days=10), actor=admin)
    payouts.export_payout(session, payout=batch, actor=admin)
    payouts.mark_paid(session, payout=batch, actor=admin)
    _board(session, latest, qa, shoppers, clinics)


def _board(session: Session, wave: Wave, qa: User, shoppers: list[User], clinics: dict[str, Clinic]) -> None:
    checklist = session.exec(select(Checklist).where(Checklist.slug == "aesthetic-clinic")).one()
    branches = [c for c in clinics.values() if not c.is_competitor]
    for n, clinic in enumerate(branches[:4]):
        board.publish_visit(session, wave=wave, clinic=clinic, checklist_slug=checklist.slug, scenario=None,
                            window_start=wave.starts_on, window_end=wave.ends_on,
                            fee="2000.00" if n == 0 else None, actor=qa)
    rules.set_wave_rules(session, wave=wave, revisit_days=30, max_visits=None, certification_required=True)
    for shopper in shoppers[:2]:
        certification.certify(session, shopper=shopper, checklist=checklist, actor=qa)


def _receipt() -> bytes:
    image = Image.new("RGB", (360, 540), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    for y, line in enumerate(("CLINIC", "Consultation", "dermatologist", "", "TOTAL  RUB", "PAID by card")):
        draw.text((30, 40 + 50 * y), line, fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()
