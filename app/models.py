"""Every table, imported in one place so SQLModel's metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

from app.accounts.models import (
    AccountLink,
    ApiToken,
    DirectorClinic,
    DirectorRegion,
    LoginAttempt,
    User,
    UserSession,
)
from app.actions.models import Action, ActionEvent, ActionItem, JourneyStage
from app.checklists.models import Checklist, ChecklistVersion, Item, ItemOption, Touchpoint
from app.clinics.models import Clinic, Region
from app.fieldwork.models import (
    Answer,
    Assignment,
    Audit,
    Evidence,
    Review,
    ReviewComment,
    Scenario,
    Wave,
)
from app.jobs.models import Job
from app.mail.models import OutgoingMail
from app.money.models import LedgerEntry, Payout, Receipt, VisitTerms, WaveMoney
from app.notifications.models import Notification, Preference
from app.pool.models import BoardVisit, Certification, WaveRules
from app.reports.models import ScoredAudit, ScoredTouchpoint
from app.trail.models import TrailEvent
from app.validity.models import AuditValidity, EvidenceFacts, ValidityRules

metadata = SQLModel.metadata

__all__ = [
    "AccountLink", "Action", "ActionEvent", "ActionItem", "Answer", "ApiToken", "Assignment", "Audit",
    "AuditValidity", "BoardVisit", "Certification", "Checklist", "ChecklistVersion", "Clinic", "DirectorClinic",
    "DirectorRegion", "Evidence", "EvidenceFacts", "Item", "ItemOption", "Job", "JourneyStage", "LedgerEntry",
    "LoginAttempt", "Notification", "OutgoingMail", "Payout", "Preference", "Receipt", "Region", "Review",
    "ReviewComment", "Scenario", "ScoredAudit", "ScoredTouchpoint", "Touchpoint", "TrailEvent", "User",
    "UserSession", "ValidityRules", "VisitTerms", "Wave", "WaveMoney", "WaveRules", "metadata",
]
