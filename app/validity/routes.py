"""Validity pages for QA: a wave's rules (thresholds and severities) and checking an audit again."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from app.accounts.deps import QaUser
from app.db import SessionDep
from app.errors import DomainError, NotFound
from app.fieldwork.deps import PostedForm
from app.fieldwork.models import Wave
from app.i18n import gettext
from app.review.deps import AuditById
from app.validity import rules as validity_rules
from app.validity import verdict
from app.web import choices
from app.web.ids import row_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _wave(session: SessionDep, wave_id: int) -> Wave:
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound()
    return wave


def _rules_page(request: Request, session: SessionDep, wave: Wave, rules: validity_rules.RuleSet | dict[str, object],
                *, status_code: int = 200, error: str | None = None, saved: bool = False) -> Response:
    waves = choices.for_field(request, session, "waves", "wave", wave.id)
    request.state.flashes = [("ok", gettext("Rules saved. Reports submitted from now on are checked with them; "
                                             "use “Check again” on a report to apply them to it."))] if saved else []
    return render(request, "validity/rules.html", status_code=status_code, wave=wave, waves=waves,
                  values=rules.model_dump() if isinstance(rules, validity_rules.RuleSet) else rules,
                  rows=validity_rules.RULE_ROWS, severities=list(validity_rules.Severity), error=error)


@router.get("/review/validity/rules", name="validity_rules_index")
def rules_index(request: Request, user: QaUser, session: SessionDep, wave: str | None = None) -> Response:
    """The newest wave's rules, or the wave chosen in the page's wave picker (`?wave=`)."""
    wave_id = row_id(wave)
    chosen = session.get(Wave, wave_id) if wave_id is not None else None
    latest = chosen or session.exec(select(Wave).order_by(col(Wave.starts_on).desc(), col(Wave.id).desc())).first()
    if latest is None:
        return render(request, "validity/rules.html", wave=None, waves=None, values={}, rows=[], severities=[],
                      error=None)
    url = request.url_for("validity_rules", wave_id=latest.id).path
    typed = request.query_params.get("wave_q")  # the picker's search box, sent without JavaScript
    return RedirectResponse(f"{url}?{urlencode({'wave_q': typed})}" if typed else url, status_code=303)


@router.get("/review/validity/rules/{wave_id}", name="validity_rules")
def rules_page(request: Request, user: QaUser, session: SessionDep, wave_id: int, saved: str | None = None) -> Response:
    wave = _wave(session, wave_id)
    return _rules_page(request, session, wave, validity_rules.rules_for(session, wave_id), saved=saved == "1")


@router.post("/review/validity/rules/{wave_id}", name="save_validity_rules")
def save_rules(request: Request, user: QaUser, session: SessionDep, wave_id: int,
               form: PostedForm) -> Response:
    wave = _wave(session, wave_id)
    values = {key: value for key, value in form.items()
              if key in validity_rules.RuleSet.model_fields and isinstance(value, str)}
    try:
        validity_rules.save_rules(session, wave=wave, values=values, actor=user)
    except DomainError as error:
        return _rules_page(request, session, wave, {**validity_rules.RuleSet().model_dump(), **values},
                           status_code=error.status_code, error=error.text())
    return RedirectResponse(f"{request.url_for('validity_rules', wave_id=wave_id).path}?saved=1", status_code=303)


@router.post("/review/audits/{audit_id}/validity", name="reassess_validity")
def reassess(request: Request, user: QaUser, audit: AuditById, session: SessionDep) -> Response:
    """Gather the facts and judge them again with the wave's current rules."""
    if audit.submission_count:
        verdict.assess_audit(session, audit=audit)
    return RedirectResponse(f"{request.url_for('review_audit_page', audit_id=audit.id).path}#validity-panel",
                            status_code=303)
