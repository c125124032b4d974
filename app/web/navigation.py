"""The navigation each role sees, in order. Pages that do not exist yet are left out."""

from fastapi import Request
from starlette.routing import NoMatchFound

from app.accounts.models import Role
from app.i18n import N_, gettext
from app.web.urls import url_for

MENU: dict[str, list[tuple[str, str]]] = {
    Role.shopper: [("shopper_home", N_("My visits")), ("visit_board", N_("Visit board")), ("earnings", N_("My money"))],
    Role.qa_lead: [("review_queue", N_("Review")), ("waves", N_("Waves")), ("checklists", N_("Checklists")),
                   ("scenarios", N_("Scenarios")), ("shopper_quality", N_("Shopper quality")),
                   ("network_report", N_("Reports")), ("board_manage", N_("Visit board")), ("payouts", N_("Payouts"))],
    Role.director: [("network_report", N_("Network")), ("action_board", N_("Action plan")),
                    ("programme_cost", N_("Programme cost"))],
    Role.manager: [("action_board", N_("Action plan")), ("clinic_reports", N_("Reports"))],
    Role.admin: [("admin_users", N_("Users")), ("admin_clinics", N_("Clinics")), ("checklists", N_("Checklists")),
                 ("scenarios", N_("Scenarios")), ("waves", N_("Waves")), ("network_report", N_("Reports")),
                 ("board_manage", N_("Visit board")), ("payouts", N_("Payouts")),
                 ("programme_cost", N_("Programme cost")), ("admin_outbox", N_("Outbox"))],
}


def menu_for(request: Request, role: str) -> list[tuple[str, str]]:
    """The role's menu as (url, translated label)."""
    entries = []
    for name, label in MENU.get(role, []):
        try:
            entries.append((str(url_for(request, name)), gettext(label)))
        except NoMatchFound:
            continue
    return entries
