"""The templates' quick gettext renders exactly what Jinja's newstyle gettext renders."""

import pytest
from jinja2 import Environment

from app import i18n
from app.web.templating import templates

SOURCES = [
    '{{ _("Yes") }}|{{ gettext("No") }}',
    '{{ _("Preparing the file: %(percent)s%%", percent=40) }}',
    '{{ _("100%%") }}',
    '{{ _("Download %(name)s", name="<b>a&b</b>") }}',
    '{% trans n=3 %}{{ n }} items{% endtrans %}|{% trans %}Save this answer{% endtrans %}',
    '<p title="{{ _("required") }}">{{ _("saved") }}</p>',
]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("source", SOURCES)
def test_same_text_as_jinjas_own_gettext(source: str, language: str) -> None:
    reference = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    reference.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    i18n.set_language(language)
    ours = templates.env.from_string(source).render()
    assert ours == reference.from_string(source).render()
    assert "%%" not in ours and "<b>" not in ours


def test_a_translated_text_is_translated() -> None:
    i18n.set_language("ru")
    assert templates.env.from_string('{{ _("Yes") }}').render() == i18n.gettext("Yes") != "Yes"
