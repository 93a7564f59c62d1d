"""The sign-off reports rendered from small fake results: content, order, escaping, formats."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the XML these tests just rendered
from dataclasses import replace

import _signoff_fakes as fake
import jsonschema
import pytest

from harness.contract.model import document_schema
from harness.reports import charts, signoff_html, signoff_json, signoff_junit, signoff_markdown, signoff_view
from harness.results import ERROR, FAIL, SKIPPED, WARN, Delta, DerivedCheck

HOSTILE = "<script>alert(1)</script> \"quoted\" 'single' a|b\nsecond line & `tick` *star*"


def schema_validator() -> jsonschema.Draft202012Validator:
    schema = document_schema("signoff.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def hostile_result():
    """Hostile text in a check message and object, a workload name and description, and the fingerprint."""
    conformance = fake.check_report(
        fake.finding(None, "Enumerations", "failed", message=HOSTILE, code="enum_hostile"),
        fake.finding(None, "Agent ids", "passed", code="agent_ids"),
    )
    conformance = replace(
        conformance,
        findings=tuple(replace(f, obj=HOSTILE) if f.code == "agent_ids" else f for f in conformance.findings),
    )
    bench = fake.bench_report(
        fake.workload(name=HOSTILE, scale="10k", description=HOSTILE, reasons=(HOSTILE,), verdict=WARN),
        fake.workload(name=HOSTILE, scale="100k", description=HOSTILE, seed=5),
    )
    bench = replace(bench, fingerprint={**bench.fingerprint, "cpu_model": HOSTILE}, notes=(HOSTILE,))
    return fake.result(conformance, bench, environment={"machine": bench.fingerprint})


# ------------------------------------------------------------------- JSON
def test_json_is_valid_against_its_schema_and_keeps_every_raw_round():
    result = fake.result()
    data = json.loads(signoff_json.render_json(result))
    schema_validator().validate(data)
    assert data["verdict"]["status"] == "PASS"
    assert [r["timings_ms"] for r in data["slo"]["results"]] == [list(r.timings_ms) for r in result.bench.results]
    assert len(data["conformance"]["findings"]) == len(result.conformance.findings)


def test_json_of_a_failed_signoff_with_baseline_and_derived_targets_is_valid():
    bench = fake.bench_report(fake.workload(verdict=FAIL, reasons=("p99 over budget",)))
    bench = replace(bench, derived=(DerivedCheck("store_overhead", "store / bare", 1.7, 1.5, "<=", FAIL),))
    deltas = (Delta("lookup_by_execution_id", "10k", fake.comparison(1.4, regression=True, p_value=0.001)),)
    result = fake.result(bench=bench, baseline=fake.baseline(same_machine=False), deltas=deltas)
    data = json.loads(signoff_json.render_json(result))
    schema_validator().validate(data)
    assert data["verdict"]["status"] == "FAIL"
    assert data["baseline"]["same_machine"] is False
    assert data["deltas"][0]["comparison"]["regression"] is True


def test_json_writes_an_infinite_headroom_as_null_and_stays_valid():
    result = fake.result(bench=fake.bench_report(replace(fake.workload(), headroom=math.inf)))
    text = signoff_json.render_json(result)
    assert "Infinity" not in text
    data = json.loads(text)
    assert data["slo"]["results"][0]["headroom"] is None
    schema_validator().validate(data)


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        (("verdict", "status"), "MAYBE", "MAYBE"),
        (("verdict", "failures"), ["something failed"], "should be non-empty"),  # PASS with a failure
        (("schema", "sha256"), "not-a-hash", "does not match"),
        (("git_commit",), "main", "does not match"),
        (("format_version",), 2, "1 was expected"),
    ],
)
def test_json_schema_rejects_a_broken_document(path, value, why):
    data = json.loads(signoff_json.render_json(fake.result()))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problem = signoff_json.problem(data)
    assert problem is not None
    assert why in problem or path[-1] in problem


def test_json_schema_rejects_a_workload_without_its_raw_rounds():
    data = json.loads(signoff_json.render_json(fake.result()))
    del data["slo"]["results"][0]["timings_ms"]
    assert "timings_ms" in (signoff_json.problem(data) or "")


# -------------------------------------------------------------- Markdown
def table_rows(markdown: str) -> list[list[str]]:
    """Each table line split on unescaped pipes."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            rows.append(re.split(r"(?<!\\)\|", line)[1:-1])
    return rows


