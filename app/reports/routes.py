"""Report pages: the network comparison, a clinic's gap report, and a manager's way to their clinic."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from app.accounts.deps import ReportReader, require
from app.accounts.models import Role, User
from app.db import SessionDep
from app.i18n import gettext, localized
from app.reports import charts, drivers, exports, lookups, pdf
from app.reports.clinic_report import build_clinic_report
from app.reports.network_report import build_network_report
from app.web.templating import render

router = APIRouter(include_in_schema=False)
NetworkReader = Annotated[User, Depends(require(Role.director, Role.qa_lead, Role.admin))]
Filter = Annotated[str | None, Query()]


def _given(value: str | None) -> str | None:
    """An empty filter field of the GET form means 'not chosen'."""
    return value.strip() or None if value is not None else None


def _title(texts: dict[str, Any], key: str) -> str:
    text = texts.get(key)
    return localized(text) if text else key


@router.get("/reports", name="network_report", response_class=HTMLResponse)
def network_page(request: Request, user: NetworkReader, session: SessionDep, wave: Filter = None,
                 checklist: Filter = None, region: Filter = None) -> HTMLResponse:
    report = build_network_report(session, user=user, wave=_given(wave), checklist=_given(checklist),
                                  region=_given(region))
    titles = report["touchpoint_titles"]
    trends: dict[int, list[float | None]] = {}
    for n, point in enumerate(report["trend"]):
        for clinic in point["clinics"]:
            trends.setdefault(clinic["id"], [None] * len(report["trend"]))[n] = clinic["score"]
    sparks = {cid: charts.sparkline(values, label=gettext("Trend over waves")) for cid, values in trends.items()}
    network_spark = charts.sparkline([p["network"] for p in report["trend"]], label=gettext("Network trend over waves"))
    choices = lookups.filter_choices(request, session, waves=[report["wave"]["id"]] if report["wave"] else [],
                                     region=report["region"]["id"] if report["region"] else None)
    return render(request, "reports/network.html", block="content", report=report, heat=charts.heat_class,
                  fmt=charts.fmt, tp_titles={k: _title(titles, k) for k in report["touchpoints"]}, sparks=sparks,
                  network_spark=network_spark, choices=choices)


def _clinic_context(request: Request, session: Session, user: User, clinic_id: int, wave: str | None,
                    checklist: str | None) -> dict[str, Any]:
    report = build_clinic_report(session, user=user, clinic_id=clinic_id, wave=_given(wave),
                                 checklist=_given(checklist))
    tp_titles = {t["key"]: _title(report["touchpoint_titles"], t["key"]) for t in report["touchpoints"]}
    bar_rows = [(tp_titles[t["key"]], t["score"], t["target"]) for t in report["touchpoints"]]
    bars = charts.touchpoint_bars(bar_rows, label=gettext("Touchpoint scores and their targets"))
    emotion = charts.emotion_curve([(tp_titles[t["key"]], t["emotion"]) for t in report["touchpoints"]],
                                   label=gettext("Emotion curve"))
    item_titles = {k: _title(report["item_texts"], k) for k in report["item_texts"]}
    gaps = [i for i in report["items"] if i["pass_rate"] < 1]  # already by priority
    passing = [i for i in report["items"] if i["pass_rate"] >= 1]
    return {"report": report, "bars": bars, "emotion": emotion, "fmt": charts.fmt, "tp_titles": tp_titles,
            "signed": charts.signed, "gaps": gaps, "passing": passing,
            "drivers": drivers.key_items_of(session, user=user, slug=report["checklist"],
                                            wave_id=report["wave"]["id"] if report["wave"] else None),
            "item_titles": item_titles, "can_review": user.role in (Role.qa_lead, Role.admin),
            "choices": lookups.filter_choices(request, session, clinic_id=clinic_id,
                                              waves=[report["wave"]["id"]] if report["wave"] else [])}


@router.get("/reports/clinics/{clinic_id}", name="clinic_report", response_class=HTMLResponse)
def clinic_page(request: Request, clinic_id: int, user: ReportReader, session: SessionDep,
                wave: Filter = None, checklist: Filter = None) -> HTMLResponse:
    context = _clinic_context(request, session, user, clinic_id, wave, checklist)
    return render(request, "reports/clinic.html", block="content", **context)


STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "app.css"


@router.get("/reports/clinics/{clinic_id}/report.pdf", name="clinic_report_pdf")
def clinic_pdf(request: Request, clinic_id: int, user: ReportReader, session: SessionDep,
               wave: Filter = None, checklist: Filter = None) -> Response:
    """The gap report as a PDF, made in this request (503 where the server has no Chromium to print
    it with). The pages ask for it as a job instead (app.reports.tasks, docs/jobs.md)."""
    content, filename = clinic_pdf_file(request, session, user=user, clinic_id=clinic_id, wave=wave,
                                        checklist=checklist)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def clinic_pdf_file(request: Request, session: Session, *, user: User, clinic_id: int, wave: str | None,
                    checklist: str | None) -> tuple[bytes, str]:
    """The gap report printed to PDF, and its file name. Raises the report's NotFound, PdfUnavailable."""
    context = _clinic_context(request, session, user, clinic_id, wave, checklist)
    page = render(request, "reports/clinic_pdf.html", stylesheet=STYLESHEET.read_text(encoding="utf-8"),
                  printable=True, **context)
    html = pdf.embed_thumbnails(session, bytes(page.body).decode("utf-8"))
    report = context["report"]
    wave_id = report["wave"]["id"] if report["wave"] else "none"
    return pdf.html_to_pdf(html), f"gap-report-clinic-{clinic_id}-wave-{wave_id}.pdf"


