"""Render a ``validate_package`` report as terminal text, JSON or a self-contained HTML page.

The JSON is the report dict itself (structure in ``validation/koreanap_validation/README.md``).
Text and HTML group errors by rule, with counts and the first examples;
every value shown is the masked one the engine put in the report.
"""
from __future__ import annotations

import html
from collections import OrderedDict

from .engine import report_to_json

FORMATS = ("text", "json", "html")


def _grouped(report: dict) -> OrderedDict[str, list[dict]]:
    groups: OrderedDict[str, list[dict]] = OrderedDict()
    for error in report["errors"]:
        groups.setdefault(error["rule"], []).append(error)
    return groups


def _where(error: dict) -> str:
    parts = []
    if error.get("resource"):
        parts.append(f'resource "{error["resource"]}"')
    if error.get("row") is not None:
        parts.append(f'row {error["row"]}')
    if error.get("field"):
        parts.append(f'field "{error["field"]}"')
    return ", ".join(parts) or "package"


def summary_line(report: dict) -> str:
    """One line: VALID/INVALID, errors and rules, resources and rows read."""
    resources = report["resources"]
    rows = sum(r["rows"] or 0 for r in resources)
    where = f"{len(resources)} resource{'s' if len(resources) != 1 else ''}, {rows:,} rows read"
    notes = len(report["notes"])
    tail = f", {notes} note{'s' if notes != 1 else ''}" if notes else ""
    if report["valid"]:
        return f"VALID: no errors ({where}{tail})"
    errors, rules = len(report["errors"]), len(report["counts"])
    partial = [r["name"] for r in resources if r.get("partial")]
    more = f"; stopped early in {', '.join(partial)}" if partial else ""
    return (f"INVALID: {errors:,} error{'s' if errors != 1 else ''} in {rules} "
            f"rule{'s' if rules != 1 else ''} ({where}{tail}{more})")


def render_text(report: dict, *, source: str = "", max_examples: int = 5) -> str:
    """The terminal report: errors grouped by rule, first examples, notes, summary."""
    lines = [f"koreanap validate {source}".rstrip(), ""]
    for rule, errors in _grouped(report).items():
        lines.append(f"{rule}: {len(errors):,} error{'s' if len(errors) != 1 else ''}")
        for error in errors[:max_examples]:
            value = f' value "{error["value"]}"' if error.get("value") not in (None, "") else ""
            lines.append(f"  - {_where(error)}:{value}")
            lines.append(f"      {error['message']}")
            if error.get("fix"):
                lines.append(f"      fix: {error['fix']}")
        if len(errors) > max_examples:
            lines.append(f"  … and {len(errors) - max_examples:,} more")
        lines.append("")
    if report["notes"]:
        lines.append("notes:")
        for note in report["notes"]:
            who = f'resource "{note["resource"]}": ' if note.get("resource") else ""
            lines.append(f"  - {who}{note['message']}")
        lines.append("")
    lines.extend(_metadata_lines(report.get("metadata")))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _metadata_lines(found: dict | None) -> list[str]:
    if not found:
        return []
    if "error" in found:
        return ["metadata (DCAT, SHACL, score):", f"  - {found['error']}", ""]
    score = found["score"]
    state = "conforms" if found["conforms"] else "does not conform"
    lines = [f"metadata: DCAT {state} to the shapes; score {score['total']}/{score['max']} "
             f"({score['band']})"]
    for result in found["results"]:
        lines.append(f"  - {result['severity']}: {result['path'] or result['focus']}: "
                     f"{result['message']}")
    for indicator in score["indicators"]:
        if indicator["points"] < indicator["max"]:
            lines.append(f"  - score {indicator['id']} {indicator['points']}/"
                         f"{indicator['max']}: {indicator['why']}")
            if indicator.get("how"):
                lines.append(f"      raise it: {indicator['how']}")
    lines.append("")
    return lines


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.valid{color:#176b2c}.invalid{color:#a31515}
code{white-space:pre-wrap;word-break:break-all}"""


def render_html(report: dict, *, source: str = "", max_examples: int = 5) -> str:
    """A self-contained HTML page (no scripts, no external files); every value escaped."""
    e = html.escape
    state = "valid" if report["valid"] else "invalid"
    out = ["<!DOCTYPE html>", '<html lang="ko"><head><meta charset="utf-8">',
           f"<title>koreanap validate {e(source)}</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>koreanap validate <code>{e(source)}</code></h1>",
           f'<p class="{state}"><strong>{e(summary_line(report))}</strong></p>']
    for rule, errors in _grouped(report).items():
        out.append(f"<h2>{e(rule)} ({len(errors):,})</h2>")
        out.append("<table><tr><th>resource</th><th>row</th><th>field</th>"
                   "<th>value</th><th>message</th></tr>")
        for error in errors[:max_examples]:
            cells = [error.get("resource"), error.get("row"), error.get("field"),
                     error.get("value"), error.get("message")]
            out.append("<tr>" + "".join(
                f"<td><code>{e('' if c is None else str(c))}</code></td>" for c in cells)
                + "</tr>")
        out.append("</table>")
        if len(errors) > max_examples:
            out.append(f"<p>… and {len(errors) - max_examples:,} more</p>")
    if report["notes"]:
        out.append("<h2>notes</h2><ul>")
        for note in report["notes"]:
            who = f'{note["resource"]}: ' if note.get("resource") else ""
            out.append(f"<li>{e(who + note['message'])}</li>")
        out.append("</ul>")
    found = report.get("metadata")
    if found:
        out.append("<h2>metadata</h2><ul>")
        out.extend(f"<li>{e(line.strip())}</li>" for line in _metadata_lines(found) if line)
        out.append("</ul>")
    out.append("<h2>resources</h2><table><tr><th>name</th><th>path</th><th>encoding</th>"
               "<th>rows</th><th>checked</th></tr>")
    for res in report["resources"]:
        path = res["path"] if isinstance(res["path"], str) else str(res["path"])
        cells = [res["name"], path, res["encoding"], res["rows"], res["checked"]]
        out.append("<tr>" + "".join(
            f"<td>{e('' if c is None else str(c))}</td>" for c in cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


def render(report: dict, fmt: str, *, source: str = "", max_examples: int = 5) -> str:
    """The report in ``fmt`` (``text``, ``json`` or ``html``)."""
    if fmt == "json":
        return report_to_json(report) + "\n"
    if fmt == "html":
        return render_html(report, source=source, max_examples=max_examples)
    return render_text(report, source=source, max_examples=max_examples)
