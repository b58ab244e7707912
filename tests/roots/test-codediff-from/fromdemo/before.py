"""The "before" version: a fixed rate."""

import functools

raise RuntimeError("codediff imported fromdemo.before")

Rates = dict[str, float]
DEFAULT: float = 0.1


def rate(step):
    """The learning rate at a step."""
    return DEFAULT


class Trainer:
    """Holds a rate."""

    def __init__(self):
        self.steps = 0

    def step(self):
        self.steps += 1
        return rate(self.steps)


@functools.lru_cache(maxsize=None)
def cached(n):
    return n * 2
