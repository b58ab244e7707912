"""reports.machine: one describer for the bench and the results page."""

import json
import platform

import jax

from reports import machine


def test_describe_reports_this_process():
    described = machine.describe()
    json.dumps(described)  # JSON-ready: the bench writes it to _build/bench.json
    assert described["backend"] == jax.default_backend()
    assert described["device_count"] == len(jax.devices())
    assert described["versions"]["jax"] == jax.__version__
    assert described["versions"]["python"] == platform.python_version()
    assert described["cores"] >= 1
    assert described["cpu_model"]


def test_texts_name_the_figures():
    described = machine.describe() | {
        "cpu_model": "Some CPU",
        "cores": 2,
        "backend": "gpu",
        "device_kind": "NVIDIA H100",
        "device_count": 1,
        "versions": {"python": "3.11.2", "jax": "0.4.30"},
        "xla_flags": "",
        "load_average_at_start": 1.25,
        "load_average_at_end": 3.0,
    }
    assert machine.one_line(described) == (
        "Some CPU, 2 cores; JAX on 1 x NVIDIA H100 (GPU); "
        "Python 3.11.2, JAX 0.4.30; ``XLA_FLAGS`` unset"
    )
    text = machine.bullets(described)
    assert "* CPU: Some CPU, 2 cores" in text
    assert "load average (1 min) 1.2 at the start, 3.0 at the end" in text
    cpu = described | {"backend": "cpu", "xla_flags": "--xla_foo=1"}
    line = machine.one_line(cpu)
    assert "; JAX on the CPU;" in line
    assert line.endswith("; ``XLA_FLAGS=--xla_foo=1``")
