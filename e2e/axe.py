"""axe-core in the page: every page state an e2e test passes through is checked, and
any violation fails the test with what and where."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def assert_accessible(page: Page, state: str) -> None:
    """Run axe on the page as it is now. `state` names the page state in the failure."""
    helper: Page | None = getattr(page, "portal_axe_helper", None)
    if helper is not None:
        # JavaScript is off in this page, and axe needs it: check the same markup, with
        # its scripts removed so it stays the no-JavaScript page, in a helper page of
        # the same origin (so the stylesheets apply).
        html = page.content()
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
        origin = re.match(r"https?://[^/]+", page.url)
        helper.goto(f"{origin.group(0) if origin else ''}/accessibility")
        helper.set_content(html)
        _run_axe(helper, state, page.url)
        return
    _run_axe(page, state, page.url)


def _run_axe(page: Page, state: str, url: str) -> None:
    # page.evaluate runs through the DevTools protocol, so the page's CSP (no inline
    # scripts) stays on and is tested too.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)
            }));
        }""",
        TAGS,
    )
    if result:
        lines = [f"axe found {len(result)} violation(s) on '{state}' ({url}):"]
        for violation in result:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
        raise AssertionError("\n".join(lines))
