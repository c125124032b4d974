"""The same upload sent twice at once (a retry racing its original on another worker) is stored once."""

import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import make_engine
from app.fieldwork.evidence import add_evidence
from app.fieldwork.models import Audit, Evidence
from tests.database import fresh_database, migrate
from tests.fieldwork.helpers import make_audit, picture


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: this test commits for real, from two threads."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_two_simultaneous_uploads_with_one_client_upload_id_leave_one_row(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        audit = make_audit(setup)
        setup.commit()
    first = Session(own_engine, expire_on_commit=False)
    mine = first.get(Audit, audit.id)
    assert mine is not None
    stored = add_evidence(first, audit=mine, upload=io.BytesIO(picture()), client_upload_id="photo-1")
    outcome: list[object] = []

    def resend() -> None:
        try:
            with Session(own_engine, expire_on_commit=False) as second:
                theirs = second.get(Audit, audit.id)
                assert theirs is not None
                again = add_evidence(second, audit=theirs, upload=io.BytesIO(picture(color=(1, 2, 3))),
                                     client_upload_id="photo-1")
                second.commit()
                outcome.append(again.id)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(error)

    thread = threading.Thread(target=resend)
    thread.start()
    time.sleep(0.5)  # PostgreSQL: the resend has looked and found nothing, its insert waits on the index
    first.commit()
    first.close()
    thread.join(30)

    assert outcome == [stored.id]
    with Session(own_engine) as check:
        rows = check.exec(select(Evidence).where(Evidence.audit_id == audit.id)).all()
        assert [row.id for row in rows] == [stored.id]