def markdown_tables(markdown: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    previous_was_row = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            tables.append([])
        if is_row:
            tables[-1].append(re.split(r"(?<!\\)\|", line)[1:-1])
        previous_was_row = is_row
    return tables


def test_markdown_shows_the_verdict_first_then_conformance_and_slo_tables():
    text = signoff_markdown.render_markdown(fake.result())
    assert text.splitlines()[0] == "# ggen-db sign-off: ✅ PASS"
    assert text.index("## Conformance") < text.index("## SLO benchmarks")
    checklist, extras, slo, _environment = markdown_tables(text)
    assert len(checklist) == 2 + 36
    assert [[c.strip() for c in row] for row in extras[2:]] == [["Enumerations", "1", "1", "0"],
                                                                ["Timestamps", "1", "1", "0"]]
    assert [c.strip() for c in slo[0]] == list(signoff_view.SLO_HEADER)
    assert len(slo) == 2 + len(fake.bench_report().results)


def test_markdown_lists_failures_and_folds_many_warnings():
    noisy = [fake.workload(f"w{i}", verdict=WARN, reasons=("noisy",), seed=i) for i in range(6)]
    bench = fake.bench_report(fake.workload(verdict=FAIL, reasons=("over budget",)), *noisy)
    text = signoff_markdown.render_markdown(fake.result(bench=bench))
    assert "**1 failure:**\n\n- SLO missed its budget: lookup\\_by\\_execution\\_id at 10k: over budget\n" in text
    assert "<details><summary>6 warnings</summary>" in text
    few = signoff_markdown.render_markdown(fake.result(bench=fake.bench_report(*noisy[:2])))
    assert "**2 warnings:**" in few and "<details><summary>2 warnings" not in few


def test_markdown_lists_every_failed_check_including_the_extra_ones():
    failing = fake.finding(None, "Enumerations", "failed", message="accepts 'bogus'", code="enum_status")
    text = signoff_markdown.render_markdown(fake.result(fake.check_report(failing, failed={3: "no audit_log"})))
    failed = markdown_tables(text)[0]
    assert [row[1].strip() for row in failed[2:]] == ["3", ""]
    assert "enum\\_status" in failed[3][2]


def test_markdown_tables_keep_their_shape_and_show_hostile_text_literally():
    text = signoff_markdown.render_markdown(hostile_result())
    tables = markdown_tables(text)
    assert len(tables) >= 3
    for table in tables:
        assert len({len(row) for row in table}) == 1, table
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a\\|b" in text


def test_markdown_escape_is_one_literal_line():
    assert signoff_markdown.escape("a|b\nc<d>&*e*") == "a\\|b c&lt;d&gt;&amp;\\*e\\*"


def test_markdown_with_baseline_has_delta_columns_and_flags_a_regression():
    deltas = (Delta("lookup_by_execution_id", "10k", fake.comparison(1.5, regression=True, p_value=0.001)),)
    text = signoff_markdown.render_markdown(fake.result(baseline=fake.baseline(), deltas=deltas))
    header = markdown_tables(text)[-2][0]
    assert [c.strip() for c in header][-4:] == list(signoff_view.DELTA_HEADER)
    assert "REGRESSION 1.50x, p=0.001" in text
    assert "not in baseline" in text


# ----------------------------------------------------------------- JUnit
def parse_junit(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output


def test_junit_has_a_case_per_check_and_per_measurement_with_failures_marked():
    conformance = fake.check_report(
        fake.finding(None, "Extras", ERROR, message="could not run", code="extra_error"),
        fake.finding(None, "Extras", SKIPPED, message="not applicable", code="extra_skipped"),
        failed={26: "receipts.status accepts 'bogus'"},
    )
    bench = fake.bench_report(fake.workload(verdict=FAIL, reasons=("p99 over budget",)),
                              fake.workload(scale="100k", verdict=WARN, reasons=("noisy",), seed=2))
    root = parse_junit(signoff_junit.render_junit(fake.result(conformance, bench)))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"conformance", "slo"}
    conf = suites["conformance"]
    assert (conf.get("tests"), conf.get("failures"), conf.get("errors"), conf.get("skipped")) == ("38", "1", "1", "1")
    names = [case.get("name") for case in conf.iter("testcase")]
    assert names[0].startswith("[1] ") and names[35].startswith("[36] ")
    failed = [c for c in conf.iter("testcase") if c.find("failure") is not None]
    assert failed[0].find("failure").get("message") == "receipts.status accepts 'bogus'"
    slo = suites["slo"]
    assert (slo.get("tests"), slo.get("failures")) == ("2", "1")
    warned = [c for c in slo.iter("testcase") if c.find("failure") is None][0]
    assert "WARN: noisy" in warned.find("system-out").text
    assert root.get("name") == "ggen-db signoff FAIL"


def test_junit_reports_targets_across_measurements_as_slo_cases():
    bench = replace(fake.bench_report(fake.workload()), derived=(
        DerivedCheck("store_overhead_insert_single@10k", "store p50 / bare p50", 1.7, 1.5, "<=", FAIL),
        DerivedCheck("lookup_scaling", "100k p50 / 10k p50", 1.1, 2.0, "<=", "PASS"),
    ))
    slo = [s for s in parse_junit(signoff_junit.render_junit(fake.result(bench=bench))).iter("testsuite")
           if s.get("name") == "slo"][0]
    assert (slo.get("tests"), slo.get("failures")) == ("3", "1")
    failed = [c for c in slo.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["store_overhead_insert_single@10k"]
    assert failed[0].find("failure").get("message") == "store p50 / bare p50: 1.70, must be <= 1.5"


def test_junit_survives_hostile_text_and_control_characters():
    result = hostile_result()
    bad = fake.finding(None, "Extras", "failed", message="bell \x07 and nul \x00 inside", code="ctrl")
    result = replace(result, conformance=replace(result.conformance, findings=(*result.conformance.findings, bad)))
    root = parse_junit(signoff_junit.render_junit(result))
    messages = [f.get("message") for f in root.iter("failure")]
    assert HOSTILE in messages
    assert "bell \ufffd and nul \ufffd inside" in messages


# ------------------------------------------------------------------ HTML
def test_html_is_self_contained_and_runs_no_script():
    html = signoff_html.render_html(fake.result())
    assert "<script" not in html.lower()
    for external in ("<link", "@import", "url(", " src=", "https://"):
        assert external not in html
    # The only URL is the SVG namespace, which is a name, not something fetched.
    assert set(re.findall(r"http://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "Content-Security-Policy" in html


def test_html_puts_the_verdict_and_its_reasons_before_everything_else():
    result = fake.result(fake.check_report(failed={26: "receipts.status accepts 'bogus'"}))
    html = signoff_html.render_html(result)
    verdict = html.index('data-verdict="FAIL"')
    assert verdict < html.index('id="conformance"') < html.index('id="slo"') < html.index('id="charts"')
    assert verdict < html.index("receipts.status accepts &#39;bogus&#39;") < html.index('id="conformance"')


def test_html_lists_the_36_checks_in_checklist_order_then_the_extras():
    html = signoff_html.render_html(fake.result())
    groups = [g.strip() for g in re.findall(r"<tr class=\"group\"><th colspan=\"5\">([^<]+)", html)]
    assert groups == [name for name, _ in fake.GROUPS]
    numbers = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert numbers == list(range(1, 37))
    extras = re.findall(r'<details class="check-group"( open)?>\s*<summary><b>([^<]+)</b>', html)
    assert extras == [("", "Enumerations"), ("", "Timestamps")]  # folded: every check in them passed
    assert html.index("check_36") < html.index("enum_receipts_status")


def test_html_unfolds_an_extra_group_with_a_failure():
    failing = fake.finding(None, "Enumerations", "failed", message="accepts 'bogus'", code="enum_status")
    html = signoff_html.render_html(fake.result(fake.check_report(failing)))
    assert '<details class="check-group" open>\n  <summary><b>Enumerations</b>' in html


def test_html_escapes_hostile_text_everywhere():
    html = signoff_html.render_html(hostile_result())
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    assert "&#34;quoted&#34;" in html


def test_html_shows_every_section_a_release_owner_needs():
    html = signoff_html.render_html(fake.result())
    for text in ("Latency distribution of lookup_by_execution_id", "lookup_by_execution_id across data sizes",
                 "SEARCH receipts USING INDEX sqlite_autoindex_receipts_1", "Fake CPU @ 2.0GHz",
                 "THREADSAFE=1", fake.SHA, "0123456789abcdef0123456789abcdef01234567", "Signature", "Role",
                 "Every workload against its budget"):
        assert text in html, text


def test_html_with_baseline_shows_delta_columns_and_the_machine_warning():
    deltas = (Delta("lookup_by_execution_id", "10k", fake.comparison(1.5, regression=True, p_value=0.001)),)
    html = signoff_html.render_html(fake.result(baseline=fake.baseline(same_machine=False), deltas=deltas))
    assert "<th class=\"num\">Δ p50</th>" in html
    assert "REGRESSION 1.50x, p=0.001" in html
    assert "another machine" in html


# ----------------------------------------------------------------- charts
def test_charts_escape_labels_and_survive_empty_and_zero_rounds():
    series = [charts.Series(HOSTILE, (), 0.0, 0.0), charts.Series("10k", (0.0, 0.01, 5.0), 0.01, 5.0)]
    svg = charts.distribution_chart(HOSTILE, series, 1.0, "p99")
    points = [charts.ScalePoint(HOSTILE, 1000, 0.0, 0.0), charts.ScalePoint("10k", 10_000, 0.02, 0.05)]
    svg += charts.scaling_chart(HOSTILE, points, 1.0, "p99")
    svg += charts.headroom_chart(HOSTILE, [charts.HeadroomPoint(HOSTILE, "10k", 0.0, FAIL)], ["10k"])
    assert "<script" not in svg
    assert "nan" not in svg.lower().replace("span", "")
    assert svg.count("&lt;script&gt;") >= 4


def test_distribution_chart_marks_the_budget_at_its_value():
    svg = charts.distribution_chart("t", [charts.Series("10k", (0.5, 1.0, 2.0), 1.0, 2.0)], 4.0, "p99")
    assert "budget p99 4 ms" in svg


@pytest.mark.parametrize(
    ("comparison", "text"),
    [
        (fake.comparison(1.5, regression=True, p_value=0.001), "REGRESSION 1.50x, p=0.001"),
        (fake.comparison(0.5, improvement=True, p_value=0.001), "faster 0.50x, p=0.001"),
        (fake.comparison(1.1, p_value=0.001), "within threshold 1.10x, p=0.001"),
        (fake.comparison(1.6, p_value=0.3), "not significant 1.60x, p=0.3"),
    ],
)
def test_comparison_text_separates_significance_from_size(comparison, text):
    assert signoff_view.comparison_text(comparison) == text


@pytest.mark.parametrize(("ms", "text"), [(0.0183, "18.3 µs"), (1.4, "1.4 ms"), (1340.0, "1.34 s"),
                                          (math.nan, "n/a"), (None, "n/a")])
def test_format_ms_picks_the_readable_unit(ms, text):
    assert charts.format_ms(ms) == text


def test_the_renderers_need_only_the_records_not_the_signoff_that_produces_them():
    import subprocess
    import sys

    code = ("import sys\n"
            "from harness.reports import junit, bench_table, signoff_html, signoff_json, signoff_junit\n"
            "from harness.reports import signoff_markdown, signoff_text, signoff_view\n"
            "print(sorted(m for m in sys.modules if m in ('harness.signoff', 'harness.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
