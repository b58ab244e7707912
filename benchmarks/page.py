"""Writes ``docs/benchmarks.rst`` from the bench's JSON and a template.

The template (``page_template.rst``) holds the prose; this module fills in
the tables, the machine, and the sentences whose wording depends on the
figures (which side was faster, which targets were missed and by how much).
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.machine import bullets

TEMPLATE = Path(__file__).with_name("page_template.rst")

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Row:
    """One line of the summary table: a key of the JSON and its target."""

    key: str
    form: str  # str.format pattern of the value
    what: str  # what the figure is, in words
    op: str | None = None  # "<=", ">=", "==" or None: reported, no target
    target: float | None = None

    def met(self, value: float) -> bool | None:
        if self.op is None or self.target is None:
            return None
        return _COMPARE[self.op](value, self.target)

    def target_text(self) -> str:
        if self.op is None:
            return "(reported)"
        return f"{self.op} {self.form.format(self.target)}"

    def verdict(self, value: float) -> str:
        met = self.met(value)
        if met is None:
            return ""
        if met:
            return "met"
        assert self.target is not None
        if self.op == "==":
            return f"**missed**: {self.form.format(value)}"
        if self.target == 0:
            return "**missed**"
        missed_by = abs(value - self.target) / abs(self.target) * 100
        return f"**missed** by {missed_by:.0f} %"


ROWS = [
    Row(
        "schedule_overhead_ratio",
        "{:.3f}",
        "Training step with the triangular schedule / with a constant rate",
        "<=",
        1.02,
    ),
    Row(
        "compiles_per_training_run",
        "{:.0f}",
        "Compilations of ``train_step`` in one ``train_and_evaluate``",
        "==",
        1,
    ),
    Row(
        "recompiles_on_repeat_run",
        "{:.0f}",
        "Compilations (of anything) in a second, equal ``train_and_evaluate``",
        "==",
        0,
    ),
    Row(
        "closed_form_vs_optax_join_speedup_n10",
        "{:.1f}x",
        "Evaluation, ``optax.join_schedules`` / closed form, 10 cycles",
    ),
    Row(
        "closed_form_vs_optax_join_speedup_n100",
        "{:.1f}x",
        "The same, 100 cycles",
        ">=",
        5,
    ),
    Row(
        "closed_form_vs_optax_join_speedup_n1000",
        "{:.0f}x",
        "The same, 1000 cycles",
    ),
    Row(
        "closed_form_eval_n1000_over_n10",
        "{:.2f}",
        "Closed form's evaluation time, 1000 cycles / 10 cycles (flat: ~1)",
        "<=",
        1.5,
    ),
    Row(
        "train_images_per_second",
        "{:.0f}",
        "Training, 28x28x1 images per second (batches of 128)",
    ),
    Row(
        "train_percent_of_peak",
        "{:.1f} %",
        "Training FLOP/s as a share of the float32 matmul peak",
    ),
    Row(
        "train_throughput_vs_defaults",
        "{:.2f}x",
        "Training speed, the settings shipped (JAX's defaults) / JAX's defaults",
        ">=",
        2,
    ),
    Row(
        "ynn_off_vs_defaults_batch128",
        "{:.2f}x",
        "The proposed flag (YNNPACK off) / defaults, 28x28, batches of 128",
    ),
    Row(
        "ynn_off_vs_defaults_batch32",
        "{:.2f}x",
        "The same, 28x28, batches of 32",
    ),
    Row(
        "ynn_off_vs_defaults_digits",
        "{:.2f}x",
        "The same, the guide's 8x8 digits, batches of 32",
    ),
    Row(
        "scan_epoch_speedup",
        "{:.2f}x",
        "Epoch speed, ``lax.scan`` / Python loop",
    ),
    Row("doctest_seconds", "{:.1f} s", "Clean ``make doctest``, empty JAX cache"),
    Row(
        "doctest_warm_over_cold",
        "{:.2f}",
        "Clean doctest build with the JAX cache warm / cold",
        "<=",
        0.6,
    ),
    Row(
        "html_seconds",
        "{:.1f} s",
        "Clean ``make html``, empty JAX cache",
        "<=",
        8,
    ),
    Row(
        "html_noop_seconds",
        "{:.1f} s",
        "``make html`` again, nothing changed",
        "<=",
        3,
    ),
]

# Why a target is missed, shown only when it is.
MISSED_REASONS = {
    "schedule_overhead_ratio": (
        "The schedule adds a handful of scalar operations to a step of "
        "thousands; a ratio above the target is more likely noise from other "
        "work on the machine than the schedule (the median of {reps} "
        "interleaved repetitions)."
    ),
    "compiles_per_training_run": (
        "Something in ``train_and_evaluate`` makes ``train_step`` compile "
        "again within one run: see ``compiled_on_repeat_run`` in the JSON."
    ),
    "recompiles_on_repeat_run": (
        "A second run with equal settings compiled: {compiled}."
    ),
    "closed_form_vs_optax_join_speedup_n100": (
        "At 100 cycles the join's work per step is still small next to the "
        "cost of calling a compiled function at all."
    ),
    "closed_form_eval_n1000_over_n10": (
        "The closed form does the same work for any number of cycles; a "
        "ratio above the target is noise."
    ),
    "train_throughput_vs_defaults": (
        "The guide ships JAX's defaults, so this is 1 by definition. The flag "
        "proposed for it, ``{candidate_flags}`` (XLA's YNNPACK fusions off), "
        "against the defaults: {candidate_effect}. No XLA flag tried reaches "
        "2x; the section on training speed says why the flag is not shipped "
        "and where the limit is."
    ),
    "doctest_warm_over_cold": (
        "The persistent cache saves compilations, not training: what remains "
        "of a warm build is mostly the guide's training runs themselves and "
        "Sphinx."
    ),
    "html_seconds": (
        "A clean build from nothing runs the notebook pages in a Jupyter "
        "kernel and every figure's code, training included, and compiles "
        "their JAX functions from an empty cache. With the caches that a "
        "first build leaves in ``_build`` (executed notebooks, figures and "
        "their results, compilations), the same build from no output and no "
        "doctrees took {html_warm_caches_seconds:.1f} s."
    ),
    "html_noop_seconds": (
        "Sphinx starts and loads every extension (the theme, myst-nb, "
        "matplotlib, JAX through the package) even when nothing changed."
    ),
}


def _table(header: list[str], rows: list[list[str]], widths: str) -> str:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            lines.append(("   * - " if i == 0 else "     - ") + (cell or ""))
    return "\n".join(lines)


def summary_table(results: dict[str, Any]) -> str:
    rows = []
    for row in ROWS:
        if row.key not in results:
            continue
        value = results[row.key]
        rows.append(
            [
                f"``{row.key}``",
                row.what,
                row.form.format(value),
                row.target_text(),
                row.verdict(value),
            ]
        )
    return _table(["Key", "Figure", "Value", "Target", "Met"], rows, "26 38 10 12 14")


def missed(results: dict[str, Any]) -> list[str]:
    return [
        row.key
        for row in ROWS
        if row.key in results and row.met(results[row.key]) is False
    ]


def missed_text(results: dict[str, Any]) -> str:
    keys = missed(results)
    if not keys:
        return "Every target in the table is met in this run."
    lines = ["Targets missed in this run, and why:", ""]
    fields = {
        "reps": results.get("schedule_overhead_repetitions", "the"),
        "compiled": ", ".join(results.get("compiled_on_repeat_run", [])) or "?",
        "candidate_flags": results.get("candidate_flags", ""),
        "candidate_effect": candidate_effect(results),
        "html_warm_caches_seconds": results.get("html_warm_caches_seconds", 0),
    }
    for key in keys:
        reason = MISSED_REASONS.get(key, "").format(**fields)
        lines.append(f"* ``{key}``: {reason}")
    return "\n".join(lines)


def closed_form_table(results: dict[str, Any]) -> str:
    rows = []
    for cycles in (10, 100, 1000):
        n = f"_n{cycles}"
        if "closed_form_eval_us" + n not in results:
            continue
        rows.append(
            [
                str(cycles),
                f"{results['optax_join_compile_seconds' + n]:.2f} s",
                f"{results['closed_form_compile_seconds' + n]:.3f} s",
                f"{results['optax_join_eval_us' + n]:.0f} µs",
                f"{results['closed_form_eval_us' + n]:.0f} µs",
                f"{results['closed_form_vs_optax_join_max_difference' + n]:.1e}",
            ]
        )
    return _table(
        [
            "Cycles",
            "Compile, join",
            "Compile, closed form",
            "Evaluate, join",
            "Evaluate, closed form",
            "Largest difference",
        ],
        rows,
        "10 18 18 18 18 18",
    )


def profile_table(results: dict[str, Any], side: str) -> str:
    rows = []
    for entry in results.get(f"profile_{side}", {}).get("top_ops", []):
        source = entry["source"].replace("jit(train_step)/", "")
        rows.append(
            [
                f"``{entry['op']}``",
                f"``{entry.get('kind', '')}``",
                f"``{source}``" if source else "",
                f"{entry['ms_per_step']:.2f}",
                f"{100 * entry['share']:.0f} %",
            ]
        )
    return _table(
        ["XLA operation", "Computes", "From", "ms per step", "Share"],
        rows,
        "22 26 32 10 10",
    )


def batch_table(results: dict[str, Any]) -> str:
    sizes = results.get("images_per_second_by_batch_size", {})
    rows = [[size, f"{sizes[size]:.0f}"] for size in sorted(sizes, key=int)]
    return _table(["Batch size", "Images per second"], rows, "50 50")


def scan_text(results: dict[str, Any]) -> str:
    speedup = results["scan_epoch_speedup"]
    verdict = (
        f"ran {speedup:.2f}x as fast as the loop, so here the fused epoch wins"
        if speedup >= 1
        else f"ran at {speedup:.2f}x the speed of the loop: slower, so the guide "
        "keeps the loop"
    )
    text = f"The ``lax.scan`` epoch {verdict}."
    profile = results.get("scan_profile")
    step_convolutions = results.get("profile_defaults", {}).get("convolutions")
    if profile and step_convolutions:
        top = profile["top_ops"][0]
        text += (
            " Fusing the epoch saves only Python's dispatch of each step, "
            "microseconds against a step of milliseconds; but in the loop "
            "body XLA lays out the convolutions differently. The compiled "
            "single step has the convolutions "
            + ", ".join(f"``{c}``" for c in step_convolutions)
            + " (the weight gradient computed on transposed copies, in the "
            "fast layout); the scan's body has "
            + ", ".join(f"``{c}``" for c in profile["convolutions"])
            + f". In the scan's profile ``{top['op']}`` "
            f"(``{top['source'].split('jit(train_step)/')[-1]}``) takes "
            f"{100 * top['share']:.0f} % of the time, "
            f"{top['ms_per_step']:.1f} ms per step."
        )
    return text


def overhead_text(results: dict[str, Any]) -> str:
    ratio = results["schedule_overhead_ratio"]
    if abs(ratio - 1) <= 0.02:
        return f"so the ratio, {ratio:.3f}, is 1 within the noise of the machine."
    return (
        f"yet the ratio is {ratio:.3f}: more than the noise seen in other runs "
        "(within 2 %), so look again on a quiet machine."
    )


def compile_text(results: dict[str, Any]) -> str:
    if results["recompiles_on_repeat_run"] != 0:
        return (
            "The second run compiled "
            + ", ".join(f"``{name}``" for name in results["compiled_on_repeat_run"])
            + ": something it keys ``jax.jit``'s cache on no longer compares "
            "equal between runs."
        )
    sizes = results.get("train_step_cache_size_after_runs", [])
    text = (
        "The second run compiles nothing because everything ``jax.jit`` keys "
        "its cache on compares equal: the schedule is a frozen dataclass, so "
        "two made from equal numbers are equal; the optimizer is cached per "
        "schedule and momentum; and the model's ``apply`` is a method of one "
        "shared module object."
    )
    if sizes and sizes[0] != results["compiles_per_training_run"]:
        text += (
            " The jitted function's ``_cache_size()`` counts something else, "
            f"the entries of its dispatch cache: {sizes[0]} after the first run "
            f"and {sizes[-1]} after the second, as the very first step passes "
            "the step count as a Python ``int`` and every later one as an "
            "array, two entries for one compilation."
        )
    return text


def _speed(ratio: float) -> str:
    return f"{ratio:.2f}x ({'faster' if ratio > 1 else 'slower'})"


def candidate_effect(results: dict[str, Any]) -> str:
    """The proposed flag's effect on the three compared workloads, in words."""
    if "ynn_off_vs_defaults_batch128" not in results:
        return "(not measured)"
    return (
        f"{_speed(results['ynn_off_vs_defaults_batch128'])} on 28x28 batches "
        f"of 128, {_speed(results['ynn_off_vs_defaults_batch32'])} on batches "
        f"of 32, and {_speed(results['ynn_off_vs_defaults_digits'])} on the "
        "guide's own 8x8 digits"
    )


