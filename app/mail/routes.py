"""The admin's Outbox: every e-mail the app made, its status and the server's answer, a message's
text as sent, and a retry for a failed one."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import N_
from app.mail import outbox
from app.mail.models import MailStatus, OutgoingMail
from app.settings import get_settings
from app.web.paging import PageParams
from app.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {MailStatus.queued: N_("Queued"), MailStatus.sending: N_("Sending"), MailStatus.sent: N_("Sent"),
                 MailStatus.failed: N_("Failed")}


@router.get("/admin/outbox", name="admin_outbox")
def outbox_page(request: Request, admin: AdminUser, session: SessionDep, page: PageParams,
                status: str | None = None) -> Response:
    status = status if status in MailStatus.__members__ else None
    mails = outbox.mail_page(session, page=page, status=status)
    settings = get_settings()
    return render(request, "admin/outbox.html", mails=mails.rows, listing=mails, status=status,
                  counts=outbox.counts_by_status(session), statuses=list(MailStatus),
                  smtp_host=settings.smtp_host, mail_dir=settings.mail_path,
                  status_labels=STATUS_LABELS)


def _mail(session: SessionDep, mail_id: int) -> OutgoingMail:
    mail = session.get(OutgoingMail, mail_id)
    if mail is None:
        raise NotFound()
    return mail


@router.get("/admin/outbox/{mail_id}", name="admin_outbox_mail")
def mail_page(request: Request, mail_id: int, admin: AdminUser, session: SessionDep) -> Response:
    return render(request, "admin/outbox_mail.html", mail=_mail(session, mail_id), status_labels=STATUS_LABELS)


@router.post("/admin/outbox/{mail_id}/retry", name="admin_outbox_retry")
def retry(request: Request, mail_id: int, admin: AdminUser, session: SessionDep) -> Response:
    outbox.retry(session, mail=_mail(session, mail_id))
    return RedirectResponse(request.url_for("admin_outbox_mail", mail_id=mail_id), status_code=303)
