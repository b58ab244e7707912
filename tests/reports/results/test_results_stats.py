"""Divergence, the validation choice and the verdict rule, on numbers worked by hand."""

import numpy as np

from reports.results.runs import Classifier, Curves, LanguageModel
from reports.results.stats import diverged, pick_best_fixed, row, verdict

ACCURACY, BITS = Classifier(None), LanguageModel(None, context=8)


def curves(val, test=None, loss=None):
    val = np.asarray(val, np.float32)
    test = val if test is None else np.asarray(test, np.float32)
    return Curves(np.ones_like(val) if loss is None else np.asarray(loss), val, test)


def test_diverged_runs_are_non_finite_or_failed():
    accuracy = curves(
        [[0.5, 0.9], [0.5, 0.15], [0.5, 0.9]], loss=[[1, 1], [1, 1], [1, np.nan]]
    )
    assert diverged(ACCURACY, accuracy).tolist() == [False, True, True]
    bits = curves([[3.0, 2.0], [3.0, 9.0], [3.0, np.nan]])
    assert diverged(BITS, bits).tolist() == [False, True, True]


def test_best_fixed_is_the_best_clean_median_on_validation():
    finals = [
        np.array([0.8, 0.9, 0.85]),
        np.array([0.99, 0.1, 0.99]),
        np.array([0.86, 0.86, 0.7]),
    ]
    flags = [np.zeros(3, bool), np.array([False, True, False]), np.zeros(3, bool)]
    assert pick_best_fixed(ACCURACY, finals, flags) == 2  # 0.86 > 0.85; 1 diverged
    bits = [np.array([2.0, 2.1]), np.array([1.9, 2.0])]
    assert pick_best_fixed(BITS, bits, [np.zeros(2, bool)] * 2) == 1
    tie = [np.array([0.5]), np.array([0.5])]
    assert pick_best_fixed(ACCURACY, tie, [np.zeros(1, bool)] * 2) == 0


def test_row_leaves_diverged_seeds_out_and_reads_the_fractions():
    test = [
        [0.2, 0.5, 0.6, 0.9],
        [0.3, 0.6, 0.7, 0.8],
        [0.1, 0.1, 0.1, 0.1],
        [0.2, 0.4, 0.5, 0.7],
    ]
    found = row("x", (0, 1, 2, 3), curves(test), np.array([False, False, True, False]))
    assert found.failed == (False, False, True, False) and found.diverged_count == 1
    assert np.isnan(found.test[2])
    assert (found.median, found.low, found.high) == (
        np.float32(0.8).item(),
        np.float32(0.7).item(),
        np.float32(0.9).item(),
    )
    np.testing.assert_allclose(found.at_fractions, (0.2, 0.5, 0.8), rtol=1e-6)


def make(values, failed=None):
    values = np.asarray(values, np.float32)[:, None]
    flags = np.zeros(len(values), bool) if failed is None else np.asarray(failed)
    return row("x", tuple(range(len(values))), curves(values), flags)


def test_verdicts_call_a_difference_only_when_ranges_separate():
    reference = make([0.90, 0.91, 0.92, 0.93, 0.94])
    assert verdict(reference, make([0.95, 0.96, 0.95, 0.97, 0.99]), True) == "better"
    assert verdict(reference, make([0.80, 0.85, 0.89, 0.88, 0.7]), True) == "worse"
    # Medians far apart, ranges touching: not called.
    assert (
        verdict(reference, make([0.94, 0.99, 0.99, 0.99, 0.99]), True)
        == "not distinguishable"
    )
    failed = make([0.99, 0.99, 0.1, 0.99, 0.99], [False, False, True, False, False])
    assert verdict(reference, failed, True) == "diverged"
    # Bits per byte: lower is better.
    bits = make([2.0, 2.1, 2.05, 2.02, 2.08])
    assert verdict(bits, make([1.8, 1.9, 1.85, 1.95, 1.7]), False) == "better"
    assert verdict(bits, make([2.2, 2.3, 2.25, 2.15, 2.4]), False) == "worse"
