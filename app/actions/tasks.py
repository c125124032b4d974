"""The action plan's job (docs/jobs.md): the clinic's journey map as a PDF, prepared by a worker."""

from sqlmodel import Session

from app.accounts.models import User
from app.accounts.scope import clinic_in_scope
from app.actions import routes, service
from app.jobs.builders import BuildContext, Builder, Built, Params, register
from app.reports.tasks import check_filters, clinic_param, store_due_scores


def _check(session: Session, user: User, params: Params) -> None:
    clinic_in_scope(session, user, clinic_param(params))
    check_filters(session, params)


def _build(context: BuildContext) -> Built:
    clinic_id = clinic_param(context.params)
    store_due_scores()
    context.progress(0.1)
    content, filename = routes.journey_pdf_file(context.request, context.session, user=context.user,
                                                clinic_id=clinic_id, wave=context.params.get("wave"))
    context.out.write(content)
    return Built(filename, "application/pdf", [clinic_id])


register(Builder("journey_pdf", frozenset(service.ACTING_ROLES), ("clinic_id", "wave"), _check,
                 _build))
