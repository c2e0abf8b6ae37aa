"""axe-core in Chromium (the copy axe-playwright-python ships): the accessibility problems a page
has that the tests fail on."""

from __future__ import annotations

import json
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, Page

# Serious and critical problems fail, and content outside the landmarks (header, nav, main,
# footer), which axe rates moderate but which leaves screen-reader users without a map.
FAILING_IMPACTS = ("serious", "critical")
FAILING_RULES = ("region",)
# The rules a colour scheme can change: a page checked in light needs only these in dark.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
# The rules a narrower layout can change (the markup is the same): a page checked on a desktop
# needs only these on a phone.
LAYOUT_RULES = (*COLOUR_RULES, "scrollable-region-focusable")


def axe_load(context: BrowserContext) -> None:
    """Every page this context opens gets axe, parsed before the page's own scripts run."""
    context.add_init_script(AXE_SCRIPT)


def axe_problems(page: Page, *, only: tuple[str, ...] = ()) -> list[str]:
    """One line per failing rule: the rule, its impact and the first elements breaking it."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if only:
        options["runOnly"] = {"type": "rule", "values": list(only)}
    results: dict[str, Any] = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']}: "
        + ", ".join(" ".join(map(str, node["target"])) for node in rule["nodes"][:5])
        for rule in results["violations"]
        if rule["impact"] in FAILING_IMPACTS or rule["id"] in FAILING_RULES
    ]
