"""The "after" version: a schedule."""

import functools

raise RuntimeError("codediff imported fromdemo.after")

Rates = dict[str, float]
DEFAULT: float = 0.1
PEAK = (
    0.5
)


def rate(step):
    """The learning rate at a step."""
    cycle = step % 4
    return DEFAULT + cycle * (PEAK - DEFAULT) / 4


class Trainer:
    """Holds a rate."""

    def __init__(self):
        self.steps = 0

    @staticmethod
    def describe():
        return "scheduled"

    def step(self):
        self.steps += 1
        return rate(self.steps)  # now scheduled


@functools.lru_cache(maxsize=None)
def cached(n):
    return n * 3  #!
