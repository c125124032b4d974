"""CLI errors: one clear line on stderr and a non-zero exit, never a traceback."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from app.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@contextmanager
def clear_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        fail(error.text())
    except ValidationError as error:  # settings from the environment, e.g. MP_DATABASE_URL
        problems = "; ".join(f"MP_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        fail(problems)
    except OperationalError as error:
        fail(f"the database is not reachable: {str(error.orig).strip().splitlines()[0]}")


def cli_errors(function: F) -> F:
    """Wrap a command so domain, settings and database errors become one line and exit 1."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with clear_errors():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
