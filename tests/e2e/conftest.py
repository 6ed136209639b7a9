"""Fixtures of the browser tests: the Content-Security-Policy watch and the accessibility check with
the vendored axe-core.

Every browser context a test opens (the `page` fixture's, `new_context()`'s, `browser.new_context()`'s)
records what Chromium reports on its console as a Content-Security-Policy violation, and the test
fails at its end when there was one: every page and every step of every browser test runs under the
policy (`csp_violations` is that list, for a test that wants to look at it).

`axe_violations(page)` evaluates tests/e2e/vendor/axe-core/axe.min.js in the page as it is now and
runs axe on the whole document, limited to the WCAG 2.0 A and AA rules (JIS X 8341-3:2016 AA); a
broken aria-describedby reference, which axe only marks "needs review", counts as a violation too.
It returns the violations as a list whose text names, for each rule, its id, impact and help, and
the CSS target and the failure summary of each offending node, to be used as an assertion message:

    violations = axe_violations(page)
    assert not violations, violations
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE_PATH.read_text(encoding="utf-8") + "\n;void 0"
WCAG2_AA = ("wcag2a", "wcag2aa")
# Rules whose "needs review" answer is a defect on these server-rendered pages: aria-valid-attr-value is
# left incomplete when aria-describedby or aria-labelledby names an id that is not on the page (a help
# text or an error message that is not tied to its field).
INCOMPLETE_IS_VIOLATION = ("aria-valid-attr-value",)

_RUN_AXE = """async ([tags, strictRules]) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] };
  const results = await axe.run(document, options);
  const found = results.violations.concat(results.incomplete.filter((result) => strictRules.includes(result.id)));
  return found.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map((part) => (Array.isArray(part) ? part.join(" >> ") : part)).join(" >> "),
      html: node.html,
      summary: node.failureSummary || "",
    })),
  }));
}"""


CSP_MESSAGE = "Content Security Policy"


@pytest.fixture(autouse=True)
def csp_violations(monkeypatch):
    found: list[str] = []
    open_context = Browser.new_context

    def record(message: ConsoleMessage) -> None:
        if CSP_MESSAGE in message.text:
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def new_context(self, *args, **kwargs):
        context = open_context(self, *args, **kwargs)
        context.on("console", record)
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield found
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


class AxeViolations(list):
    """The violations axe found (dicts with id, impact, help, helpUrl and nodes); str() lists them."""

    def __init__(self, violations, *, url: str = ""):
        super().__init__(violations)
        self.url = url

    def __str__(self) -> str:
        if not self:
            return f"no axe violation on {self.url}"
        lines = [f"{len(self)} axe violation(s) on {self.url}:"]
        for violation in self:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    at {node['target']}")
                lines.append(f"       {_shorten(node['html'], 200)}")
                for summary_line in node["summary"].splitlines():
                    if summary_line.strip():
                        lines.append(f"       | {summary_line.strip()}")
        return "\n".join(lines)

    __repr__ = __str__


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_axe(
    page: Page, *, tags: tuple[str, ...] = WCAG2_AA, incomplete_is_violation: tuple[str, ...] = INCOMPLETE_IS_VIOLATION
) -> AxeViolations:
    """Run axe-core on the page's document as it is now; returns its violations of `tags`, and the
    "needs review" results of the rules in `incomplete_is_violation`."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not added as a <script> element: the page's
        # Content-Security-Policy refuses inline scripts (add_script_tag would be one).
        page.evaluate(AXE_SOURCE)
    return AxeViolations(page.evaluate(_RUN_AXE, [list(tags), list(incomplete_is_violation)]), url=page.url)


@pytest.fixture
def axe_violations():
    """`axe_violations(page, tags=("wcag2a", "wcag2aa"))`: see run_axe."""
    return run_axe
