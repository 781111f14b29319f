"""The checks as static HTML that reads well with no network: one page per run plus an index.

GX's own Data Docs load their CSS and JavaScript from CDNs (offline the index renders empty) and show
the checks' internal columns. These pages are self-contained (inline CSS, no script, no external
URL), name each column as the stream declares it (the cast check on ``_uncastable_BIRTHDATE`` is
"values cast to the declared type" on ``BIRTHDATE``), and live next to the warehouse they describe,
so the demo and the project each have their own.
"""

from __future__ import annotations

import datetime
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.quality.queries import UNCASTABLE_PREFIX

if TYPE_CHECKING:
    from streamduck.quality.runner import ExpectationOutcome, StreamResult

__all__ = ["RUNS_KEPT", "run_page", "write_report"]

RUNS_KEPT = 200
"""Runs listed on the index (and kept as pages); older pages are removed."""

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.8rem 0 .4rem}
.meta{color:#5b6475;margin:0 0 1rem}a{color:#1a5fb4}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #dde1e8;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1e7b34;font-weight:600}.failed{color:#b3261e;font-weight:600}
code{background:#f3f5f8;padding:0 .25rem;border-radius:3px}
"""


def run_page(run_id: str) -> str:
    """The page of one run, relative to the report folder."""
    return f"runs/{run_id}.html"


def write_report(
    report_dir: Path,
    run_id: str,
    checked_at: datetime.datetime,
    results: list[StreamResult],
    warehouse: str,
) -> Path:
    """Write the run's page and refresh the index; returns the run's page."""
    runs_dir = report_dir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    page = report_dir / run_page(run_id)
    page.write_text(_run_html(run_id, checked_at, results, warehouse), encoding="utf-8")
    entries = _remember(report_dir, run_id, checked_at, results)
    (report_dir / "index.html").write_text(_index_html(entries, warehouse), encoding="utf-8")
    return page


def _remember(
    report_dir: Path, run_id: str, checked_at: datetime.datetime, results: list[StreamResult]
) -> list[dict[str, Any]]:
    """Add the run to ``runs.json`` (newest first), forgetting and deleting runs beyond RUNS_KEPT."""
    index = report_dir / "runs.json"
    entries = json.loads(index.read_text(encoding="utf-8")) if index.exists() else []
    entries.insert(
        0,
        {
            "run_id": run_id,
            "checked_at": checked_at.isoformat(timespec="seconds"),
            "streams": [r.view for r in results],
            "passed": sum(1 for r in results for o in r.outcomes if o.success),
            "failed": sum(1 for r in results for o in r.outcomes if not o.success),
        },
    )
    for old in entries[RUNS_KEPT:]:
        (report_dir / run_page(old["run_id"])).unlink(missing_ok=True)
    entries = entries[:RUNS_KEPT]
    index.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return entries


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _status(ok: bool) -> str:
    return '<span class="ok">passed</span>' if ok else '<span class="failed">FAILED</span>'


def _run_html(run_id: str, checked_at: datetime.datetime, results: list[StreamResult], warehouse: str) -> str:
    passed = sum(1 for r in results for o in r.outcomes if o.success)
    total = sum(len(r.outcomes) for r in results)
    parts = [
        '<p><a href="../index.html">All runs</a></p>',
        f"<h1>Quality checks: {_status(passed == total)}</h1>",
        f'<p class="meta">Run <code>{html.escape(run_id)}</code> at {checked_at:%Y-%m-%d %H:%M:%S %Z} on '
        f"<code>{html.escape(warehouse)}</code>: {passed} of {total} expectations passed.</p>",
    ]
    for result in results:
        ok = sum(1 for o in result.outcomes if o.success)
        parts.append(
            f"<h2>{html.escape(result.view)} {_status(result.success)}</h2>"
            f'<p class="meta">{result.rows} rows, {ok} of {len(result.outcomes)} expectations passed</p>'
            "<table><tr><th>column</th><th>expectation</th><th>result</th>"
            '<th class="num">unexpected</th><th class="num">%</th><th>examples</th></tr>'
        )
        parts += [_outcome_row(o) for o in sorted(result.outcomes, key=lambda o: o.success)]
        parts.append("</table>")
    return _document(f"Quality checks {run_id}", "".join(parts))


def _outcome_row(outcome: ExpectationOutcome) -> str:
    column, expectation = _readable(outcome)
    detail = html.escape(outcome.error) if outcome.error else html.escape(_arguments(outcome))
    examples = ", ".join(
        html.escape(json.dumps(v, default=str, ensure_ascii=False)) for v in outcome.sample[:5]
    )
    counted = outcome.element_count > 0  # column existence counts no values
    return (
        f"<tr><td>{html.escape(column or '')}</td><td>{html.escape(expectation)}"
        f"{'<br><small>' + detail + '</small>' if detail else ''}</td><td>{_status(outcome.success)}</td>"
        f'<td class="num">{f"{outcome.unexpected_count} of {outcome.element_count}" if counted else "-"}</td>'
        f'<td class="num">{f"{outcome.unexpected_percent:.2f}" if counted else "-"}</td><td>{examples}</td></tr>'
    )


def _readable(outcome: ExpectationOutcome) -> tuple[str | None, str]:
    """The column as declared and the expectation in words; the cast check names its real column."""
    column = outcome.column
    if column and column.startswith(UNCASTABLE_PREFIX):
        return column[len(UNCASTABLE_PREFIX) :], "values cast to the declared type"
    return column, outcome.expectation.removeprefix("expect_").replace("_", " ")


def _arguments(outcome: ExpectationOutcome) -> str:
    """The expectation's own arguments (regex, bounds, ...), without the column."""
    kwargs = dict(outcome.gx_config.get("kwargs", {})) if outcome.gx_config else {}
    kwargs.pop("column", None)
    kwargs.pop("batch_id", None)
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def _index_html(entries: list[dict[str, Any]], warehouse: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{run_page(e["run_id"])}">{html.escape(e["checked_at"])}</a></td>'
        f'<td>{_status(e["failed"] == 0)}</td><td class="num">{e["passed"]}</td>'
        f'<td class="num">{e["failed"]}</td><td>{html.escape(", ".join(e["streams"]))}</td></tr>'
        for e in entries
    )
    body = (
        f'<h1>Quality checks</h1><p class="meta">Warehouse <code>{html.escape(warehouse)}</code>, '
        f"newest run first (the last {RUNS_KEPT} are kept).</p>"
        '<table><tr><th>checked at</th><th>result</th><th class="num">passed</th>'
        f'<th class="num">failed</th><th>streams</th></tr>{rows}</table>'
    )
    return _document("Quality checks", body)
