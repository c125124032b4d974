"""The start page: each role lands on the first page of its own menu."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import CurrentUser
from app.web.navigation import menu_for
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, user: CurrentUser) -> Response:
    menu = menu_for(request, user.role)
    if menu:
        return RedirectResponse(menu[0][0], status_code=303)
    return render(request, "home.html")
