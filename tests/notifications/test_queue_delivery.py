"""E-mail end to end through the real queue: a QA lead assigns a visit over the API, the message is
handed to huey after the commit, huey's consumer delivers it to the SMTP server, and a delivery job
that runs a second time sends nothing more. Then the hourly checks run as the scheduler's job."""

import time
from collections.abc import Callable

from sqlmodel import Session, select

from app.jobs import queue
from app.mail import tasks as mail_tasks
from app.mail.models import MailStatus, OutgoingMail
from app.notifications import tasks as notification_tasks
from tests.jobs.conftest import Live
from tests.jobs.queues import consuming
from tests.notifications.smtp_server import SmtpServer


def _wait(condition: Callable[[], object], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_new_visit_mail_is_delivered_by_the_worker_once(smtp: SmtpServer, live: Live) -> None:
    shopper = live.world.users["other_shopper"]
    client = live.as_("qa_lead", api=True)
    body = {"wave_id": live.world.wave.id, "clinic_id": live.world.clinic_a.id, "checklist": "sec-clinic",
            "shopper": shopper.email}

    created = client.post("/api/v1/assignments", json=body)
    assert created.status_code == 201, created.text
    key = f"visit_assigned:assignment:{created.json()['id']}:{shopper.id}"
    with Session(live.engine) as session:
        mail = session.exec(select(OutgoingMail).where(OutgoingMail.dedupe_key == key)).one()

    def arrived() -> list[object]:
        return [m for m in smtp.inbox.to(shopper.email) if m["Message-ID"] == mail.message_id]

    with consuming(queue.huey, threads=2):
        _wait(arrived)
        mail_tasks.deliver_mail(mail.id)  # the same job once more: a retry, a second worker
        mail_tasks.sweep_mail.call_local()
        time.sleep(1.5)

    assert len(arrived()) == 1
    with Session(live.engine) as session:
        assert session.get(OutgoingMail, mail.id).status == MailStatus.sent  # type: ignore[union-attr]


def test_the_scheduled_checks_run_as_a_job_and_commit_what_they_tell(live: Live) -> None:
    told = notification_tasks.run_scheduled_checks.call_local()

    assert set(told) == {"remind_closing_windows", "send_qa_digest", "remind_actions", "announce_closed_waves"}
    assert all(isinstance(count, int) for count in told.values())
