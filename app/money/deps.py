"""Who may handle money: payouts are for QA leads and admins, the programme's cost also for directors."""

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import require
from app.accounts.models import Role, User

PayoutUser = Annotated[User, Depends(require(Role.qa_lead, Role.admin))]
CostReader = Annotated[User, Depends(require(Role.director, Role.qa_lead, Role.admin))]
