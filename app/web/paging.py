"""Keyset paging for every list, pages and API alike (docs/design.md §8, "Lists page").

A list names its order once as `SortKey`s ending in the primary key, so ties never reorder. A page
asks for `limit + 1` rows after the cursor: the extra row only says whether there is a next page.
The cursor is the last row's sort key, JSON in URL-safe base64: opaque to clients, checked on the
way back in (count and type of every value), so a tampered one is a 400 and never reaches SQL as
the wrong type. Keyset, not OFFSET: a row added or removed mid-walk neither repeats nor hides others.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Integer, and_, cast, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from app.errors import DomainError
from app.i18n import N_

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadPage(DomainError):
    status_code = 400
    message = N_("This page link is not valid or belongs to another list; start again from the first page.")


class BadLimit(BadPage):
    message = N_("This page link is not valid: the page size must be a whole number from 1 to {maximum}.")


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order. A nullable column is given as `coalesce(column, sentinel)`:
    a NULL cannot be compared, so it would stop the walk."""
    expr: Any  # a column or SQL expression (SQLModel's col() is typed as the Python value)
    descending: bool = False

    def ordered(self) -> ColumnElement[Any]:
        return self.expr.desc() if self.descending else self.expr.asc()


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None  # as sent; read against the list's own order in fetch_page


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None
    first: bool  # no cursor was given: this is the first page

    def with_rows(self, rows: list[U]) -> "Page[U]":
        """The same page (its place and its links) holding other rows: those read made into the list's own."""
        return Page(rows=rows, next_cursor=self.next_cursor, first=self.first)


LimitQuery = Annotated[str | None, Query(description=f"rows per page, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT})")]
CursorQuery = Annotated[str | None, Query(description="from the previous page's `Link: rel=next` URL")]


def page_request(limit: LimitQuery = None, cursor: CursorQuery = None) -> PageRequest:
    """The page asked for. Raises BadPage for a limit that is not a number in 1..MAX_LIMIT."""
    if limit is None or limit == "":
        size = DEFAULT_LIMIT
    elif limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT:
        size = int(limit)
    else:
        raise BadLimit(maximum=MAX_LIMIT, detail=[
            {"loc": ["query", "limit"], "message": f"limit must be a whole number from 1 to {MAX_LIMIT}"}])
    return PageRequest(limit=size, cursor=cursor or None)


PageParams = Annotated[PageRequest, Depends(page_request)]
# The OpenAPI note every paged API list carries.
PAGED: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"Link": {"description": '`<URL>; rel="next"` while more rows follow',
                               "schema": {"type": "string"}}}},
    400: {"description": "a `limit` outside 1–200 or a `cursor` this list did not give"}}


def _kind(key: SortKey) -> type:
    try:
        sql_type = key.expr.type
        kind = getattr(sql_type, "impl_instance", sql_type).python_type  # a TypeDecorator: what it wraps
    except NotImplementedError:  # pragma: no cover - a list ordered by an untyped expression
        raise TypeError(f"sort key {key.expr} has no Python type") from None
    if kind not in (bool, int, str, date, datetime):
        raise TypeError(f"sort key {key.expr} is a {kind.__name__}; page by int, str, bool, date or datetime")
    return kind


def _encode_value(value: Any) -> Any:
    if value is None:
        raise ValueError("a sort key value is NULL: order by coalesce(column, sentinel)")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    text = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def bad_cursor() -> BadPage:
    return BadPage(detail=[{"loc": ["query", "cursor"], "message": "cursor is not valid for this list"}])


def _decode_value(kind: type, raw: Any) -> Any:
    if kind is bool and isinstance(raw, bool):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 2**63:
        return raw
    if kind is str and isinstance(raw, str):
        return raw
    if kind is datetime and isinstance(raw, str):
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value
    if kind is date and isinstance(raw, str):
        return date.fromisoformat(raw)
    raise ValueError(f"expected {kind.__name__}")


def decode_cursor(cursor: str, order: Sequence[SortKey]) -> list[Any]:
    """The sort key values in the cursor. Raises BadPage unless they fit this list's order."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        if not isinstance(raw, list) or len(raw) != len(order):
            raise ValueError("wrong number of values")
        return [_decode_value(_kind(key), value) for key, value in zip(order, raw, strict=True)]
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
        raise bad_cursor() from None


def _after(order: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or ... per direction."""
    # SQLAlchemy allows only = and != against True/False: a boolean key is compared as 0/1.
    exprs = [cast(key.expr, Integer) if isinstance(value, bool) else key.expr
             for key, value in zip(order, values, strict=True)]
    values = [int(value) if isinstance(value, bool) else value for value in values]
    alternatives = []
    for n, key in enumerate(order):
        equal = [exprs[i] == values[i] for i in range(n)]
        beyond = exprs[n] < values[n] if key.descending else exprs[n] > values[n]
        alternatives.append(and_(*equal, beyond))
    return or_(*alternatives)


def fetch_page(session: Session, query: Any, *, order: Sequence[SortKey], page: PageRequest) -> Page[Any]:
    """One page of `query` in `order` after `page.cursor`: rows as the query selects them (one entity
    alone, else a tuple). Any ORDER BY on the query is replaced. Raises BadPage for a bad cursor."""
    _ = [_kind(key) for key in order]  # a wrong order is a programming error: fail on every call
    width = len(query.column_descriptions)  # entities count once, however many columns they have
    if page.cursor is not None:
        query = query.where(_after(order, decode_cursor(page.cursor, order)))
    query = (query.add_columns(*(key.expr for key in order)).order_by(None)
             .order_by(*(key.ordered() for key in order)).limit(page.limit + 1))
    found = session.execute(query).all()
    more = len(found) > page.limit
    found = found[:page.limit]
    rows = [row[0] if width == 1 else tuple(row[:width]) for row in found]
    next_cursor = encode_cursor(found[-1][width:]) if more and found else None
    return Page(rows=rows, next_cursor=next_cursor, first=page.cursor is None)


def page_url(request: Request, cursor: str | None, *, path: str | None = None, **changed: str | None) -> str:
    """This request's URL (path and every filter kept) at another cursor; None: the first page.
    `changed` sets other parameters (None drops one): a board's column link adds its status. `path`:
    the list's own path instead, none of this request's parameters kept (a list a POST rendered again)."""
    kept = [] if path else request.query_params.multi_items()
    params = [(k, v) for k, v in kept if k != "cursor" and k not in changed]
    params += [(k, v) for k, v in changed.items() if v is not None]
    if cursor is not None:
        params.append(("cursor", cursor))
    where = path or request.url.path
    return f"{where}?{urlencode(params)}" if params else where


def link_next(request: Request, response: Response, page: Page[Any]) -> None:
    """The API's paging convention: `Link: <url>; rel="next"` while more rows follow (RFC 8288)."""
    if page.next_cursor is not None:
        response.headers["Link"] = f'<{request.base_url}{page_url(request, page.next_cursor).lstrip("/")}>; rel="next"'
