"""Every page state an e2e test passes through is checked, in one call: axe-core at the
test's own width and again at 320 CSS px, and reflow (WCAG 2.2 SC 1.4.10) at 320 px. Any
violation fails the test with what and where."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# A phone, or a 1280 px wide window zoomed to 400%: the width WCAG 1.4.10 names.
NARROW = {"width": 320, "height": 640}

# Two animation frames after a resize: layout, media queries and the resize handlers of
# GOV.UK Frontend (the service navigation's menu button) have all run by then.
_SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

# What scrolls sideways at this width. Only the document itself and, inside it, a data
# table's own scroll region may: `<div class="portal-scroll" tabindex="0" role="region"
# aria-label="...">` around one table, which keyboard users can focus and scroll and
# screen reader users hear named. Any other box that scrolls sideways, or a scroll region
# that is not focusable and labelled, is a failure; so is anything that sticks out past
# the viewport's right edge outside such a region. Each is reported by where it is.
_REFLOW = r"""() => {
    const width = document.documentElement.clientWidth;
    const where = (e) => {
        let name = e.tagName.toLowerCase();
        if (e.id) name += '#' + e.id;
        const classes = [...e.classList].slice(0, 3);
        if (classes.length) name += '.' + classes.join('.');
        const text = (e.innerText || e.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
        return text ? `${name} "${text}"` : name;
    };
    const scrollsSideways = (e) => {
        if (e === document.documentElement || e === document.body) return false;
        const overflow = getComputedStyle(e).overflowX;
        return overflow === 'auto' || overflow === 'scroll';
    };
    const named = (e) => (e.getAttribute('aria-label') || '').trim() !== ''
        || (e.getAttribute('aria-labelledby') || '').split(/\s+/).some(id =>
            (document.getElementById(id)?.textContent || '').trim() !== '');
    const isTableRegion = (e) =>
        e.classList.contains('portal-scroll') && e.getAttribute('tabindex') === '0'
        && e.getAttribute('role') === 'region' && named(e)
        && e.querySelector('table') !== null;
    const problems = [];
    const all = [...document.body.querySelectorAll('*')];
    for (const e of all) {
        if (e.matches('input, textarea, select')) continue;  // their text scrolls inside
        if (scrollsSideways(e) && e.scrollWidth > e.clientWidth + 1 && !isTableRegion(e)) {
            problems.push(`${where(e)} scrolls sideways but is not a table's focusable, ` +
                          'labelled scroll region (div.portal-scroll[tabindex=0][role=region], aria-label or aria-labelledby)');
        }
    }
    const clipped = (e) => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (scrollsSideways(p) || getComputedStyle(p).overflowX === 'hidden'
                || getComputedStyle(p).overflowX === 'clip') return true;
        }
        return false;
    };
    // A box sticks out when it, or what it holds (a long word overflows its paragraph
    // without widening it: scrollWidth counts it), reaches past the right edge.
    const right = (e) => {
        const box = e.getBoundingClientRect();
        if (box.width === 0) return 0;
        const overflow = getComputedStyle(e).overflowX;
        const holds = overflow === 'visible' ? box.left + e.scrollWidth : box.right;  // scrolled or cut: its box
        return Math.max(box.right, holds) + window.scrollX;
    };
    const boxRight = (e) => e.getBoundingClientRect().right + window.scrollX;
    let out = all.filter(e => right(e) > width + 0.5 && !clipped(e));
    // An absolutely positioned box escapes a scroll region that is not its containing
    // block: then name whatever sticks out, clipped or not.
    if (!out.length && document.documentElement.scrollWidth > width) {
        out = all.filter(e => right(e) > width + 0.5);
    }
    // Name each innermost box that sticks out (the long word's paragraph, a table's last
    // cell) with the outermost box around it that is itself too wide (the table).
    const outSet = new Set(out);
    const seen = new Set();
    for (const inner of out.filter(e => ![...e.children].some(k => outSet.has(k)))) {
        let outer = inner;
        while (outer.parentElement && outer.parentElement !== document.body
               && boxRight(outer.parentElement) > width + 0.5) outer = outer.parentElement;
        if (seen.has(outer)) continue;
        seen.add(outer);
        let line = `${where(outer)} reaches ${Math.round(right(outer))} px`;
        if (outer !== inner) line += `; pushed by ${where(inner)}`;
        problems.push(line);
        if (seen.size === 5) break;
    }
    return {scrollWidth: document.documentElement.scrollWidth, width, problems};
}"""


def assert_accessible(page: Page, state: str) -> None:
    """Check the page as it is now: axe at its width and at 320 px, and reflow at 320 px.
    `state` names the page state in the failure. The viewport is put back afterwards."""
    helper: Page | None = getattr(page, "portal_axe_helper", None)
    if helper is not None:
        # JavaScript is off in this page, and axe needs it: check the same markup, with
        # its scripts removed so it stays the no-JavaScript page, in a helper page of
        # the same origin (so the stylesheets apply), at the same width.
        html = page.content()
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
        origin = re.match(r"https?://[^/]+", page.url)
        if page.viewport_size:
            helper.set_viewport_size(page.viewport_size)
        helper.goto(f"{origin.group(0) if origin else ''}/accessibility")
        helper.set_content(html)
        _check(helper, state, page.url)
        return
    _check(page, state, page.url)


def _check(page: Page, state: str, url: str) -> None:
    _run_axe(page, state, url, "")
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        page.evaluate(_SETTLE)
        _assert_reflows(page, state, url)
        _run_axe(page, state, url, " at 320 px wide")
    finally:
        if size:
            page.set_viewport_size(size)
            page.evaluate(_SETTLE)


def _assert_reflows(page: Page, state: str, url: str) -> None:
    result = page.evaluate(_REFLOW)
    if result["scrollWidth"] > NARROW["width"] or result["problems"]:
        lines = [
            f"'{state}' ({url}) does not reflow at {NARROW['width']} px: the page is "
            f"{result['scrollWidth']} px wide"
        ]
        lines.extend(f"- {problem}" for problem in result["problems"])
        raise AssertionError("\n".join(lines))


def _run_axe(page: Page, state: str, url: str, width: str) -> None:
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
        lines = [f"axe found {len(result)} violation(s) on '{state}'{width} ({url}):"]
        for violation in result:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
        raise AssertionError("\n".join(lines))
