"""Copy buttons copy exactly the code: clicked in the browser, read back from
the clipboard."""

import pytest
from sitetools import site_snapshot

from .harness import click_every_copy_button, output_block_texts

# tests/roots/test-browser-copy/index.rst, button by button, as written there
# less the #! markers and the doctest prompts and output.
ROOT_COPIES = [
    "import optax\n...  # the model, as before\ntx = optax.sgd(0.05)",
    "import optax\n...  # the model, as before\n"
    "schedule = optax.linear_schedule(0.1, 0.01, transition_steps=100)\n"
    "tx = optax.sgd(schedule)",
    "total = 0\nfor value in [1, 2, 3]:\n    total += value\nprint(total)",
    "total = sum([1, 2, 3])\nprint(total)",
    "def train_step(state, batch):\n    ...\n\n...",
    "def double(x):\n    # a comment line inside the function\n"
    "    return 2 * x\ndouble(3)",
    "print(2 + 2)",
]


@pytest.fixture(scope="module")
def root_copies(copy_site, new_context):
    return click_every_copy_button(new_context("laptop", "light"), copy_site)


def test_copy_buttons_copy_exactly_the_code(copies):
    wrong = [
        f"{name} button {t['index']} ({t['language']}):\n"
        f"  copied   {t['copied']!r}\n  expected {t['expected']!r}"
        for name, targets in copies.items()
        for t in targets
        if t["copied"] != t["expected"]
    ]
    total = sum(map(len, copies.values()))
    assert total, "no copy button on any page"
    assert not wrong, f"{len(wrong)} of {total} copy buttons:\n" + "\n".join(wrong)


def test_copied_code_has_no_prompts_or_markers(copies):
    for name, targets in copies.items():
        for target in targets:
            lines = target["copied"].splitlines()
            assert not any(line.startswith(">>> ") for line in lines), (name, target)
            # docs/codediff.html shows the rST of a codediff, markers and all.
            if target["inCodediff"]:
                assert "#!" not in target["copied"], (name, target)


def test_ellipsis_line_survives_the_copy_button(root_copies):
    copied = [target["copied"] for target in root_copies["index.html"]]
    assert copied == ROOT_COPIES


def test_output_blocks_have_no_copy_button(copies, root_copies, copy_site):
    for results, doctrees in [
        (copies, site_snapshot()[1]),  # the doctrees of the site served
        (root_copies, copy_site.root / ".doctrees"),
    ]:
        outputs = output_block_texts(doctrees)
        assert outputs, f"no testoutput block in {doctrees}"
        with_button = [
            (name, target["expected"])
            for name, targets in results.items()
            for target in targets
            if target["expected"].strip() in outputs
        ]
        assert not with_button, with_button
