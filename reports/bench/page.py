"""Writes ``docs/benchmarks.rst`` from the bench's JSON and a Jinja template.

All of the page's words are in the template (``page_template.rst``): its
sections, the summary table's rows and targets, and the sentences that
depend on the figures (Jinja ``if`` blocks). This module only hands the
template the figures, the machine and the one table writer
(:mod:`reports.rst`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from reports import fingerprint, machine, rst
from reports.bench import ROOT

TEMPLATE = Path(__file__).with_name("page_template.rst")
# The code and pins whose change makes the page stale (make results-check):
# the bench, the report tools it uses, the package modules it runs, and the
# pins. Timings are not checked: a page is stale when its code changed.
INPUTS = (
    "reports/bench/*.py",
    "reports/bench/page_template.rst",
    "reports/machine.py",
    "reports/rst.py",
    "src/lr_scheduling/__init__.py",
    "src/lr_scheduling/schedules/*.py",
    "src/lr_scheduling/range_test.py",
    "src/lr_scheduling/_range_sweep.py",
    "src/lr_scheduling/train.py",
    "src/lr_scheduling/baseline.py",
    "src/lr_scheduling/model.py",
    "src/lr_scheduling/data.py",
    "requirements.txt",
)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


def met(value: float, op: str | None, target: float | None) -> bool | None:
    """Whether ``value op target`` holds; None for a figure with no target."""
    if op is None or target is None:
        return None
    return _COMPARE[op](value, target)


def missed(results: dict[str, Any], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The keys of the template's summary rows whose targets this run missed."""
    return [
        key
        for key, _, _, op, target in rows
        if key in results and met(results[key], op, target) is False
    ]


def _verdict(value: float, form: str, op: str | None, target: float | None) -> str:
    outcome = met(value, op, target)
    if outcome is None:
        return ""
    if outcome:
        return "met"
    assert target is not None
    if op == "==" or target == 0:
        return f"**missed**: {form.format(value)}"
    return f"**missed** by {abs(value - target) / abs(target) * 100:.0f} %"


def summary_table(results: dict[str, Any], rows: Sequence[Sequence[Any]]) -> str:
    """The summary: one line per template row ``(key, what, form, op, target)``
    whose key this run measured."""
    body = []
    for key, what, form, op, target in rows:
        if key not in results:
            continue
        value = results[key]
        target_text = "(reported)" if op is None else f"{op} {form.format(target)}"
        body.append(
            [
                f"``{key}``",
                what,
                form.format(value),
                target_text,
                _verdict(value, form, op, target),
            ]
        )
    header = ["Key", "Figure", "Value", "Target", "Met"]
    return rst.list_table(header, body, widths=[26, 38, 10, 12, 14])


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int] | None = None,
) -> str:
    """:func:`reports.rst.list_table`, for the template."""
    return rst.list_table(header, rows, widths=widths)


def render(results: dict[str, Any]) -> str:
    """The page for ``results`` (what ``_build/bench.json`` holds)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,  # a missing figure fails loudly
        keep_trailing_newline=True,
        autoescape=False,  # rST, not HTML
    )
    environment.globals.update(
        summary_table=summary_table,
        missed=missed,
        table=table,
        machine_bullets=machine.bullets,
        fingerprint_comment=fingerprint.comment(ROOT, INPUTS),
    )
    return environment.get_template(TEMPLATE.name).render(r=results)
