"""Russian and English: Babel catalogs, the request's language, and `N_` for deferred strings.

The language lives in a context variable set once per request (user's choice, then the `lang`
cookie, then Accept-Language), so domain code and templates translate without passing it around.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
LOCALES_DIR = Path(__file__).parent / "locales"

# A one-item list, fresh per request: sync dependencies and routes run in worker threads on copies of
# the request's context, so the user's choice is written into the shared list, not into the variable.
_current: ContextVar[list[str]] = ContextVar("language")


def N_(message: str) -> str:
    """Mark a string for the catalog; it is translated later, where it is shown."""
    return message


@lru_cache
def translations_for(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [language], domain="messages")


def set_language(language: str) -> None:
    """The language from here on in this context: at the start of a request, a command or a test."""
    _current.set([language if language in LANGUAGES else DEFAULT_LANGUAGE])


def prefer_language(language: str) -> None:
    """The user's own choice, once known: for the rest of the request, also outside this worker thread."""
    holder = _current.get(None)
    if holder is None:
        set_language(language)
    elif language in LANGUAGES:
        holder[0] = language


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Another reader's language for a while (an e-mail to them), then the caller's again."""
    token = _current.set([language if language in LANGUAGES else DEFAULT_LANGUAGE])
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    holder = _current.get(None)
    return holder[0] if holder else DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    return translations_for(current_language()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_language()).ungettext(singular, plural, n)


_ = gettext


def negotiate(accept_language: str | None) -> str | None:
    """The first supported language in an Accept-Language header, by its q order."""
    if not accept_language:
        return None
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.strip().lower().split("-")[0]))
    for _quality, language in sorted(weighted, key=lambda pair: -pair[0]):
        if language in LANGUAGES:
            return language
    return None


def localized(text: dict[str, str] | str | None, language: str | None = None) -> str:
    """A checklist text in the reader's language, else the first one given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = language or current_language()
    return text.get(language) or next(iter(text.values()), "")
