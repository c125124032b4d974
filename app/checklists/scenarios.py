"""Scenario files (`checklists/scenarios/*.yaml`): the persona and script a shopper plays.

Format, every text in Russian and English:

    slug: aesthetic-acne-rosacea
    checklist: aesthetic-clinic        # the slug of the checklist it is played with
    title: {ru: "...", en: "..."}
    persona: {ru: "...", en: "..."}    # who the patient is
    story: {ru: "...", en: "..."}      # what brings them, what happened before
    ask: {ru: "...", en: "..."}        # what to ask
    avoid: {ru: "...", en: "..."}      # what not to reveal

Validated like checklists (every problem with its line); importing is idempotent by slug.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from app.checklists.models import Checklist
from app.checklists.schema import Slug
from app.checklists.source import Path
from app.checklists.validation import Problem, Report, validate_source
from app.checklists.versions import ChecklistNotFound
from app.fieldwork.models import Scenario
from app.i18n import N_

TEXT_FIELDS = ("title", "persona", "story", "ask", "avoid")


class BothLanguages(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ScenarioDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    checklist: Slug
    title: BothLanguages
    persona: BothLanguages
    story: BothLanguages
    ask: BothLanguages
    avoid: BothLanguages


@dataclass(frozen=True)
class ScenarioSaved:
    scenario: Scenario
    status: Literal["created", "updated", "unchanged"]


def _scenario_key(data: Any, path: Path) -> str:
    return str(path[0]) if path else "file"


def _scenario_rules(report: Report) -> None:
    """Every field is checked by the model: texts are {ru: ..., en: ...}, both required."""


_MESSAGES = {
    "slug": N_("slug must be lowercase latin letters and digits joined by single hyphens, got '{value}'"),
    "model_type": N_("{field} needs the text in both languages: {{ru: ..., en: ...}}"),
    "string_too_short": N_("{field} must not be empty"),
}


def validate_scenario(text: str, filename: str) -> tuple[ScenarioDoc | None, list[Problem]]:
    """Every problem of a scenario file with its line; the document only when there are none."""
    return validate_source(text, filename, ScenarioDoc, key_of=_scenario_key, rules=_scenario_rules,
                           messages=_MESSAGES)


def save_scenario(session: Session, doc: ScenarioDoc) -> ScenarioSaved:
    """Create the scenario, or update the one with the same slug in place (assignments keep pointing
    at it). The checklist must exist: raises ChecklistNotFound otherwise."""
    checklist = session.exec(select(Checklist).where(Checklist.slug == doc.checklist)).first()
    if checklist is None:
        raise ChecklistNotFound(slug=doc.checklist)
    fields: dict[str, Any] = {name: getattr(doc, name).model_dump() for name in TEXT_FIELDS}
    fields["checklist_id"] = checklist.id
    scenario = session.exec(select(Scenario).where(Scenario.slug == doc.slug)).first()
    if scenario is None:
        scenario = Scenario(slug=doc.slug, **fields)
        session.add(scenario)
        session.flush()
        return ScenarioSaved(scenario, "created")
    if all(getattr(scenario, name) == value for name, value in fields.items()):
        return ScenarioSaved(scenario, "unchanged")
    for name, value in fields.items():
        setattr(scenario, name, value)
    session.add(scenario)
    session.flush()
    return ScenarioSaved(scenario, "updated")


def scenarios_for(session: Session, checklist_slug: str) -> list[Scenario]:
    """Active scenarios played with a checklist, by slug."""
    query = (select(Scenario).join(Checklist, Checklist.id == Scenario.checklist_id)  # type: ignore[arg-type]
             .where(Checklist.slug == checklist_slug, Scenario.active == True)  # noqa: E712
             .order_by(Scenario.slug))
    return list(session.exec(query).all())
