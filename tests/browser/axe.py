"""axe-core in a Playwright page: inject the vendored script, run the WCAG 2.x A/AA rules, and either
return the violations or fail with a message a person can act on (rule, impact, selectors).

The script is vendored (tests/browser/vendor/axe.min.js, axe-core 4.14.1, MPL-2.0, licence beside
it) so the browser tests need no network and no npm at test time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what a public-sector or medical client asks for. The
# "best-practice" and AAA rules are left out on purpose; they are advice, not conformance.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.targets[:5]) + (f" (+{len(self.targets) - 5} more)" if len(self.targets) > 5 else "")
        return f"{self.rule} [{self.impact}] {self.help}: {shown}  ({self.help_url})"


@cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def inject_axe(page: Any) -> None:
    """Load axe-core into the page once (a second call on the same document is a no-op)."""
    # evaluate(), not add_script_tag(): the app's Content-Security-Policy forbids inline scripts, and
    # code run through the DevTools protocol is not subject to it.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())


RUN_AXE_JS = "([context, options]) => axe.run(context, options).then(result => result.violations)"


def run_arguments(*, exclude: Iterable[str] = (), disable_rules: Iterable[str] = ()) -> list[dict[str, Any]]:
    """[context, options] for RUN_AXE_JS: the WCAG tags, minus excluded regions and disabled rules."""
    context: dict[str, Any] = {"include": [["html"]]}
    excluded = [[selector] for selector in exclude]
    if excluded:
        context["exclude"] = excluded
    options: dict[str, Any] = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
    disabled = list(disable_rules)
    if disabled:
        options["rules"] = {rule: {"enabled": False} for rule in disabled}
    return [context, options]


def violations_from(raw: list[dict[str, Any]]) -> list[AxeViolation]:
    """axe's JSON violations as AxeViolation, one target selector per offending node."""
    return [
        AxeViolation(rule=v["id"], impact=v.get("impact") or "unknown", help=v.get("help", ""),
                     help_url=v.get("helpUrl", ""),
                     targets=tuple(" ".join(str(part) for part in node["target"]) for node in v.get("nodes", [])))
        for v in raw
    ]


def axe_violations(page: Any, *, exclude: Iterable[str] = (), disable_rules: Iterable[str] = ()) -> list[AxeViolation]:
    """The WCAG 2.x A/AA violations on the page as it is now (sync Playwright page).

    `exclude` takes CSS selectors of regions not to check; `disable_rules` rule ids to skip.
    """
    inject_axe(page)
    raw = page.evaluate(RUN_AXE_JS, run_arguments(exclude=exclude, disable_rules=disable_rules))
    return violations_from(raw)


def format_violations(violations: Iterable[AxeViolation], *, where: str = "") -> str:
    lines = [f"axe-core: WCAG 2.x A/AA violations{f' on {where}' if where else ''}:"]
    lines += [f"  - {violation.describe()}" for violation in violations]
    return "\n".join(lines)


def assert_no_axe_violations(page: Any, *, exclude: Iterable[str] = (), disable_rules: Iterable[str] = ()) -> None:
    """Fail the test with every violation's rule id, impact and target selectors."""
    violations = axe_violations(page, exclude=exclude, disable_rules=disable_rules)
    assert not violations, format_violations(violations, where=page.url)
