"""``python -m reports.bench``: measure, write ``_build/bench.json`` and the page.

``make bench`` runs this. ``--only PART ...`` measures some parts and merges
them into the existing JSON (handy while working on one); ``--render`` only
writes the page from the JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from reports.bench import ROOT

PARTS = (
    "compile_counts",
    "schedule_overhead",
    "closed_form",
    "range_test_speed",
    "throughput",
    "build_times",
)


def run_parts(parts: list[str]) -> dict[str, Any]:
    """Each part's ``measure()``, in order, with the seconds each took."""
    import jax

    # Compile for real: a persistent cache would hide compile times.
    jax.config.update("jax_enable_compilation_cache", False)
    results: dict[str, Any] = {}
    for part in parts:
        start = time.perf_counter()
        print(f"bench: {part} ...", file=sys.stderr, flush=True)
        results.update(importlib.import_module(f"reports.bench.{part}").measure())
        seconds = time.perf_counter() - start
        results.setdefault("part_seconds", {})[part] = seconds
        print(f"bench: {part} took {seconds:.0f} s", file=sys.stderr, flush=True)
    if "closed_form_eval_us_n1000" in results:
        results["closed_form_eval_n1000_over_n10"] = (
            results["closed_form_eval_us_n1000"] / results["closed_form_eval_us_n10"]
        )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reports.bench")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench.json")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "benchmarks.rst")
    parser.add_argument("--only", nargs="+", choices=PARTS)
    parser.add_argument("--render", action="store_true", help="only write the page")
    args = parser.parse_args(argv)

    from reports import machine
    from reports.bench import page

    if args.render:
        results = json.loads(args.json.read_text())
    else:
        start = time.perf_counter()
        results = {}
        if args.only and args.json.is_file():
            results = json.loads(args.json.read_text())
        results["machine"] = machine.describe()
        results.update(run_parts(args.only or list(PARTS)))
        results["machine"]["load_average_at_end"] = os.getloadavg()[0]
        if not args.only:
            results["bench_seconds"] = time.perf_counter() - start
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(f"bench: wrote {args.json}", file=sys.stderr)
    args.page.write_text(page.render(results))
    print(f"bench: wrote {args.page}", file=sys.stderr)


if __name__ == "__main__":
    main()
