"""JSON reports (docs/design.md §8): the clinic gap report and the network comparison, unrounded floats and
null where there is no data. Extra keys beyond §8 are documented on each model."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.accounts.deps import ReportReader, require
from app.accounts.models import Role, User
from app.db import SessionDep
from app.reports.clinic_report import build_clinic_report
from app.reports.network_report import build_network_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
NetworkReader = Annotated[User, Depends(require(Role.director, Role.qa_lead, Role.admin))]


class ClinicRef(BaseModel):
    id: int
    name: str
    region: str | None
    is_competitor: bool


class WaveRef(BaseModel):
    id: int
    name: str


class TouchpointFigures(BaseModel):
    key: str
    score: float | None
    target: float
    gap: float | None
    n: int
    critical_failures: int
    emotion: float | None
    weight: float  # extra: the touchpoint's weight (latest version)


class ItemFigures(BaseModel):
    key: str
    touchpoint: str
    pass_rate: float
    n: int
    ci_low: float | None
    ci_high: float | None
    priority: float
    type: str  # extra


class Change(BaseModel):
    score: float | None = None
    pass_rate: float | None = None
    delta: float | None


class PreviousWave(BaseModel):
    """The previous wave with approved audits of this clinic and checklist; delta = now − then."""

    wave: WaveRef
    audits: int
    score: float | None
    delta: float | None
    touchpoints: dict[str, Change]
    items: dict[str, Change]


class Advice(BaseModel):
    """Visits needed so the weakest 0/1 item's pass rate is known to ± margin at 95 %:
    n = ceil(z²·p(1−p)/margin²), with p = 0.5 where the observed p is 0 or 1."""

    item: str
    pass_rate: float
    n: int
    visits_needed: int
    more_visits: int
    margin: float
    z: float
    formula: str


class AuditRef(BaseModel):
    id: int
    date: datetime | None
    approved_despite_doubt: bool = False  # approved with a note over a doubtful/invalid verdict


class FailingAnswer(BaseModel):
    """An answer that scored below 1, with the shopper's comment and photos (`/media/{id}/thumb`)."""

    audit_id: int
    s: float
    comment: str | None
    photos: list[int]


class ActionRef(BaseModel):
    """An action on the clinic's plan: open, in progress, done (awaiting a visit) or recently
    verified; `overdue` = past its due date and not yet done."""

    id: int
    title: str
    status: str
    owner: str
    due_on: date | None
    overdue: bool
    item_keys: list[str]


class ClinicReport(BaseModel):
    clinic: ClinicRef
    wave: WaveRef | None
    checklist: str | None
    audits: int
    score: float | None
    target: float | None
    network_mean: float | None
    critical_failures: int
    touchpoints: list[TouchpointFigures]
    items: list[ItemFigures]
    # Extras beyond docs/design.md §8:
    previous_wave: PreviousWave | None
    audit_ids: list[int]
    audits_behind: list[AuditRef]
    score_ci: tuple[float, float] | None  # mean ± t·sd/√n of the audit scores, clipped to 0..100
    advice: Advice | None
    small_sample: bool  # fewer than 3 approved audits: not yet reliable
    evidence: dict[str, list[FailingAnswer]]  # by item key: failing answers with a comment or photo
    actions: list[ActionRef]  # the clinic's open, in-progress and done actions, then the recently verified


class ClinicRow(BaseModel):
    id: int
    name: str
    region: str | None
    is_competitor: bool
    audits: int
    score: float | None
    rank: int | None
    touchpoints: dict[str, float | None]
    critical_failures: int  # extra


class NetworkFigures(BaseModel):
    score: float | None
    touchpoints: dict[str, float | None]


class TrendClinic(BaseModel):
    id: int
    audits: int
    score: float | None


class TrendPoint(BaseModel):
    wave: WaveRef
    network: float | None
    clinics: list[TrendClinic]


class NetworkReport(BaseModel):
    wave: WaveRef | None
    checklist: str | None
    touchpoints: list[str]
    network: NetworkFigures
    clinics: list[ClinicRow]
    trend: list[TrendPoint]  # extra: every wave with approved audits, oldest first


def _clinic_payload(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "audits_behind": report["audit_list"]}


@router.get("/clinics/{clinic_id}", response_model=ClinicReport, name="api_clinic_report")
def clinic_report(clinic_id: int, user: ReportReader, session: SessionDep,
                  wave: Annotated[str | None, Query(description="wave id or name")] = None,
                  checklist: Annotated[str | None, Query(description="checklist slug")] = None) -> Any:
    """The clinic gap report. Defaults: the checklist of most of the clinic's approved audits, and
    its latest wave with approved audits. Unknown clinic, wave or checklist (or a clinic outside the
    caller's scope) → 404 naming it; no approved audits → nulls and `audits: 0`."""
    return _clinic_payload(build_clinic_report(session, user=user, clinic_id=clinic_id, wave=wave,
                                               checklist=checklist))


@router.get("/network", response_model=NetworkReport, name="api_network_report")
def network_report(user: NetworkReader, session: SessionDep,
                   wave: Annotated[str | None, Query(description="wave id or name")] = None,
                   checklist: Annotated[str | None, Query(description="checklist slug")] = None,
                   region: Annotated[str | None, Query(description="region id or name")] = None) -> Any:
    """The network comparison over the caller's visible clinics (in the region, if given)."""
    return build_network_report(session, user=user, wave=wave, checklist=checklist, region=region)
