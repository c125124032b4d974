"""The validity panel of the review screen: the verdict, its reasons and each fact with its source,
worded here so the template only shows them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.fieldwork.models import Audit
from app.i18n import N_, gettext
from app.validity import verdict, wording
from app.validity.verdict import ValidityView

SOURCES = {
    "visit": N_("assignment window and the visit times the shopper gave"),
    "checkin": N_("phone location at check-in"),
    "photo": N_("photo metadata (EXIF) read at upload, then stripped; perceptual hash"),
    "recording": N_("recording's own header; stopwatch answers of its touchpoint"),
    "submission": N_("submission time and answer timestamps"),
}
CODES_BY_FACT = {
    "visit": {"visit_before_window", "visit_after_window"},
    "checkin": {"checkin_far"},
    "submission": {"submitted_late", "filled_fast"},
}


@dataclass(frozen=True)
class FactRow:
    label: str
    value: str
    source: str
    flagged: bool
    evidence_id: int | None = None


@dataclass(frozen=True)
class ValidityPanel:
    view: ValidityView
    verdict_label: str
    rows: list[FactRow]


def panel_of(session: Session, audit: Audit) -> ValidityPanel | None:
    """The panel for a submitted audit (None for a draft that was never submitted)."""
    if not audit.submission_count:
        return None
    view = verdict.view_of(verdict.current_validity(session, audit=audit))
    return ValidityPanel(view=view, verdict_label=gettext(wording.VERDICT_LABELS[view.verdict]),
                         rows=fact_rows(view))


def _when(text: str | None) -> str:
    if not text:
        return "—"
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")


def fact_rows(view: ValidityView) -> list[FactRow]:
    facts = view.facts
    codes = {reason.code for reason in view.reasons}
    flagged_evidence = _flagged_evidence(view)
    rows: list[FactRow] = []
    visit = facts.get("visit") or {}
    window = f"{visit.get('window_start') or '—'} – {visit.get('window_end') or '—'}"
    times = f"{_when(visit.get('started_at'))} – {_when(visit.get('ended_at'))}"
    rows.append(FactRow(gettext("Visit vs window"), gettext("%(times)s; window %(window)s") % {
        "times": times, "window": window}, gettext(SOURCES["visit"]), bool(codes & CODES_BY_FACT["visit"])))
    checkin = facts.get("checkin") or {}
    if checkin.get("distance_m") is not None:
        value = gettext("%(distance)s from the clinic at %(when)s") % {
            "distance": wording.distance_text(checkin["distance_m"]), "when": _when(checkin.get("at"))}
        if checkin.get("accuracy_m"):
            value += f" (± {round(checkin['accuracy_m'])} m)"
    else:
        value = gettext("no check-in, or the clinic has no coordinates")
    rows.append(FactRow(gettext("Check-in"), value, gettext(SOURCES["checkin"]),
                        bool(codes & CODES_BY_FACT["checkin"])))
    for photo in facts.get("photos") or []:
        rows.append(FactRow(_photo_label(photo), _photo_value(photo), gettext(SOURCES["photo"]),
                            photo["evidence_id"] in flagged_evidence, photo["evidence_id"]))
    for recording in facts.get("recordings") or []:
        value = wording.duration_text(recording["duration_s"]) if recording.get("duration_s") else gettext(
            "length unknown")
        if recording.get("timing_s") is not None:
            value += "; " + gettext("%(item)s timed at %(timing)s") % {
                "item": recording["timing_item"], "timing": wording.duration_text(recording["timing_s"])}
        rows.append(FactRow(gettext("Recording #%(id)d") % {"id": recording["evidence_id"]}, value,
                            gettext(SOURCES["recording"]), "recording_short" in codes, recording["evidence_id"]))
    submission = facts.get("submission") or {}
    parts = []
    if submission.get("delay_hours") is not None:
        parts.append(gettext("submitted %(time)s after the visit") % {
            "time": wording.hours_text(submission["delay_hours"])})
    if submission.get("fill_minutes") is not None:
        parts.append(gettext("%(answers)d answers given over %(minutes)s min") % {
            "answers": submission.get("timed_answers", submission["answers"]),
            "minutes": f"{submission['fill_minutes']:g}"})
    rows.append(FactRow(gettext("Submission"), "; ".join(parts) or "—", gettext(SOURCES["submission"]),
                        bool(codes & CODES_BY_FACT["submission"])))
    return rows


def _flagged_evidence(view: ValidityView) -> set[int]:
    """Photos a reason names, and every photo with a twin."""
    ids = {reason.evidence_id for reason in view.reasons if reason.evidence_id is not None}
    return ids | {photo["evidence_id"] for photo in view.facts.get("photos") or [] if photo.get("duplicates")}


def _photo_label(photo: dict[str, Any]) -> str:
    label = gettext("Photo #%(id)d") % {"id": photo["evidence_id"]}
    return f"{label} · {photo['item_key']}" if photo.get("item_key") else label


def _photo_value(photo: dict[str, Any]) -> str:
    parts = []
    if photo.get("taken_at"):
        taken = _when(photo["taken_at"])
        parts.append(gettext("taken %(when)s") % {"when": taken} if photo.get("taken_at_zoned")
                     else gettext("taken %(when)s by the camera's clock (time zone unknown)") % {
                         "when": taken.removesuffix(" UTC")})
    else:
        parts.append(gettext("no capture time"))
    if photo.get("distance_m") is not None:
        parts.append(gettext("%(distance)s from the clinic") % {"distance": wording.distance_text(photo["distance_m"])})
    elif photo.get("has_location"):
        parts.append(gettext("location known, the clinic has no coordinates"))
    else:
        parts.append(gettext("no location"))
    if not photo.get("at_clinic", True):
        parts.append(gettext("a remote touchpoint: place and time not judged"))
    for twin in photo.get("duplicates") or []:
        if twin["scope"] == "same_audit":
            parts.append(gettext("same as photo #%(id)d of this report") % {"id": twin["evidence_id"]})
        else:
            parts.append((gettext("identical to audit #%(audit)d") if twin["bits"] == 0 else
                          gettext("nearly identical to audit #%(audit)d")) % {"audit": twin["audit_id"]})
    return "; ".join(parts)
