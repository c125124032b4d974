"""Per-wave validity rules: thresholds and how serious crossing each one is (docs/validity.md, "Rules").

Waves without saved rules use the defaults below; the QA lead edits them on the rules page.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from app.accounts.models import User
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.models import Wave
from app.i18n import N_
from app.trail import service as trail
from app.validity.models import ValidityRules


class Severity(StrEnum):
    off = "off"
    doubtful = "doubtful"
    invalid = "invalid"


class RuleSet(BaseModel):
    """Every rule's threshold and severity; the defaults are the product's recommendation."""

    model_config = ConfigDict(extra="ignore")

    window_grace_days: int = Field(default=0, ge=0, le=60)
    window: Severity = Severity.doubtful
    checkin_max_m: int = Field(default=300, ge=10, le=100_000)
    checkin: Severity = Severity.doubtful
    photo_max_m: int = Field(default=300, ge=10, le=100_000)
    photo_distance: Severity = Severity.doubtful
    photo_hours: int = Field(default=3, ge=0, le=24 * 30)
    photo_time: Severity = Severity.doubtful
    near_duplicate_bits: int = Field(default=8, ge=0, le=20)
    duplicate_in_audit: Severity = Severity.doubtful
    duplicate_elsewhere: Severity = Severity.invalid
    recording_tolerance_s: int = Field(default=10, ge=0, le=3600)
    recording: Severity = Severity.doubtful
    submit_delay_days: int = Field(default=3, ge=0, le=365)
    submit_delay: Severity = Severity.doubtful
    min_fill_minutes: int = Field(default=2, ge=0, le=600)
    min_fill_answers: int = Field(default=10, ge=2, le=2000)
    fill_speed: Severity = Severity.doubtful


# The rules page lists them in this order: (threshold field, severity field, label); either may be None.
RULE_ROWS: list[tuple[str | None, str | None, str]] = [
    ("window_grace_days", "window", N_("Visit outside the assignment's window (days of grace)")),
    ("checkin_max_m", "checkin", N_("Check-in farther from the clinic than (m)")),
    ("photo_max_m", "photo_distance", N_("Photo taken farther from the clinic than (m)")),
    ("photo_hours", "photo_time", N_("Photo taken this many hours before or after the visit")),
    ("near_duplicate_bits", "duplicate_in_audit", N_("The same photo twice in one report (hash bits that may differ)")),
    (None, "duplicate_elsewhere", N_("A photo also found in another report (the shopper's or the clinic's)")),
    ("recording_tolerance_s", "recording", N_("Recording shorter than the timed call by more than (s)")),
    ("submit_delay_days", "submit_delay", N_("Submitted more than this many days after the visit")),
    ("min_fill_minutes", "fill_speed", N_("Whole form filled in fewer minutes than")),
    ("min_fill_answers", None, N_("… counted only from this many answers")),
]


class RulesInvalid(Invalid):
    message = N_("Some rule values are not valid: {fields}.")


def rules_for(session: Session, wave_id: int) -> RuleSet:
    """The wave's rules: saved values over the defaults."""
    row = session.exec(select(ValidityRules).where(ValidityRules.wave_id == wave_id)).first()
    return RuleSet.model_validate(row.settings) if row else RuleSet()


def save_rules(session: Session, *, wave: Wave, values: dict[str, Any], actor: User) -> RuleSet:
    """Replace the wave's rules. Raises RulesInvalid naming each field out of range or unknown value."""
    try:
        rules = RuleSet.model_validate(values)
    except ValidationError as error:
        fields = [str(problem["loc"][0]) for problem in error.errors()]
        raise RulesInvalid(fields=", ".join(fields),
                           detail=[{"key": f, "message": p["msg"]} for f, p in zip(fields, error.errors(),
                                                                                   strict=True)]) from None
    row = session.exec(select(ValidityRules).where(ValidityRules.wave_id == wave.id)).first()
    row = row or ValidityRules(wave_id=wave.id or 0)
    row.settings, row.updated_by_id, row.updated_at = rules.model_dump(mode="json"), actor.id, utcnow()
    session.add(row)
    session.flush()
    trail.record(session, actor=actor, verb="validity.rules", entity="wave", entity_id=wave.id,
                 settings=row.settings)
    return rules
