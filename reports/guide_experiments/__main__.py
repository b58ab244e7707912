"""``python -m reports.guide_experiments`` (``make guide-experiments``).

Runs the warmup and batch-size sweeps of the how-tos ``howtos/warmup`` and
``howtos/batch_size`` and writes, next to this file, ``warmup.json``,
``batch_size.json``, their figures and tables, which the pages include.
``--replot`` redraws the figures and tables from the JSON files.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable
from pathlib import Path

from reports.guide_experiments import batch_size, warmup
from reports.guide_experiments.common import digits

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--only", choices=("warmup", "batch_size"))
    parser.add_argument(
        "--replot",
        action="store_true",
        help="redraw the figures and tables from the JSON files, training nothing",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data = None if args.replot else digits()
    if args.only in (None, "warmup"):
        if data is not None:
            result = timed(lambda: warmup.run(data, warmup.WarmupSweep()))
            write(result, args.out, "warmup")
        result = json.loads((args.out / "warmup.json").read_text())
        write_csv(warmup.table(result), args.out / "warmup.csv")
        warmup.plot(result, args.out / "warmup.png")
        warmup.plot_curves(result, args.out / "warmup_curves.png", 0.1, 0.999)
    if args.only in (None, "batch_size"):
        if data is not None:
            result = timed(lambda: batch_size.run(data, batch_size.BatchSweep()))
            write(result, args.out, "batch_size")
        result = json.loads((args.out / "batch_size.json").read_text())
        for metric in ("train_loss", "test_accuracy"):
            rows = batch_size.table(result, metric)
            write_csv(rows, args.out / f"batch_size_{metric}.csv")
        batch_size.plot(result, args.out / "batch_size.png")


def timed(run: Callable[[], dict]) -> dict:
    """The sweep's result, with its wall time in seconds in its setup."""
    started = time.perf_counter()
    result = run()
    result["setup"]["wall_seconds"] = round(time.perf_counter() - started)
    return result


def write(result: dict, out: Path, name: str) -> None:
    (out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out / name}.json ({result['setup']['wall_seconds']} s)")


def write_csv(rows: list[list[str]], path: Path) -> None:
    """The page's table (``csv-table :file:``)."""
    with path.open("w", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    main()
