"""Jinja2 templates for every domain, and `render`: the whole page, or only the partial htmx asked for."""

from pathlib import Path
from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app import i18n
from app.web import labels, paging, static_files, urls

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def _request_context(request: Request) -> dict[str, Any]:
    from app.accounts import csrf  # late: accounts imports errors, which imports this module
    from app.web.navigation import menu_for

    user = getattr(request.state, "user", None)
    return {
        "unread_notifications": _unread(request, user),
        "current_user": user,
        "menu": menu_for(request, user.role) if user else [],
        "csrf_token": csrf.token_for(request),
        "language": i18n.current_language(),
        "languages": i18n.LANGUAGES,
        "flashes": getattr(request.state, "flashes", []),
        "nothing_in_scope": lambda: _nothing_in_scope(request, user),
    }


def _nothing_in_scope(request: Request, user: Any) -> bool:
    """A director with no clinic in scope (scope fails closed): pages that report on clinics say so
    instead of looking empty. Called by base.html only on such pages, so others pay no query."""
    session = getattr(request.state, "db_session", None)
    if user is None or user.role != "director" or user.whole_network:
        return False
    if session is None or not session.in_transaction():
        return False
    from app.accounts import scope  # late: accounts imports errors, which imports this module

    return scope.visible_clinic_ids(session, user) == set()


def _unread(request: Request, user: Any) -> int:
    """The bell's count: one indexed COUNT per page, read from the request's own session."""
    session = getattr(request.state, "db_session", None)
    # Only inside the request's own transaction: an error page renders after it was rolled back, and a
    # query there would open a new transaction (on SQLite, a writer's lock) that nobody ends.
    if user is None or session is None or not session.in_transaction():
        return 0
    from app.notifications import service as notifications  # late: the domain imports the web layer

    return notifications.unread_count(session, user=user)


templates = Jinja2Blocks(directory=str(TEMPLATES_DIR), context_processors=[_request_context])
# Templates ship with the code and change only with a restart: no stat() of every template (and of
# each include, 40 on a form page) to see whether it changed since it was compiled.
templates.env.auto_reload = False
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


@pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    """Jinja's newstyle gettext, without its cost where it changes nothing: a form page calls it
    600 times, and `Markup % {}` of a text without "%" is the text (with "%" it must still turn
    "%%" into "%", as Jinja's does)."""
    text = i18n.gettext(message)
    rv = Markup(text) if context.eval_ctx.autoescape else text
    return rv % variables if variables or "%" in text else rv


# `_` and `gettext` in templates; Jinja's `_` looks `gettext` up and calls it through two wrappers.
templates.env.globals["gettext"] = templates.env.globals["_"] = _gettext
templates.env.globals["url_for"] = urls.template_url_for  # a reverse map, not a scan of the routes
templates.env.globals["static_url"] = static_files.url
templates.env.globals["N_"] = i18n.N_
templates.env.globals["page_url"] = paging.page_url
templates.env.filters["localized"] = i18n.localized
labels.register(templates.env)


def render(request: Request, page: str, *, fragment: str | None = None, block: str | None = None,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page, or for an htmx request its partial (a template of its own, or a block of the page)."""
    is_htmx = request.headers.get("HX-Request") == "true"
    name = fragment if fragment and is_htmx else page
    options: dict[str, Any] = {"block_name": block} if block and is_htmx and not fragment else {}
    # jinja2-fragments annotates its TemplateResponse as a bare Response; it is starlette's HTML one.
    response = cast(HTMLResponse, templates.TemplateResponse(request, name, context, status_code=status_code,
                                                             **options))
    response.headers["Vary"] = "HX-Request"  # never cache a fragment as the page
    return response
