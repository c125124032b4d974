"""Every table, imported in one place so SQLModel's metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

from app.accounts.models import (
    ApiToken,
    DirectorClinic,
    DirectorRegion,
    LoginAttempt,
    User,
    UserSession,
)
from app.actions.models import Action, ActionEvent, ActionItem
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
from app.reports.models import ScoredAudit, ScoredTouchpoint
from app.trail.models import TrailEvent

metadata = SQLModel.metadata

__all__ = [
    "Action", "ActionEvent", "ActionItem", "Answer", "ApiToken", "Assignment", "Audit", "Checklist",
    "ChecklistVersion", "Clinic", "DirectorClinic", "DirectorRegion", "Evidence", "Item", "ItemOption",
    "Job", "LoginAttempt", "Region", "Review", "ReviewComment", "Scenario", "ScoredAudit", "ScoredTouchpoint",
    "Touchpoint", "TrailEvent", "User", "UserSession", "Wave", "metadata",
]
