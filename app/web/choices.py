"""The choices of a form field that picks from a table growing with the network (docs/design.md §7).

A field that picks a clinic, a shopper, a wave or a region is a <select> holding the first
CHOICE_LIMIT rows in the list's order, plus whatever is already chosen, never the whole table. When
more rows match, a search box next to it narrows the list: htmx asks `GET /choices/{kind}?q=…` as
the user types and swaps the options in. Without JavaScript, a GET filter form sends the box as
`{field}_q` and the page itself narrows the choices (`for_field` reads it), so every row stays
reachable; a POST form without JavaScript offers the first page and what is chosen.

The kinds and who may ask for them are in app/web/choice_sources.py.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import String, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import Role, User
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.web.ids import row_id
from app.web.templating import render

CHOICE_LIMIT = 50
MAX_QUERY = 100  # characters of a search; a longer one is cut, not refused (it is typed, not sent by a program)


class casefold(FunctionElement[str]):  # noqa: N801 - an SQL function, named as in SQL
    """lower() that folds every alphabet: PostgreSQL's lower() does (a UTF-8 locale); SQLite's folds
    ASCII only, so app/db.py gives SQLite connections a `casefold` of Python's own."""
    type = String()
    inherit_cache = True


@compiles(casefold)
def _lower(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _sqlite_casefold(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class Source:
    """One kind of choice list. `rows` selects (id, label) for this user, already limited to what
    they may see; `search` are the columns a query is matched in; `order` ends in the id. A kind
    that can be narrowed to one clinic (a clinic report's waves) says how in `within`."""
    roles: frozenset[Role]
    rows: Callable[[Session, User], Any]  # an SQL select of (id, label, …)
    id_column: Any
    search: tuple[Any, ...]
    order: tuple[Any, ...]
    label: Callable[[Sequence[Any]], str] = lambda row: str(row[1])
    within: Callable[[Session, User, int], Any] | None = None  # the rows of one clinic


SOURCES: dict[str, Source] = {}


@dataclass(frozen=True)
class Choice:
    value: int
    text: str


@dataclass(frozen=True)
class ChoiceList:
    kind: str
    options: list[Choice]
    selected: frozenset[int]
    more: bool  # more rows match than are offered: narrow with the search box
    query: str
    within: int | None = None  # the clinic the list is narrowed to

    @property
    def searchable(self) -> bool:
        return self.more or bool(self.query)

    def choosing(self, *values: object) -> "ChoiceList":
        """The same options with other values chosen: one list read once for many rows of a page
        (it must have been read with every row's value selected, so each is offered)."""
        return replace(self, selected=frozenset(_ids(values)))


def _ids(values: Collection[object]) -> set[int]:
    found = (row_id(str(value).strip()) for value in values if value is not None)
    return {value for value in found if value is not None}


def _matching(source: Source, query: str) -> ColumnElement[bool]:
    pattern = "%" + query.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(casefold(column).like(pattern, escape="\\") for column in source.search))


def choices(session: Session, user: User, kind: str, *, selected: Collection[object] = (),
            query: str | None = None, within: int | None = None) -> ChoiceList:
    """The first page of `kind` matching `query` in its order, and the chosen rows wherever they fall;
    `within` narrows a kind that allows it to one clinic (else NotFound)."""
    source = SOURCES[kind]
    wanted = _ids(selected)
    text = (query or "").strip()[:MAX_QUERY]
    if within is None:
        base = source.rows(session, user)
    elif source.within is not None:
        base = source.within(session, user, within)
    else:
        raise NotFound()
    listing = base.where(_matching(source, text)) if text else base
    rows = session.exec(listing.order_by(*source.order).limit(CHOICE_LIMIT + 1)).all()  # type: ignore[call-overload]
    options = [Choice(value=row[0], text=source.label(row)) for row in rows[:CHOICE_LIMIT]]
    missing = wanted - {choice.value for choice in options}
    if missing:  # chosen but outside this page: still offered, first, so a save keeps them
        chosen = session.exec(base.where(source.id_column.in_(missing)).order_by(*source.order)).all()  # type: ignore[call-overload]
        options = [Choice(value=row[0], text=source.label(row)) for row in chosen] + options
    return ChoiceList(kind=kind, options=options, selected=frozenset(wanted), more=len(rows) > CHOICE_LIMIT,
                      query=text, within=within)


def for_field(request: Request, session: Session, kind: str, field: str,
              selected: Collection[object] | object = (), *, within: int | None = None) -> ChoiceList:
    """`choices` for the logged-in user's form field named `field`, narrowed by its search box when a
    form without JavaScript sent it as `{field}_q`."""
    chosen = selected if isinstance(selected, Collection) and not isinstance(selected, str) else (selected,)
    return choices(session, request.state.user, kind, selected=chosen,
                   query=request.query_params.get(f"{field}_q"), within=within)


router = APIRouter(include_in_schema=False)


@router.get("/choices/{kind}", name="choice_options", response_class=HTMLResponse)
def choice_options(request: Request, kind: str, user: CurrentUser, session: SessionDep,
                   q: Annotated[str, Query(max_length=1000)] = "", field: str = "selected",
                   blank: Annotated[str, Query(max_length=200)] = "",
                   style: Literal["options", "checks"] = "options",
                   within: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> HTMLResponse:
    """The options of a choice field matching `q`, for htmx to swap into its <select> (or its box of
    checkboxes); the field's current value(s), sent under the field's own name, stay offered and chosen."""
    if kind not in SOURCES:
        raise NotFound()
    if user.role not in SOURCES[kind].roles:
        raise Forbidden()
    typed = q or request.query_params.get(f"{field}_q", "")  # htmx sends the box under its own name
    found = choices(session, user, kind, selected=request.query_params.getlist(field), query=typed, within=within)
    page = "web/_choice_checks.html" if style == "checks" else "web/_choice_options.html"
    return render(request, page, choices=found, blank=blank or None, name=field)
