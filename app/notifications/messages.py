"""What each event says, in the reader's language: one title and a few lines, the same in the app
and in the e-mail. Notifications keep raw values (names, dates, numbers); words are chosen here,
when shown, so a message reads in whatever language its reader has now."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date

from app.i18n import N_, current_language, gettext, localized, ngettext


@dataclass(frozen=True)
class Message:
    title: str
    lines: list[str] = field(default_factory=list)
    action: str = ""  # the link's label


def _day(value: str | None) -> str:
    if not value:
        return "—"
    return format_date(date.fromisoformat(value), format="long", locale=current_language())


def _text(message: str, params: dict[str, Any]) -> str:
    return gettext(message).format(**params)


def _visit(params: dict[str, Any]) -> str:
    window = (_text(N_("Visit window: {start} – {end}."), {"start": _day(params.get("window_start")),
                                                           "end": _day(params.get("window_end"))})
              if params.get("window_end") else gettext(N_("No visit window set.")))
    return " ".join([_text(N_("{clinic}, wave {wave}."), params), window])


def _visit_assigned(p: dict[str, Any]) -> Message:
    return Message(_text(N_("New visit: {clinic}"), p), [_visit(p)], gettext(N_("Open the visit")))


def _visit_changed(p: dict[str, Any]) -> Message:
    return Message(_text(N_("Visit given to another shopper: {clinic}"), p),
                   [_visit(p), gettext(N_("You no longer need to make this visit."))], gettext(N_("My visits")))


def _visit_cancelled(p: dict[str, Any]) -> Message:
    return Message(_text(N_("Visit cancelled: {clinic}"), p),
                   [_visit(p), gettext(N_("Please do not make this visit."))], gettext(N_("My visits")))


def _window_closing(p: dict[str, Any]) -> Message:
    days = int(p.get("days", 0))
    left = (gettext(N_("The visit window closes today.")) if days == 0 else
            ngettext("The visit window closes in %(num)d day.", "The visit window closes in %(num)d days.",
                     days) % {"num": days})
    return Message(_text(N_("Report not sent yet: {clinic}"), p),
                   [left, _visit(p), gettext(N_("Make the visit and send the report before the window closes."))],
                   gettext(N_("Open the visit")))


def _report_returned(p: dict[str, Any]) -> Message:
    lines = [_text(N_("QA returned your report on {clinic} for corrections."), p)]
    if p.get("reason"):
        lines.append(_text(N_("Reviewer's note: {reason}"), p))
    lines += [f"{localized(c.get('item'))}: {c.get('comment')}" for c in p.get("comments", [])]
    return Message(_text(N_("Report returned: {clinic}"), p), lines, gettext(N_("Correct the report")))


def _qa_digest(p: dict[str, Any]) -> Message:
    waiting, late = int(p.get("waiting", 0)), int(p.get("late", 0))
    lines = [ngettext("%(num)d report is waiting for review.", "%(num)d reports are waiting for review.",
                      waiting) % {"num": waiting}]
    if p.get("oldest"):
        lines.append(_text(N_("The oldest was submitted on {day}."), {"day": _day(p["oldest"])}))
    lines.append(ngettext("%(num)d visit is past its window without a report.",
                          "%(num)d visits are past their window without a report.", late) % {"num": late})
    return Message(_text(N_("Review digest for {day}"), {"day": _day(p.get("day"))}), lines,
                   gettext(N_("Open the review queue")))


def _report_alert(p: dict[str, Any]) -> Message:
    lines = []
    if p.get("critical"):
        lines.append(gettext(N_("A critical item failed.")))
    if p.get("score") is not None:
        lines.append(_text(N_("Score {score:.1f} against a target of {target:.1f}."), p))
    return Message(_text(N_("Attention: {clinic}, wave {wave}"), p), lines, gettext(N_("Open the gap report")))


def _wave_closed(p: dict[str, Any]) -> Message:
    lines = [_text(N_("Wave {wave} ended on {day}."), {"wave": p.get("wave"), "day": _day(p.get("ends_on"))})]
    for clinic in p.get("clinics", []):
        if clinic.get("score") is None:
            lines.append(_text(N_("{name}: no approved report"), clinic))
        else:
            lines.append(ngettext("%(name)s: %(score).1f (%(num)d report)", "%(name)s: %(score).1f (%(num)d reports)",
                                  int(clinic["audits"])) % {"name": clinic["name"], "score": clinic["score"],
                                                            "num": int(clinic["audits"])})
    return Message(_text(N_("Wave closed: {wave}"), p), lines, gettext(N_("Open the network report")))


def _action(title: str, line: str) -> Any:
    def describe(p: dict[str, Any]) -> Message:
        params = {**p, "due": _day(p.get("due_on"))}
        return Message(_text(title, params), [_text(N_("{clinic}: {action}"), params), _text(line, params)],
                       gettext(N_("Open the action")))
    return describe


_DESCRIBE = {
    "visit_assigned": _visit_assigned,
    "visit_changed": _visit_changed,
    "visit_cancelled": _visit_cancelled,
    "window_closing": _window_closing,
    "report_returned": _report_returned,
    "qa_digest": _qa_digest,
    "report_alert": _report_alert,
    "wave_closed": _wave_closed,
    "action_assigned": _action(N_("Action assigned to you: {action}"), N_("Due: {due}.")),
    "action_due": _action(N_("Action due soon: {action}"), N_("Due: {due}.")),
    "action_overdue": _action(N_("Action overdue: {action}"), N_("It was due on {due}.")),
    "action_verified": _action(N_("Action verified: {action}"), N_("A later audit passed what it covers.")),
    "action_reopened": _action(N_("Action reopened: {action}"), N_("A later audit failed what it covers again.")),
}


def describe(event: str, params: dict[str, Any]) -> Message:
    """The event's words in the current language."""
    return _DESCRIBE[event](params)
