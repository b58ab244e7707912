"""howtos/from_pytorch: every PyTorch | JAX pair gives the same rates.

The page's PyTorch panes are not run by ``make doctest`` (the site builds
without torch). Here both panes of every pair are read from the page source,
run in order as a reader's two scripts would run them (the PyTorch one with
the real torch 2.13), and compared: what each prints against the page's
output block, and the 400 rates (``rates``) value for value.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

PAGE = Path(__file__).resolve().parents[2] / "howtos" / "from_pytorch.rst"
SCHEDULERS = (
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "LinearLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ReduceLROnPlateau",
    "LambdaLR",
)
# The JAX side computes in float32. Its rates are within 1e-6 relative of
# PyTorch's float64 ones, or within two float32 units of the peak rate (2**-23
# of it): a cosine near its floor, 1 + cos(pi t / T), is known only to that
# absolute precision in float32.
RTOL, ATOL_OF_PEAK = 1e-6, 2.0**-23
# ExponentialLR: 0.99 in float32 is 1e-8 off, and optax raises it to the
# power of the count, so the relative error grows to count * 1e-8 (4e-6 at 400).
RTOL_EXPONENTIAL = 1e-5


@dataclass
class Pair:
    line: int
    torch_code: str
    jax_code: str
    output: str | None  # the page's output block after the pair, if any


def directive_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """The indented lines after line ``start`` (a directive), and where they end."""
    body, index = [], start + 1
    while index < len(lines) and (not lines[index].strip() or lines[index][0] == " "):
        body.append(lines[index])
        index += 1
    return body, index


def read_pairs(text: str) -> list[Pair]:
    lines = text.splitlines()
    pairs: list[Pair] = []
    for number, line in enumerate(lines):
        if line.startswith(".. codediff::"):
            body, _ = directive_body(lines, number)
            source = textwrap.dedent("\n".join(body))
            options = re.findall(r"^:(\w+):(.*)$", source, re.MULTILINE)
            if (":title_left:", " PyTorch") != (f":{options[0][0]}:", options[0][1]):
                continue
            code = re.sub(r"\A(?::\w+:.*\n)+", "", source.lstrip("\n"))
            torch_code, jax_code = re.split(r"^---$", code, flags=re.MULTILINE)
            pairs.append(Pair(number + 1, torch_code, jax_code, None))
        elif line.startswith(".. testoutput:: JAX") and pairs and not pairs[-1].output:
            # The first output block after a pair is what both of its panes print.
            body, _ = directive_body(lines, number)
            pairs[-1].output = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
    return pairs


PAIRS = read_pairs(PAGE.read_text())


def run(code: str, namespace: dict) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102
    return printed.getvalue()


@pytest.fixture(scope="module")
def both_sides() -> list[tuple[Pair, dict, dict, str, str]]:
    """Every pair run in page order, each side in its own namespace."""
    torch_side: dict = {"__name__": "__main__"}
    jax_side: dict = {"__name__": "__main__"}
    results = []
    for pair in PAIRS:
        torch_printed = run(pair.torch_code, torch_side)
        jax_printed = run(pair.jax_code, jax_side)
        results.append(
            (
                pair,
                dict(torch_side),
                dict(jax_side),
                torch_printed,
                jax_printed,
            )
        )
    return results


def test_the_page_maps_every_scheduler():
    shown = "".join(pair.torch_code for pair in PAIRS)
    missing = [name for name in SCHEDULERS if f"lr_scheduler.{name}(" not in shown]
    assert not missing
    assert len(PAIRS) >= 12  # the helpers, and a pair per scheduler


def test_both_sides_print_what_the_page_shows(both_sides):
    compared = 0
    for pair, _, _, torch_printed, jax_printed in both_sides:
        if pair.output is None:
            assert torch_printed == jax_printed == "", pair.line
            continue
        assert torch_printed == pair.output, f"line {pair.line}"
        assert jax_printed == pair.output, f"line {pair.line}"
        compared += 1
    assert compared == len(PAIRS) - 1  # all but the helpers print


def test_rates_agree_value_for_value(both_sides):
    for pair, torch_side, jax_side, _, _ in both_sides:
        if pair.output is None:
            continue
        expected = np.asarray(torch_side["rates"], dtype=np.float64)
        got = np.asarray(jax_side["rates"], dtype=np.float64)
        assert expected.shape == got.shape == (400,), f"line {pair.line}"
        exponential = "ExponentialLR" in pair.torch_code
        np.testing.assert_allclose(
            got,
            expected,
            rtol=RTOL_EXPONENTIAL if exponential else RTOL,
            atol=ATOL_OF_PEAK * np.abs(expected).max(),
            err_msg=f"the pair at line {pair.line}",
        )


def test_rates_are_not_trivially_equal(both_sides):
    """Each pair's rates change over the run, so agreeing means something."""
    for pair, torch_side, _, _, _ in both_sides:
        if pair.output is not None:
            assert len(set(torch_side["rates"])) > 2, f"line {pair.line}"


def test_a_wrong_mapping_is_caught():
    """The comparison fails for a near miss: Optax's own one-cycle schedule."""
    import jax.numpy as jnp
    import optax

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], 0.1, 0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=400)
    expected = []
    for _ in range(400):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    near_miss = optax.cosine_onecycle_schedule(400, 0.1)
    got = np.array([float(near_miss(jnp.int32(k))) for k in range(400)])
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(
            got, expected, rtol=RTOL, atol=ATOL_OF_PEAK * max(expected)
        )
