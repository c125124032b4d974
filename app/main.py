"""The application: routers of every domain, static files, error pages, per-request plumbing."""

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from app.accounts import admin_routes as account_admin
from app.accounts import api as accounts_api
from app.accounts import link_routes as account_links
from app.accounts import profile_routes as account_profile
from app.accounts import routes as account_pages
from app.actions import api as actions_api
from app.actions import routes as action_pages
from app.checklists import api as checklists_api
from app.checklists import routes as checklist_pages
from app.clinics import api as clinics_api
from app.clinics import routes as clinic_pages
from app.errors import install_error_handlers
from app.fieldwork import api as fieldwork_api
from app.fieldwork import routes as fieldwork_pages
from app.jobs import api as jobs_api
from app.jobs import routes as job_pages
from app.jobs.queue import load_tasks
from app.mail import routes as mail_pages
from app.money import api as money_api
from app.money import routes as money_pages
from app.monitoring import health, metrics
from app.notifications import routes as notification_pages
from app.notifications import subscribers as notification_subscribers
from app.planning import routes as planning_pages
from app.pool import api as pool_api
from app.pool import routes as pool_pages
from app.reports import api as reports_api
from app.reports import driver_routes as driver_pages
from app.reports import routes as report_pages
from app.review import api as review_api
from app.review import routes as review_pages
from app.validity import routes as validity_pages
from app.web import choice_sources, choices, home, static_files
from app.web.middleware import RequestPlumbing
from app.web.openapi import ERROR_RESPONSES

assert choice_sources.SOURCES  # the kinds register on import

ROUTERS: list[APIRouter] = [
    health.router, metrics.router, static_files.router, home.router, choices.router, account_profile.router,
    account_pages.router, account_admin.router, clinic_pages.router, checklist_pages.router,
    fieldwork_pages.router, planning_pages.router, review_pages.router, report_pages.router,
    action_pages.router, driver_pages.router, job_pages.router, account_links.router, notification_pages.router,
    mail_pages.router, validity_pages.router, money_pages.router, pool_pages.router,
    accounts_api.router, clinics_api.router, checklists_api.router, fieldwork_api.router,
    review_api.router, reports_api.router, actions_api.router, jobs_api.router, money_api.router, pool_api.router,
]


def create_app() -> FastAPI:
    app = FastAPI(title="Mystery Patient", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/v1/openapi.json", responses=ERROR_RESPONSES)
    # Plain ASGI middlewares, not @app.middleware("http") (BaseHTTPMiddleware): that one runs the app in
    # a task of its own with memory streams in between, for every request (docs/speed.md).
    app.add_middleware(RequestPlumbing)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(metrics.Observe)  # outermost: counts and logs every answer, errors included
    install_error_handlers(app)
    notification_subscribers.register()
    load_tasks()  # the domains' jobs and builders, so requests can start them

    for router in ROUTERS:
        app.include_router(router)
    return app


app = create_app()
