"""What a worker can prepare for a person (docs/jobs.md): each domain registers its builders
(a PDF, an export) from its own tasks.py; jobs only run them and keep the file."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from fastapi import Request
from sqlmodel import Session

from app.accounts.models import Role, User
from app.errors import NotFound

Params = dict[str, str | None]


@dataclass(frozen=True)
class Built:
    """What a builder wrote: the name and type the file is downloaded under, and the clinics its
    content shows (None = the whole network), re-checked against the reader's scope at download."""

    download_name: str
    media_type: str
    clinic_ids: list[int] | None


@dataclass(frozen=True)
class BuildContext:
    session: Session  # reader transactions: a long build never holds the write turn
    user: User  # the person who asked: the builder applies their scope
    params: Params
    out: IO[bytes]
    progress: Callable[[float], None]  # 0..1; also proves the worker is alive
    request: Request  # for templates (url_for, the reader's language), made by the worker


@dataclass(frozen=True)
class Builder:
    kind: str
    roles: frozenset[Role]
    fields: tuple[str, ...]  # the parameters it takes, all optional strings
    check: Callable[[Session, User, Params], None]  # when asked: raises NotFound for what is not there
    build: Callable[[BuildContext], Built]


BUILDERS: dict[str, Builder] = {}


class UnknownKind(NotFound):
    pass


def register(builder: Builder) -> Builder:
    BUILDERS[builder.kind] = builder
    return builder


def builder_for(kind: str) -> Builder:
    try:
        return BUILDERS[kind]
    except KeyError:
        raise UnknownKind() from None
