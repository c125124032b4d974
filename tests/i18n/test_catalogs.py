"""The Russian catalog covers every string the code marks, the compiled .mo matches it, and every
translation keeps the placeholders of its source string.

When one of these fails after new strings were added: `make messages`, translate the empty entries of
app/locales/ru/LC_MESSAGES/messages.po, `make compile-messages`, commit the .po and .mo files.
"""

import re
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "app" / "locales"
HOW_TO_FIX = "run `make messages`, translate the empty entries, then `make compile-messages`"
PERCENT = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")

MsgId = str | tuple[str, ...]


def _key(message: Message) -> MsgId:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _translated(message: Message) -> bool:
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(forms) and all(forms) and not message.fuzzy


@pytest.fixture(scope="module")
def source_messages() -> dict[MsgId, list[str]]:
    """Every marked string of app/ and templates/, extracted in-process with babel.cfg's mapping."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[MsgId, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map):
        key = message if isinstance(message, str) else tuple(message)
        if key:
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def _po(language: str) -> Catalog:
    with open(LOCALES / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def _mo(language: str) -> Catalog:
    with open(LOCALES / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        return read_mo(mo)


def test_extraction_finds_python_and_template_strings_including_plurals(
        source_messages: dict[MsgId, list[str]]) -> None:
    places = [place for places in source_messages.values() for place in places]

    assert any(place.startswith("app/") for place in places)
    assert any(place.startswith("templates/") for place in places)
    assert "Log in" in source_messages and "Not found." in source_messages
    assert ("%(num)d problem", "%(num)d problems") in source_messages


def test_every_source_string_has_a_russian_translation(source_messages: dict[MsgId, list[str]]) -> None:
    catalog = {_key(message): message for message in _po("ru") if message.id}

    missing = [f"{msgid!r} ({places[0]})" for msgid, places in source_messages.items()
               if msgid not in catalog or not _translated(catalog[msgid])]

    assert not missing, f"{len(missing)} strings have no Russian translation ({HOW_TO_FIX}):\n" + "\n".join(missing)


def test_the_english_catalog_knows_every_source_string(source_messages: dict[MsgId, list[str]]) -> None:
    catalog = {_key(message) for message in _po("en") if message.id}

    missing = [repr(msgid) for msgid in source_messages if msgid not in catalog]

    assert not missing, f"{len(missing)} strings are not in the English catalog ({HOW_TO_FIX}):\n" + "\n".join(missing)


def _same_as_source(message: Message) -> bool:
    if message.pluralizable:
        return set(message.string) <= set(message.id)
    return bool(message.string == message.id)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_compiled_catalog_matches_the_po_file(language: str) -> None:
    def translations(catalog: Catalog) -> dict[MsgId, Any]:
        # An untranslated plural is compiled with the source's own forms: the same as no translation.
        return {_key(m): tuple(m.string) if m.pluralizable else m.string for m in catalog
                if m.id and _translated(m) and not _same_as_source(m)}

    in_po, in_mo = translations(_po(language)), translations(_mo(language))

    stale = sorted(repr(msgid) for msgid in in_po.keys() | in_mo.keys() if in_po.get(msgid) != in_mo.get(msgid))
    assert not stale, (f"messages.mo ({language}) is out of date for {len(stale)} strings: run `make compile-messages`"
                       f" and commit the .mo:\n" + "\n".join(stale[:30]))


def _braces(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conversion in string.Formatter().parse(text) if field is not None}


class _AnyValue(dict[str, Any]):
    def __missing__(self, key: str) -> int:
        return 1


def _percent_formats(text: str) -> bool:
    try:
        text % _AnyValue()
    except (TypeError, ValueError, KeyError):
        return False
    return True


def _placeholder_problems(source: str, translation: str, from_template: bool) -> list[str]:
    problems = []
    source_names, translated_names = set(PERCENT.findall(source)), set(PERCENT.findall(translation))
    if source_names != translated_names:
        problems.append(f"%(name)s {sorted(source_names)} -> {sorted(translated_names)}")
    try:
        source_fields, translated_fields = _braces(source), _braces(translation)
    except ValueError as error:
        problems.append(f"broken braces: {error}")
    else:
        if source_fields != translated_fields:
            problems.append(f"{{fields}} {sorted(source_fields)} -> {sorted(translated_fields)}")
    # Jinja's gettext always applies `%`: a lone % in a template string needs to be %%.
    if from_template and _percent_formats(source) and not _percent_formats(translation):
        problems.append("a lone % (write %% in template strings)")
    return problems


def test_translations_keep_the_placeholders_of_their_source() -> None:
    problems = []
    for message in _po("ru"):
        if not message.id or not _translated(message):
            continue
        from_template = any(location.startswith("templates/") for location, _line in message.locations)
        if isinstance(message.id, str):
            pairs = [(message.id, message.string)]
        else:
            singular, plural = message.id
            pairs = [(plural if form else singular, text) for form, text in enumerate(message.string)]
            pairs += [(plural, text) for text in message.string[1:]]
        for source, translation in pairs:
            problems += [f"{source!r} -> {translation!r}: {problem}"
                         for problem in _placeholder_problems(source, translation, from_template)]

    assert not problems, "\n".join(problems)


def test_russian_plural_forms_are_three_and_used() -> None:
    catalog = _po("ru")

    plurals = [message for message in catalog if message.pluralizable]

    assert catalog.num_plurals == 3
    assert plurals and all(len(message.string) == 3 for message in plurals)
