"""Reasons in plain words, in the reader's language: "photo taken 2.4 km from the clinic"."""

from typing import Any

from app.i18n import N_, gettext, ngettext

VERDICT_LABELS = {"valid": N_("valid"), "doubtful": N_("doubtful"), "invalid": N_("invalid")}


def distance_text(metres: float) -> str:
    if metres >= 1000:
        return gettext("%(km).1f km") % {"km": metres / 1000}
    return gettext("%(metres)d m") % {"metres": round(metres)}


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def hours_text(hours: float) -> str:
    if hours >= 48:
        days = int(hours // 24)
        return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
    return gettext("%(hours).1f h") % {"hours": hours}


def _photo(params: dict[str, Any]) -> str:
    item = params.get("item")
    return (gettext(" (question %(item)s)") % {"item": item}) if item else ""


def reason_message(reason: dict[str, Any]) -> str:
    """One stored reason {code, params} as a sentence; an unknown code shows as itself."""
    code, p = reason.get("code", ""), reason.get("params") or {}
    if code == "visit_before_window":
        return ngettext("visit %(num)d day before the visit window opened",
                        "visit %(num)d days before the visit window opened", p["days"]) % {"num": p["days"]}
    if code == "visit_after_window":
        return ngettext("visit %(num)d day after the visit window closed",
                        "visit %(num)d days after the visit window closed", p["days"]) % {"num": p["days"]}
    if code == "checkin_far":
        return gettext("checked in %(distance)s from the clinic") % {"distance": distance_text(p["metres"])}
    if code == "photo_far":
        return gettext("photo taken %(distance)s from the clinic") % {
            "distance": distance_text(p["metres"])} + _photo(p)
    if code == "photo_before_visit":
        return gettext("photo taken %(time)s before the visit") % {"time": hours_text(p["hours"])} + _photo(p)
    if code == "photo_after_visit":
        return gettext("photo taken %(time)s after the visit") % {"time": hours_text(p["hours"])} + _photo(p)
    if code == "photo_repeated":
        return gettext("the same photo appears twice in this report") + _photo(p)
    if code == "photo_identical":
        return ngettext("%(num)d photo identical to audit #%(audit)d", "%(num)d photos identical to audit #%(audit)d",
                        p["count"]) % {"num": p["count"], "audit": p["audit"]}
    if code == "photo_similar":
        return ngettext("%(num)d photo nearly identical to audit #%(audit)d",
                        "%(num)d photos nearly identical to audit #%(audit)d",
                        p["count"]) % {"num": p["count"], "audit": p["audit"]}
    if code == "recording_short":
        return gettext("recording lasts %(length)s, but %(item)s was timed at %(timing)s") % {
            "length": duration_text(p["seconds"]), "timing": duration_text(p["timing"]), "item": p["item"]}
    if code == "submitted_late":
        return ngettext("submitted %(num)d day after the visit", "submitted %(num)d days after the visit",
                        p["days"]) % {"num": p["days"]}
    if code == "filled_fast":
        return gettext("%(answers)d answers filled in %(minutes)s min") % {
            "answers": p["answers"], "minutes": f"{p['minutes']:g}"}
    return str(code)
