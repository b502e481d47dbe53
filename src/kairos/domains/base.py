"""The ``Domain`` protocol, and the compiled form the search kernel runs on.

A domain is a deterministic single-agent task. To add one, write one file with
a class that satisfies :class:`Domain`; the pure-Python search
(:mod:`kairos.search.reference`) runs it as is, and a loader registered under
the entry-point group ``kairos.domains`` makes it a CLI choice
(:mod:`kairos.domains.registry`). Optional hooks, which nothing outside a
domain asks for by class or name (see :data:`OPTIONAL_HOOKS`):

- ``features(state) -> Sequence[int]``: integer context features of a state,
  the same number for every state of an instance. A context model over them
  (:class:`kairos.policy.features.FeatureModelPolicy`) makes the domain
  learnable with ``kairos train``.
- ``is_dead(state) -> bool``: a cheap proof that no goal is reachable from
  ``state`` (the allocator stops spending on such tasks).
- ``heuristic_features(state) -> ndarray`` with ``heuristic_feature_names``
  (a tuple of str) and ``heuristic_tables() -> ndarray``: numeric features of
  a state that a learned distance-to-go heuristic is a linear function of
  (PHS*, :mod:`kairos.search.heuristic`), and the per-instance table the
  compiled search computes the same features from (built-in domains only:
  the kernel dispatches on the compiled kind).
- ``difficulty``: the name of the independent difficulty measure of a solved
  task, ``"bfs_optimal_length"`` where breadth-first search to the optimum is
  affordable; ``"uniform_code_length_bits"`` (the default) otherwise.
- ``compile() -> CompiledDomain`` and ``pack(state) -> ndarray of uint64``: the
  flat-array form that the numba kernel (:mod:`kairos.search.kernel`)
  understands; built-in domains have it, and with it the compiled search and
  the built-in context models and networks.
- ``solve(*, policy, holdout, budget, time_limit_s) -> row``: the domain's own
  search, for domains whose search is not over a fixed action alphabet
  (program synthesis, :mod:`kairos.domains.programs`); ``kairos solve`` uses it
  when every loaded problem has it, and its result's ``row()`` is the CSV row.

States inside the kernel are packed into a row of ``num_words`` uint64 words,
so a Sokoban state (player cell + bitmask of boxes over the floor cells) costs
16 bytes for levels with at most 64 floor cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

DOMAIN_KIND_SOKOBAN = 0
DOMAIN_KIND_STP = 1
DOMAIN_KINDS = {"sokoban": DOMAIN_KIND_SOKOBAN, "stp": DOMAIN_KIND_STP}  # compiled kinds by name

OPTIONAL_HOOKS = (
    "features",
    "is_dead",
    "heuristic_features",
    "difficulty",
    "compile",
    "pack",
    "solve",
)
DEFAULT_DIFFICULTY = "uniform_code_length_bits"


@dataclass(frozen=True)
class CompiledDomain:
    """Flat-array form of one problem instance, for the compiled kernel.

    Attributes
    ----------
    kind : int
        ``DOMAIN_KIND_*``; the kernel dispatches its step, goal and heuristic on it.
    neighbours : ndarray of int64, shape (num_cells, num_actions)
        Cell reached from each cell by each action, -1 where blocked.
    params : ndarray of int64, shape (k,)
        Domain-specific integers (sizes, bit widths).
    heuristic_table : ndarray of float64, shape (m, num_cells)
        Per-cell heuristic terms (box distance to nearest goal; tile Manhattan).
    initial : ndarray of uint64, shape (num_words,)
        Packed initial state.
    goal_care, goal_value : ndarray of uint64, shape (num_words,)
        A packed state ``s`` is a goal iff ``s & goal_care == goal_value`` word by word.
    dead_cells : ndarray of int8, shape (num_cells,) or (0,)
        Sokoban: 1 on cells from which a lone box can never reach a goal; the
        kernel's deadlock test (``SearchConfig.deadlocks``) reads it. Empty:
        the domain has no compiled deadlock test.
    """

    kind: int
    neighbours: np.ndarray
    params: np.ndarray
    heuristic_table: np.ndarray
    initial: np.ndarray
    goal_care: np.ndarray
    goal_value: np.ndarray
    dead_cells: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    @property
    def num_words(self) -> int:
        """Words of 64 bits per packed state."""
        return int(self.initial.shape[0])

    def cell_layout(self) -> tuple[np.ndarray, int, int]:
        """How a packed state stores what is on each cell, for readers of the packed form.

        Returns
        -------
        cell_flags : ndarray of int64, shape (num_cells,)
            Sokoban: 1 on goal cells; sliding tiles: 0.
        bits_per_tile : int
            Sliding tiles: bits of one tile number in a word (0 for Sokoban,
            whose boxes are a bitmask after the player word).
        tiles_per_word : int
            Sliding tiles: tiles per 64-bit word (0 for Sokoban).
        """
        num_cells = self.neighbours.shape[0]
        if self.kind == DOMAIN_KIND_SOKOBAN:
            goal_words = self.goal_value[1:].astype("<u8").view(np.uint8)
            flags = np.unpackbits(goal_words, bitorder="little")[:num_cells].astype(np.int64)
            return flags, 0, 0
        return np.zeros(num_cells, np.int64), int(self.params[1]), int(self.params[2])


@runtime_checkable
class Domain(Protocol):
    """A deterministic task: what a user implements to add a domain.

    ``State`` is any immutable value. Actions are small integers
    ``0 .. num_actions-1`` named by ``action_names``.
    """

    name: str
    action_names: str

    def initial_state(self) -> Any:
        """The state the search starts from."""

    def legal_actions(self, state: Any) -> Sequence[int]:
        """Actions applicable in ``state``, in increasing order."""

    def step(self, state: Any, action: int) -> Any:
        """The state after ``action`` (which must be legal)."""

    def is_goal(self, state: Any) -> bool:
        """Whether ``state`` solves the task."""

    def key(self, state: Any) -> Hashable:
        """A hashable key equal for equal states (used by the state cut)."""

    def render(self, state: Any) -> str:
        """A human-readable text picture of ``state``."""

    def heuristic(self, state: Any) -> float:
        """A cheap goal-distance estimate, for weighted A* (0 if none)."""


def compiled_form(domain: Any) -> CompiledDomain | None:
    """``domain`` itself if it is a compiled form, its ``compile()`` if it has one, else None."""
    if isinstance(domain, CompiledDomain):
        return domain
    compile_hook = getattr(domain, "compile", None)
    return compile_hook() if compile_hook is not None else None


def replay(domain: Domain, actions: Sequence[int]) -> bool:
    """Whether ``actions`` are legal in sequence from the initial state and end at a goal."""
    state = domain.initial_state()
    for action in actions:
        if action not in domain.legal_actions(state):
            return False
        state = domain.step(state, action)
    return domain.is_goal(state)
