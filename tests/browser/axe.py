"""axe-core in a Playwright page: `assert_accessible(page)` fails on any serious or critical
violation, listing each (rule, element, what to fix).

axe-core is vendored (static/vendor/axe-core/, scripts/vendor-js.sh) and evaluated from the file
through the DevTools protocol (`page.evaluate`), to which the page's Content-Security-Policy
does not apply (a `<script>` tag, as `add_script_tag` adds, would be refused), so the site
needs no exception for tests.
"""

import json
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING = ("serious", "critical")


def violations(page, context=None, tags=TAGS):
    """axe's violations of serious or critical impact on the page (or inside `context`, a
    CSS selector)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate(
        """async ([context, tags]) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            return await window.axe.run(context ? document.querySelector(context) : document,
                                        options);
        }""",
        [context, list(tags)],
    )
    return [v for v in result["violations"] if v.get("impact") in FAILING]


def describe(found):
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            lines.append(
                f"- {violation['id']} ({violation['impact']}) at {json.dumps(node['target'])}: "
                f"{violation['help']} — {node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return "\n".join(lines)


def assert_accessible(page, context=None):
    """Fail listing every serious or critical axe-core violation on the page as it is now."""
    found = violations(page, context)
    assert not found, f"axe-core on {page.url}:\n{describe(found)}"
