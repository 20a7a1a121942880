"""The main pages pass axe-core (from npm, run in Chromium) with no serious or critical
WCAG 2.1 A/AA violation, in Korean and in English."""
import json
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WAIT_S = 60  # upper bound for a page and axe's run, not a measured timing
SERIOUS = ("serious", "critical")


def _axe(browser) -> list[dict]:
    """axe-core's violations on the open page (WCAG 2.0/2.1 A and AA rules)."""
    assert AXE.exists(), "node_modules/axe-core is missing (scripts/test runs npm ci)"
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    browser.set_script_timeout(WAIT_S)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag',
                                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
           .then(r => done(JSON.stringify(r.violations)),
                 e => done(JSON.stringify({error: String(e)})));
    """)
    violations = json.loads(result)
    assert not isinstance(violations, dict), violations
    return violations


def _pages(food_contaminants):
    name = food_contaminants["dataset"]["name"]
    return {"home": "/", "search": "/dataset/", "dataset": f"/dataset/{name}",
            "contaminants": "/contaminants", "commitments": "/commitments",
            "report form": f"/dataset/{name}/report-error", "quality dashboard": "/quality"}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_main_pages_have_no_serious_accessibility_violation(browser, steps, live_ckan,
                                                            food_contaminants, prefix):
    """Home, search, a dataset, the quick search, the commitments, the report form and the
    quality dashboard: zero serious or critical axe-core violations."""
    found = {}
    for kind, path in _pages(food_contaminants).items():
        with steps(f"open the {kind} page{' in English' if prefix else ''}"):
            browser.get(live_ckan + prefix + path)
            WebDriverWait(browser, WAIT_S).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
        serious = [v for v in _axe(browser) if v.get("impact") in SERIOUS]
        for violation in serious:
            targets = [node["target"] for node in violation["nodes"]][:5]
            found.setdefault(kind, []).append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    assert not found, "\n".join(f"{prefix + _pages(food_contaminants)[kind]}: {line}"
                                for kind, lines in found.items() for line in lines)