def decision_text(results: dict[str, Any]) -> str:
    """Why the guide ships JAX's defaults, from this run's comparisons."""
    labels = {
        "batch128": "28x28 batches of 128",
        "batch32": "28x28 batches of 32",
        "digits": "the guide's own digits",
    }
    slower = [
        label
        for name, label in labels.items()
        if results.get(f"ynn_off_vs_defaults_{name}", 1) < 1
    ]
    if slower:
        return (
            "So the guide ships JAX's defaults: the flag slows "
            + " and ".join(slower)
            + ". The Makefile sets no ``XLA_FLAGS``."
        )
    return (
        "In this run the flag was faster on all three; the guide ships JAX's "
        "defaults, as the flag slowed small batches and the digits when that "
        "was decided. The Makefile sets no ``XLA_FLAGS``."
    )


def ynn_off_top(results: dict[str, Any]) -> str:
    """The slowest operation with YNNPACK off, in words."""
    top_ops = results.get("profile_ynn_off", {}).get("top_ops", [])
    if not top_ops:
        return "the profile is missing"
    top = top_ops[0]
    text = (
        f"the slowest operation becomes ``{top['op']}`` (``{top['kind']}``, "
        f"{100 * top['share']:.0f} % of the time)"
    )
    if top["kind"].startswith("reduce-window") and top["kind"].endswith(",32]"):
        text += (
            ": the sum over the batch and the image that gives the convolution "
            "bias's gradient, which XLA splits into a reduce-window (for "
            "accuracy) and runs far slower than YNNPACK's reduction"
        )
    return text


