"""Code a solver's solution path under its policy: bits written = -log2 pi(path).

The policy's action distribution at each state of the path, renormalised over
the legal actions exactly as search does, is handed to the range coder
(:func:`kairos.info.coding.encode_symbols`). The stream is then the path's
ideal code length -log2 pi(path) plus at most 64 bits of coder overhead, which
ties the LTS bound d/pi(path) to a description length.

Example
-------
>>> import math
>>> from kairos.domains.stp import generate
>>> puzzle = generate(3, 6, seed=0)
>>> from kairos.search import SearchConfig, search
>>> result = search(puzzle, SearchConfig(algorithm="lts"))
>>> words, bits = encode_path(puzzle, result.actions)
>>> round(bits, 6) == round(-result.solution_log_prob / math.log(2), 6)
True
>>> decode_path(puzzle, words, len(result.actions)) == result.actions
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kairos.errors import ValidationError
from kairos.info.coding import decode_with_model, encode_symbols, ideal_code_length_bits


def _policy_row(domain, compiled, policy, state, last_action: int) -> np.ndarray:
    """pi(. | state) over all actions, zero on illegal ones (float64, sums to 1)."""
    num_actions = compiled.neighbours.shape[1]
    legal = list(domain.legal_actions(state))
    logits = np.asarray(
        policy.log_probs(domain.pack(state)[None], np.array([last_action]), compiled),
        dtype=np.float64,
    ).reshape(-1)[:num_actions]
    masked = np.full(num_actions, -np.inf)
    masked[legal] = logits[legal]
    masked -= masked.max()
    probs = np.exp(masked)
    return probs / probs.sum()


def path_probabilities(domain, actions: Sequence[int], policy=None) -> np.ndarray:
    """The policy's distribution at each step of ``actions``, shape (len(actions), num_actions).

    Parameters
    ----------
    domain : a built-in domain (with ``pack`` and ``compile``)
    actions : the solution path, action indices from the initial state
    policy : :class:`~kairos.policy.base.Policy`, optional; uniform by default

    Raises
    ------
    ValidationError
        An action is illegal where the path takes it.
    """
    from kairos.policy import UniformPolicy

    policy = policy or UniformPolicy()
    compiled = domain.compile()
    state = domain.initial_state()
    last = -1
    rows = []
    for step, action in enumerate(actions):
        if action not in domain.legal_actions(state):
            raise ValidationError(f"actions[{step}]", f"action {action} is illegal there")
        rows.append(_policy_row(domain, compiled, policy, state, last))
        state = domain.step(state, action)
        last = int(action)
    if not rows:
        return np.zeros((0, compiled.neighbours.shape[1]))
    return np.stack(rows)


def encode_path(domain, actions: Sequence[int], policy=None) -> tuple[np.ndarray, float]:
    """Range-code a path under ``policy``; returns (uint32 words, -log2 pi(path) in bits)."""
    probs = path_probabilities(domain, actions, policy)
    return encode_symbols(list(actions), probs), ideal_code_length_bits(list(actions), probs)


class _PathModel:
    """The policy as an adaptive symbol model: ``update`` takes the decoded action."""

    def __init__(self, domain, policy):
        from kairos.policy import UniformPolicy

        self.domain, self.policy = domain, policy or UniformPolicy()
        self.compiled = domain.compile()
        self.state = domain.initial_state()
        self.last = -1

    def probabilities(self) -> np.ndarray:
        return _policy_row(self.domain, self.compiled, self.policy, self.state, self.last)

    def update(self, symbol: int) -> None:
        self.state = self.domain.step(self.state, symbol)
        self.last = symbol


def decode_path(domain, words: np.ndarray, length: int, policy=None) -> tuple[int, ...]:
    """Invert :func:`encode_path` for a path of ``length`` actions.

    Decoding is sequential: each decoded action determines the next state,
    hence the next distribution.
    """
    return tuple(decode_with_model(words, _PathModel(domain, policy), length))