@router.get("/reports/my-clinic", name="clinic_reports")
def my_clinic(request: Request, user: ReportReader) -> Response:
    """A manager's reports are their clinic's gap report; others go to the network comparison."""
    if user.role == Role.manager and user.clinic_id:
        return RedirectResponse(request.url_for("clinic_report", clinic_id=user.clinic_id), status_code=303)
    return RedirectResponse(request.url_for("network_report"), status_code=303)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _streamed(bind: Any, produce: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
    """Run an export on a read-only session of its own: the request's session is closed before the
    body is streamed. (Bound like the request's session, so tests see their own transaction.)"""
    with Session(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False) as reading:
        yield from produce(reading)


def _clinic_param(value: str | None) -> int | None:
    """A clinic id from the query; anything else is a 404 like an unknown clinic."""
    given = _given(value)
    if given is None:
        return None
    if not given.isdigit():
        raise lookups.ClinicNotFound(clinic=given)
    return int(given)


def _download(selection: exports.Selection, extension: str) -> str:
    report = selection.report
    wave = report["wave"]["id"] if report["wave"] else "none"
    return f'attachment; filename="mystery-patient-{report["checklist"] or "none"}-wave-{wave}.{extension}"'


@router.get("/reports/export.xlsx", name="report_xlsx")
def export_xlsx(user: ReportReader, session: SessionDep, wave: Filter = None, checklist: Filter = None,
                region: Filter = None, clinic: Filter = None) -> StreamingResponse:
    """The workbook of one wave and checklist over the reader's visible clinics (or one clinic: its
    gap report's workbook), streamed. An unknown wave, checklist, region or clinic is a 404 before
    anything is streamed."""
    selection = exports.select_export(session, user=user, wave=_given(wave), checklist=_given(checklist),
                                      region=_given(region), clinic=_clinic_param(clinic))
    body = _streamed(session.get_bind(), lambda reading: exports.workbook_chunks(reading, selection))
    return StreamingResponse(body, media_type=XLSX_TYPE, headers={"Content-Disposition": _download(selection, "xlsx")})


@router.get("/reports/answers.csv", name="report_answers_csv")
def export_answers_csv(user: ReportReader, session: SessionDep, wave: Filter = None, checklist: Filter = None,
                       region: Filter = None, clinic: Filter = None) -> StreamingResponse:
    """The raw answers of one wave and checklist over the reader's visible clinics, as CSV streamed
    row by row (in ~64 KB chunks); with `clinic`, that clinic's answers only."""
    selection = exports.select_export(session, user=user, wave=_given(wave), checklist=_given(checklist),
                                      region=_given(region), clinic=_clinic_param(clinic))
    body = _streamed(session.get_bind(), lambda reading: exports.answers_csv(reading, selection))
    return StreamingResponse(body, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": _download(selection, "csv")})