def limit_text(results: dict[str, Any]) -> str:
    """Where the training step's time goes, with this run's figures."""
    machine = results["machine"]
    rates = results["images_per_second_by_batch_size"]
    step_ms = results["train_step_ms"]
    peak = results["matmul_peak_gflops_per_second"] * 1e9
    dense_ms = results["flops_share_dense"] * results["train_step_flops"] / peak * 1e3
    l2 = machine.get("caches_per_core", {}).get("L2", "?")
    bf16 = {"avx512_bf16", "amx_bf16"} & set(machine["vector_extensions"])
    small = max((size for size in rates if int(size) < 128), key=lambda s: rates[s])
    parts = [
        f"XLA counts {results['train_step_flops'] / 1e6:.0f} MFLOP per step: "
        f"{100 * results['flops_share_dense']:.0f} % are the three matmuls of "
        f"the first dense layer (6272 to 128 features) and "
        f"{100 * results['flops_share_conv']:.0f} % the convolution's two. At "
        f"the matmul peak the dense layer's share would take {dense_ms:.1f} ms "
        f"of the step's {step_ms:.1f} ms. The rest of the time is not "
        "arithmetic but memory: the convolution's output is a "
        f"{results['activation_megabytes']:.1f} MB float32 tensor "
        f"(128x28x28x32), several times a core's {l2} L2 cache, and the "
        "convolution itself (one input channel: 9 multiply-adds per value "
        "written), the bias add, the ReLU, the pooling, their gradients and "
        "the sum that gives the bias's gradient each stream it through memory; "
        "most of the largest entries in the profiles above are such passes.",
        f"The two cores were busy {results['cores_busy_percent_defaults']:.0f} % "
        "of the step's time with JAX's defaults "
        f"({results['cores_busy_percent_ynn_off']:.0f} % with YNNPACK off): many "
        "of the step's operations are small, or run on one thread while the "
        "other waits.",
        f"**Batch size.** Batches of {small} trained {rates[small]:.0f} images "
        f"per second against {rates['128']:.0f} at 128 (table below)"
        + (
            ": smaller batches keep more of their activations in cache."
            if rates[small] > rates["128"]
            else "."
        ),
        "**XLA flags.** With YNNPACK off, the convolution and matmuls go to "
        f"XLA's own emitters and Eigen, and {ynn_off_top(results)}. Against "
        f"the defaults: {candidate_effect(results)}. Other flags tried while "
        "writing the bench (oneDNN, Eigen single-threaded, XNNPACK graph "
        "fusion, YNNPACK fusions by kind, fast math) changed the step by 15 % "
        "or less in interleaved probes, within the noise of this shared "
        "machine.",
        f"**dtype.** bfloat16 parameters and images trained at "
        f"{_speed(results['bfloat16_vs_float32'])} the float32 speed: this CPU "
        + (
            "has bfloat16 instructions, "
            if bf16
            else "has no bfloat16 arithmetic (AVX512-BF16 or AMX), "
        )
        + (
            "and halving the bytes does not pay for the conversions."
            if results["bfloat16_vs_float32"] < 1
            else "and halving the bytes pays."
        ),
        "**Layouts** are XLA's choice (Flax's convolution is NHWC); for the "
        "weight gradient XLA transposes the images and the output gradient so "
        "that the convolution runs in its fast layout (the "
        "``transpose_copy_fusion`` entries), and where it does not, as inside "
        "``lax.scan`` below, that convolution is the slowest part of the step.",
    ]
    return "\n\n".join(parts)


def render(results: dict[str, Any]) -> str:
    fields = {
        key: (f"{value:.3g}" if isinstance(value, float) else str(value))
        for key, value in results.items()
        if not isinstance(value, dict | list)
    }
    fields.update(
        summary_table=summary_table(results),
        missed_text=missed_text(results),
        machine=bullets(results["machine"]),
        closed_form_table=closed_form_table(results),
        profile_defaults=profile_table(results, "defaults"),
        profile_ynn_off=profile_table(results, "ynn_off"),
        batch_table=batch_table(results),
        scan_text=scan_text(results),
        limit_text=limit_text(results),
        decision_text=decision_text(results),
        overhead_text=overhead_text(results),
        compile_text=compile_text(results),
        train_step_mflop=f"{results['train_step_flops'] / 1e6:.0f}",
        candidate_effect=candidate_effect(results),
    )
    return string.Template(TEMPLATE.read_text()).substitute(fields)
