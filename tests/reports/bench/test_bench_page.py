"""reports.bench.page: the template renders every figure into valid rST."""

import io

import pytest
from docutils.core import publish_doctree

from reports import machine
from reports.bench import page

MACHINE = {
    "cpu_model": "Some CPU",
    "cores": 2,
    "vector_extensions": ["avx2"],
    "caches_per_core": {"L2": "2048K"},
    "backend": "cpu",
    "device_kind": "cpu",
    "device_count": 1,
    "versions": {"python": "3.11.7", "jax": "0.10.2"},
    "xla_flags": "",
    "date": "2026-12-06 06:00 UTC",
    "load_average_at_start": 1.0,
    "load_average_at_end": 1.5,
}


def results(**changes):
    figures = {
        "machine": MACHINE,
        "schedule_overhead_ratio": 1.004,
        "schedule_step_us": 350.0,
        "constant_step_us": 348.6,
        "schedule_overhead_batch": "8x8x1 digits, batches of 32",
        "schedule_overhead_repetitions": 101,
        "schedule_overhead_steps": 40,
        "compile_count_epochs": 2,
        "compiles_per_training_run": 1,
        "most_compiles_of_one_function": 1,
        "compiles_first_run_all_functions": 12,
        "repeat_run_compiles_per_function": 1,
        "compiled_on_repeat_run": [],
        "baseline_compiles_per_training_run": 1,
        "baseline_repeat_run_compiles_per_function": 1,
        "closed_form_evaluated_steps": 65536,
        "range_test_repetitions": 5,
        "throughput_repetitions": 5,
        "doctest_seconds": 30.7,
        "doctest_warm_seconds": 17.8,
        "doctest_warm_over_cold": 0.58,
        "html_seconds": 7.5,
        "html_noop_seconds": 1.9,
        "html_warm_caches_seconds": 4.7,
        "bench_seconds": 300.0,
    }
    for n, speedup in ((10, 2.6), (100, 21.5), (1000, 3186.0)):
        figures |= {
            f"closed_form_vs_optax_join_speedup_n{n}": speedup,
            f"optax_join_compile_seconds_n{n}": 0.01 * n,
            f"closed_form_compile_seconds_n{n}": 0.02,
            f"optax_join_eval_us_n{n}": 100.0 * speedup,
            f"closed_form_eval_us_n{n}": 100.0,
            f"closed_form_vs_optax_join_max_difference_n{n}": 7.45e-9,
        }
    figures["closed_form_eval_n1000_over_n10"] = 0.98
    for name, batch in (
        ("digits", "8x8, batches of 32"),
        ("mnist_cnn", "28x28, batches of 128"),
    ):
        figures |= {
            f"range_test_vs_training_{name}": 1.05,
            f"range_test_step_ms_{name}": 1.05,
            f"training_step_ms_{name}": 1.0,
            f"range_test_steps_{name}": 100,
            f"range_test_batch_{name}": batch,
        }
    for name in ("digits", "guide_cnn_28x28", "mnist_cnn"):
        figures |= {
            f"train_images_per_second_{name}": 5158.0,
            f"train_step_ms_{name}": 24.8,
        }
    return figures | changes


def parse(text):
    """The doctree of ``text``; fails on any Docutils warning or error."""
    warnings = io.StringIO()
    tree = publish_doctree(
        text, settings_overrides={"warning_stream": warnings, "report_level": 2}
    )
    assert warnings.getvalue() == ""
    return tree


def test_every_target_met_renders_valid_rst():
    text = page.render(results())
    parse(text)
    assert "Every target in the table is met in this run." in text
    assert machine.bullets(MACHINE) in text
    assert "| 21.5x\n" in text.replace("     - ", "| ")  # the n100 speedup cell
    assert "so the ratio, 1.004, is 1 within" in text
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize(
    ("key", "value", "verdict", "reason"),
    [
        (
            "range_test_vs_training_mnist_cnn",
            1.5,
            "**missed** by 25 %",
            "the range test's step does a little more",
        ),
        (
            "repeat_run_compiles_per_function",
            2,
            "**missed**: 2",
            "a function compiled more than once in one run",
        ),
        ("html_seconds", 16.0, "**missed** by 100 %", "took 4.7 s."),
    ],
)
def test_a_missed_target_is_marked_and_explained(key, value, verdict, reason):
    changes = {key: value}
    if key == "repeat_run_compiles_per_function":
        changes["compiled_on_repeat_run"] = ["jit(train_step)"]
    text = page.render(results(**changes))
    parse(text)
    assert verdict in text
    assert "Targets missed in this run, and why:" in text
    assert f"* ``{key}``: " in text
    assert reason in " ".join(text.split())


def test_a_missing_figure_fails_loudly():
    figures = results()
    del figures["html_noop_seconds"]
    with pytest.raises(Exception, match="html_noop_seconds"):
        page.render(figures)
