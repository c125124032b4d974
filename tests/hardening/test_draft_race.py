"""One checklist draft per author: the same author opening the draft from several tabs at the same
moment gets one draft, whoever wins. Real commits from threads on a database of its own."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.checklists import editor
from app.checklists.models import ChecklistVersion
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.db import make_engine
from tests.checklist_docs import small_checklist
from tests.database import fresh_database, migrate
from tests.factories import make_user

TABS = 8


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_tabs_opening_the_draft_at_once_share_one_draft(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        save_version(setup, ChecklistDoc.model_validate(small_checklist("race-clinic")))
        author_id = make_user(setup, Role.qa_lead).id
        setup.commit()
    barrier = threading.Barrier(TABS, timeout=30)
    opened: list[int | None] = []
    errors: list[BaseException] = []

    def tab() -> None:
        with Session(own_engine, expire_on_commit=False) as session:
            author = session.get(User, author_id)
            assert author is not None
            session.commit()  # SQLite: no transaction (and no write lock) held while waiting
            barrier.wait()
            try:
                opened.append(editor.open_draft(session, "race-clinic", author=author).id)
                session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=tab) for _ in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with Session(own_engine) as check:
        drafts = check.exec(select(ChecklistVersion.id).where(ChecklistVersion.status == "draft",
                                                              col(ChecklistVersion.created_by_id) == author_id)).all()
    assert errors == []
    assert len(drafts) == 1
    assert set(opened) == set(drafts)
