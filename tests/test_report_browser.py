"""signoff.html as a person sees it: opened in a real headless Chromium (Debian's /usr/bin/chromium).

Without Chromium (or playwright) these tests skip on a developer machine and FAIL in CI (CI=true),
where .ci/run installs it: a report nobody looked at is not tested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import _signoff_fakes as fake
import pytest

from harness.reports.signoff_html import render_html
from harness.results import FAIL, WARN
from harness.signoff import Delta

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("GGEN_DB_CHROMIUM", "/usr/bin/chromium")  # another path for non-Debian machines
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)> \"quotes\" 'single' a|b"
CSP_META = '<meta http-equiv="Content-Security-Policy"'


def _unavailable(why: str) -> None:
    """Skip on a developer machine; fail in CI, where a skipped browser test would hide a broken report."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why}: CI must run the browser test (.ci/run installs Debian's chromium)")
    pytest.skip(why)


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_in_ci_and_skips_locally(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium not found"):
        _unavailable("/nowhere/chromium not found")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Page:
    """A page with every console message, page error and dialog recorded."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")
        return self.page


def realistic_result() -> Any:
    """A FAIL with warnings, a baseline and two scales of a dozen workloads: what a bad day looks like."""
    names = ["lookup", "by_agent", "range_24h", "aggregation", "view_recent_executions", "insert_single",
             "batch_100", "batch_1000", "memory_by_agent", "sessions_running", "collisions_critical", "audit_time_range"]
    results = []
    for i, name in enumerate(names):
        for j, scale in enumerate(("10k", "100k")):
            verdict = FAIL if (name, scale) == ("batch_1000", "100k") else (WARN if name == "insert_single" else "PASS")
            reasons = ("p95 412 ms over the budget of 300 ms",) if verdict == FAIL else (
                ("long tail: p99 is 25x p50 (> 20x)",) if verdict == WARN else ())
            results.append(fake.workload(name, scale, median_ms=0.05 * (i + 1) * (1 + 2 * j), budget_ms=10.0,
                                         verdict=verdict, reasons=reasons, seed=10 * i + j,
                                         description=f"workload {name} as documented"))
    deltas = tuple(Delta(r.workload, r.scale, fake.comparison(1.4 if r.workload == "by_agent" else 1.0,
                                                                regression=r.workload == "by_agent", p_value=0.001))
                   for r in results)
    return fake.result(fake.check_report(failed={26: "receipts.status accepts 'bogus'"}),
                       fake.bench_report(*results), baseline=fake.baseline(), deltas=deltas)


def hostile_result() -> Any:
    conformance = fake.check_report(fake.finding(None, "Agent ids", "failed", message=PAYLOAD, code="agent_id_text"))
    conformance = replace(conformance, findings=tuple(
        replace(f, obj=PAYLOAD) if f.code == "agent_id_text" else f for f in conformance.findings))
    bench = fake.bench_report(fake.workload(name=PAYLOAD, description=PAYLOAD, reasons=(PAYLOAD,), verdict=WARN),
                              fake.workload(name=PAYLOAD, scale="100k", description=PAYLOAD, seed=3))
    return fake.result(conformance, replace(bench, notes=(PAYLOAD,)))


def test_report_renders_without_errors_and_reads_verdict_first(browser, tmp_path):
    report = tmp_path / "signoff.html"
    report.write_text(render_html(realistic_result()), encoding="utf-8")
    view = Page(browser)
    page = view.open(report)

    assert view.errors == []
    assert [m for m in view.console if m[0] in ("error", "warning")] == []
    verdict = page.locator("[data-verdict]")
    assert verdict.is_visible() and verdict.inner_text() == "FAIL"
    box = verdict.bounding_box()
    assert box is not None and box["y"] < 300  # on the first screen, no scrolling
    assert page.get_by_text("receipts.status accepts 'bogus'").first.is_visible()

    checks = page.locator("table.checks.numbered")
    assert checks.is_visible()
    assert checks.locator("tbody tr:not(.group)").count() == 36
    folded = page.locator("details.check-group")
    assert folded.count() == 2 and not page.locator("table.checks.extra").first.is_visible()
    folded.first.locator("summary").click()  # a reader unfolds a group
    assert page.locator("table.checks.extra").first.is_visible()
    slo = page.locator("table.slo")
    assert slo.is_visible()
    assert slo.locator("tbody tr").count() == 24
    assert slo.locator("thead th").all_inner_texts()[-4:] == ["Δ p50", "Δ p95", "Δ p99", "vs baseline"]
    assert "REGRESSION" in slo.inner_text()

    charts = page.locator("svg.chart")
    assert charts.count() == 1 + 2 * 12  # the overview, then distribution + scaling per workload
    for i in (0, 1, charts.count() - 1):
        chart_box = charts.nth(i).bounding_box()
        assert chart_box is not None and chart_box["width"] > 200 and chart_box["height"] > 100
    assert page.locator("section.signature").is_visible()

    shot = tmp_path / "signoff.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    page.close()


@pytest.mark.parametrize("policy", ["as shipped", "without its Content-Security-Policy"])
def test_hostile_text_is_shown_literally_and_never_runs(browser, tmp_path, policy):
    html = render_html(hostile_result())
    if policy != "as shipped":  # prove the escaping alone holds, not just the policy
        start = html.index(CSP_META)
        html = html[:start] + html[html.index(">", start) + 1:]
    report = tmp_path / "signoff.html"
    report.write_text(html, encoding="utf-8")
    view = Page(browser)
    page = view.open(report)

    assert view.dialogs == []
    assert view.errors == []
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    body = page.locator("body").inner_text()
    assert body.count(PAYLOAD) >= 4  # check message, object, workload name and description, reasons
    page.close()
