"""Code a solver's solution path under its policy: bits written = -log2 pi(path).

The one home of path code lengths. The policy's action distribution at each
state of the path, renormalised exactly as search does (over the legal actions;
for tree search, ``state_cut=False``, without the move straight back to the
parent's state), gives ℓ_π(h) = -log2 pi(path) (:func:`code_length_bits`) and
is handed to the range coder (:func:`kairos.info.coding.encode_symbols`). The
stream is then the path's ideal code length plus at most 64 bits of coder
overhead, which ties the LTS bound d/pi(path) to a description length.

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
from typing import Any

import numpy as np

from kairos.domains.base import Domain
from kairos.errors import ValidationError
from kairos.info.coding import decode_with_model, encode_symbols, ideal_code_length_bits
from kairos.policy.base import Policy
from kairos.search.scoring import StateScorer


class _PathWalker:
    """Walks a path from the initial state, giving the search's distribution at each step."""

    def __init__(self, domain: Domain, policy: Policy | None, state_cut: bool):
        self.domain, self.state_cut = domain, state_cut
        self.scorer = StateScorer(domain, policy)
        self.state = domain.initial_state()
        self.last, self.before, self.step_index = -1, None, 0

    def distribution(self) -> np.ndarray:
        """π(·|state) over all actions, zero outside the search's branches (sums to 1)."""
        mask = np.zeros(self.scorer.num_actions, dtype=bool)
        for a in self.domain.legal_actions(self.state):
            back = (
                not self.state_cut
                and self.before is not None
                and self.domain.key(self.domain.step(self.state, a)) == self.before
            )
            mask[a] = not back
        if not mask.any():
            raise ValidationError(
                f"actions[{self.step_index}]", "no move from this state is in the search tree"
            )
        logits = np.where(mask, self.scorer.logits(self.state, self.last), -np.inf)
        logits -= logits.max()
        probs = np.exp(logits)
        return probs / probs.sum()

    def advance(self, action: int) -> None:
        self.before = self.domain.key(self.state)
        self.state = self.domain.step(self.state, int(action))
        self.last = int(action)
        self.step_index += 1


def path_distributions(
    domain: Domain, actions: Sequence[int], policy: Policy | None = None, *, state_cut: bool = True
) -> np.ndarray:
    """The policy's distribution at each step of ``actions``, as search computes it.

    Parameters
    ----------
    domain : Domain
    actions : sequence of int
        The solution path, action indices from the initial state.
    policy : Policy, optional
        Uniform by default.
    state_cut : bool
        The search's setting: ``False`` (tree search) leaves out the move
        straight back to the parent's state, as the tree does.

    Returns
    -------
    ndarray of float64, shape (len(actions), num_actions)

    Raises
    ------
    ValidationError
        An action is illegal where the path takes it, or (tree search) is the
        move straight back.
    """
    walker = _PathWalker(domain, policy, state_cut)
    rows = []
    for step, action in enumerate(actions):
        if action not in domain.legal_actions(walker.state):
            raise ValidationError(f"actions[{step}]", f"action {action} is illegal there")
        row = walker.distribution()
        if row[action] == 0.0:
            raise ValidationError(
                f"actions[{step}]", f"action {action} is the move straight back, not in the tree"
            )
        rows.append(row)
        walker.advance(action)
    if not rows:
        return np.zeros((0, len(domain.action_names)))
    return np.stack(rows)


def code_length_bits(
    domain: Domain, actions: Sequence[int], policy: Policy | None = None, *, state_cut: bool = True
) -> float:
    """ℓ_π(h) = −log2 π(h) of a path under a policy (as searched), in bits."""
    probs = path_distributions(domain, actions, policy, state_cut=state_cut)
    if not len(probs):
        return 0.0
    return float(-np.log2(probs[np.arange(len(actions)), list(actions)]).sum())


def encode_path(
    domain: Domain, actions: Sequence[int], policy: Policy | None = None, *, state_cut: bool = True
) -> tuple[np.ndarray, float]:
    """Range-code a path under ``policy``; returns (uint32 words, -log2 pi(path) in bits)."""
    probs = path_distributions(domain, actions, policy, state_cut=state_cut)
    return encode_symbols(list(actions), probs), ideal_code_length_bits(list(actions), probs)


class _PathModel:
    """The policy as an adaptive symbol model: ``update`` takes the decoded action."""

    def __init__(self, walker: _PathWalker):
        self.walker = walker

    def probabilities(self) -> np.ndarray:
        return self.walker.distribution()

    def update(self, symbol: Any) -> None:
        self.walker.advance(int(symbol))


def decode_path(
    domain: Domain,
    words: np.ndarray,
    length: int,
    policy: Policy | None = None,
    *,
    state_cut: bool = True,
) -> tuple[int, ...]:
    """Invert :func:`encode_path` for a path of ``length`` actions.

    Decoding is sequential: each decoded action determines the next state,
    hence the next distribution.
    """
    model = _PathModel(_PathWalker(domain, policy, state_cut))
    return tuple(int(a) for a in decode_with_model(words, model, length))
