"""URLs by route name, from a reverse map built once per app instead of a scan of every route.

Starlette's `request.url_for` asks each of the app's 100+ routes in turn, and each one that does not
carry the name raises and catches NoMatchFound: a form page with forty links spent about a quarter
of its time there. Here the routes are grouped by name once (per router, on first use); a name is
then one dictionary lookup and one route filling in its parameters. Templates keep writing
`url_for("save_item", audit_id=..., item_key=...)`; the result is the same absolute URL.
"""

from typing import Any

from jinja2 import pass_context
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.routing import NoMatchFound, Router

_MAP = "_reverse_map"  # the router's attribute holding (number of routes, routes by name)


def _named_routes(router: Router) -> list[Any]:
    """The router's routes with those of included routers in their place, in matching order. (FastAPI
    keeps an included router as one entry that lists its own routes.)"""
    found: list[Any] = []
    for route in router.routes:
        included = getattr(route, "effective_route_contexts", None)
        found.extend(included() if included is not None else [route])
    return found


def _reverse_map(router: Router) -> dict[str, list[Any]]:
    """Routes by name in table order (a name may be carried by several, with different parameters).
    Built again when routes were added to the app since (tests add some)."""
    known: tuple[int, dict[str, list[Any]]] | None = getattr(router, _MAP, None)
    if known is not None and known[0] == len(router.routes):
        return known[1]
    by_name: dict[str, list[Any]] = {}
    for route in _named_routes(router):
        name = getattr(route, "name", None) or getattr(getattr(route, "original_route", None), "name", None)
        by_name.setdefault(name or "", []).append(route)
    setattr(router, _MAP, (len(router.routes), by_name))
    return by_name


def url_path(router: Router, name: str, /, **params: Any) -> str:
    """The path of the named route with its parameters filled in. Raises NoMatchFound."""
    for route in _reverse_map(router).get(name, ()):
        try:
            return str(route.url_path_for(name, **params))
        except NoMatchFound:
            continue
    # Not in the map ("mount:child" names, a route added to an included router later): the full search.
    return str(router.url_path_for(name, **params))


def url_for(request: Request, name: str, /, **params: Any) -> URL:
    """What `request.url_for(name, ...)` answers (an absolute URL), without its scan of the routes."""
    # Before routing (an error raised by a middleware) the scope has no router yet: the app's own.
    router: Router = request.scope.get("router") or request.scope["app"].router
    return URL(str(request.base_url).rstrip("/") + url_path(router, name, **params))


@pass_context
def template_url_for(context: dict[str, Any], name: str, /, **params: Any) -> URL:
    """`url_for` in templates."""
    return url_for(context["request"], name, **params)
