"""Reading the learning rate of a composed Optax optimizer.

Optax keeps a rate in the optimizer state only where ``optax.inject_hyperparams``
(or ``optax.inject_stateful_hyperparams``) put it, and a composed optimizer nests
that state: a tuple for ``optax.chain``, a dict for ``optax.named_chain``,
``inner_opt_state`` for ``optax.MultiSteps``, ``inner_states[label]`` for
``optax.partition``. ``current_learning_rates`` finds every such rate with
Optax's own ``optax.tree_utils.tree_get_all_with_path`` and names each by where
it sits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax

__all__ = ["current_learning_rates"]

# The state types that inject_hyperparams and inject_stateful_hyperparams make.
# Their ``hyperparams`` dict holds the values the last update used; their
# ``hyperparams_states`` holds a schedule's own state under the same key, which
# is why ``optax.tree_utils.tree_get(state, "learning_rate")`` finds two values.
_INJECTED_STATES = ("InjectHyperparamsState", "InjectStatefulHyperparamsState")


def _in_hyperparams(path: Sequence[Any], value: Any) -> bool:
    """Whether a found ``learning_rate`` is a value in an injected ``hyperparams``."""
    del value
    if len(path) < 2:
        return False
    field = path[-2]
    return (
        isinstance(field, optax.tree_utils.NamedTupleKey)
        and field.tuple_name in _INJECTED_STATES
        and field.name == "hyperparams"
    )


def _readable(path: Sequence[Any]) -> str:
    """``label/.../learning_rate`` from a key path.

    Dict keys (``partition`` labels, ``named_chain`` links) and sequence
    indices (``chain`` positions) are kept; the fields of Optax's state
    tuples (``inner_opt_state``, ``inner_states``, ``hyperparams``) are not,
    as they say nothing the reader chose.
    """
    parts = []
    for entry in path:
        if isinstance(entry, jax.tree_util.DictKey):
            parts.append(str(entry.key))
        elif isinstance(entry, jax.tree_util.SequenceKey):
            parts.append(str(entry.idx))
    return "/".join(parts)


def _as_array(value: Any) -> jax.Array:
    """The array inside a value: Flax NNX wraps optimizer state in Variables."""
    if hasattr(value, "get_value"):  # flax.nnx.Variable, without importing Flax
        value = value.get_value()
    return jnp.asarray(value)


def current_learning_rates(opt_state: Any) -> dict[str, jax.Array]:
    """The learning rate of the last update, for every rate injected in a state.

    Works on the state of any Optax optimizer whose rate was wrapped with
    ``optax.inject_hyperparams`` (or ``optax.inject_stateful_hyperparams``),
    alone or inside ``optax.chain``, ``optax.named_chain``,
    ``optax.MultiSteps`` and ``optax.partition`` / ``optax.multi_transform``,
    with a constant rate or a schedule. A Flax NNX optimizer's
    ``nnx.Optimizer.opt_state`` works too. Eager or under ``jax.jit``.

    After ``tx.update``, each value is the rate that update used: the
    schedule's value at the count before it. Before the first update it is the
    rate the first update will use. Inside ``optax.MultiSteps`` the rate
    changes only on the micro-step that applies an update.

    Args:
      opt_state: an optimizer state, as ``tx.init`` or ``tx.update`` return it.

    Returns:
      A dict from a path to the rate, a scalar array of the injected
      hyperparameter's dtype (float32 unless ``hyperparam_dtype`` was given).
      The path joins, with ``/``, the ``partition`` labels, ``named_chain``
      names and ``chain`` positions on the way, then ``learning_rate``:
      ``"learning_rate"`` for a plain or ``MultiSteps`` optimizer,
      ``"head/learning_rate"`` for the ``"head"`` group of a ``partition``,
      ``"1/learning_rate"`` for the second link of a ``chain``.

    Raises:
      ValueError: if no learning rate was injected anywhere in ``opt_state``
        (for example ``optax.adam(schedule)`` without ``inject_hyperparams``,
        whose state holds only the step count).

    Example:

      >>> import jax.numpy as jnp
      >>> import optax
      >>> from lr_scheduling import current_learning_rates
      >>> params = {"backbone": jnp.ones(3), "head": jnp.ones(2)}
      >>> schedule = optax.linear_schedule(0.1, 0.0, transition_steps=10)
      >>> tx = optax.partition(
      ...     {
      ...         "backbone": optax.inject_hyperparams(optax.adam)(schedule),
      ...         "head": optax.inject_hyperparams(optax.sgd)(0.5),
      ...     },
      ...     {"backbone": "backbone", "head": "head"},
      ... )
      >>> state = tx.init(params)
      >>> for _ in range(3):
      ...     _, state = tx.update(params, state, params)
      >>> {k: round(float(v), 4) for k, v in current_learning_rates(state).items()}
      {'backbone/learning_rate': 0.08, 'head/learning_rate': 0.5}
    """
    found = optax.tree_utils.tree_get_all_with_path(
        opt_state, "learning_rate", filtering=_in_hyperparams
    )
    if not found:
        raise ValueError(
            "opt_state holds no injected learning rate (a state of type "
            f"{type(opt_state).__name__}). Wrap the optimizer with "
            "optax.inject_hyperparams, e.g. "
            "optax.inject_hyperparams(optax.adamw)(learning_rate=schedule), "
            "so that its state keeps the rate each update used."
        )
    return {_readable(path): _as_array(value) for path, value in found}
