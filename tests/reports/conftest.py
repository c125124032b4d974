"""A small hand-made network whose every figure is computed by hand in the tests.

Checklist `test-clinic` (tests/checklist_docs.py): target 80, policy flag.
  call (weight 1, target 90): answer_time number pass max 20 (w 2), greeting yes_no critical (w 1),
      callback yes_no allow_na (w 1), mood emotion
  reception (weight 2, target 80 from the checklist): politeness scale 1..5 (w 1),
      wait choice short 1 / medium 0.5 / long 0 (w 1), notes text, photo evidence

Wave "W1". Clinic A (branch) approved audits:
  a1: time 15 (1), greeting yes (1), callback N/A, mood +1, politeness 4 (0.75), wait medium (0.5), notes
      call = 100·(2+1)/3 = 100, reception = 100·(0.75+0.5)/2 = 62.5, audit = (100 + 2·62.5)/3 = 75
  a2: time 25 (0), greeting no (0, critical), callback yes (1), mood −1, politeness 3 (0.5), wait short (1)
      call = 100·(0+0+1)/4 = 25 (flagged), reception = 75, audit = (25 + 150)/3 = 58.333…
  a3: time 10 (1), greeting yes (1), callback no (0), politeness unanswered, wait long (0)
      call = 100·3/4 = 75, reception = 0, audit = 75/3 = 25
  plus a submitted, a rejected and a draft audit with perfect answers: not counted.
Clinic B (branch): one perfect audit = 100. Competitor C: perfect but wait medium: reception 75,
  audit (100 + 150)/3 = 83.333…
"""

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.checklists.models import ChecklistVersion
from app.clinics.models import Clinic, Region
from app.fieldwork.models import Audit, Wave
from tests.actions.conftest import World, make_world
from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_region
from tests.reports.factories import NA, make_audit, make_version, make_wave

PERFECT = {"call.answer_time": 15, "call.greeting": True, "call.callback": True,
           "reception.politeness": 5, "reception.wait": "short"}


@dataclass
class Network:
    version: ChecklistVersion
    wave: Wave
    north: Region
    south: Region
    a: Clinic
    b: Clinic
    c: Clinic
    a_audits: list[Audit]


@pytest.fixture
def network(session: Session) -> Network:
    version = make_version(session, small_checklist())
    wave = make_wave(session, "W1")
    north, south = make_region(session, "North"), make_region(session, "South")
    a = make_clinic(session, name="Alpha", region=north)
    b = make_clinic(session, name="Beta", region=south)
    c = make_clinic(session, name="Rival", region=north, is_competitor=True)
    a1 = make_audit(session, version=version, clinic=a, wave=wave, answers={
        "call.answer_time": 15, "call.greeting": True, "call.callback": NA, "call.mood": 1,
        "reception.politeness": 4, "reception.wait": "medium", "reception.notes": "fine"})
    a2 = make_audit(session, version=version, clinic=a, wave=wave, answers={
        "call.answer_time": 25, "call.greeting": False, "call.callback": True, "call.mood": -1,
        "reception.politeness": 3, "reception.wait": "short"}, comments={"call.greeting": "No name given"})
    a3 = make_audit(session, version=version, clinic=a, wave=wave, answers={
        "call.answer_time": 10, "call.greeting": True, "call.callback": False, "reception.wait": "long"})
    for status in ("submitted", "rejected", "draft"):
        make_audit(session, version=version, clinic=a, wave=wave, answers=PERFECT, status=status)
    make_audit(session, version=version, clinic=b, wave=wave, answers=PERFECT)
    make_audit(session, version=version, clinic=c, wave=wave, answers={**PERFECT, "reception.wait": "medium"})
    return Network(version, wave, north, south, a, b, c, [a1, a2, a3])


@pytest.fixture
def world(session: Session) -> World:
    """The world of tests/actions: a clinic, its manager, a QA lead and a current wave."""
    return make_world(session)
