"""A small convolutional policy network (torch, CPU), run on the batched search path.

The grid encoding is read from the packed states and the
:class:`~kairos.domains.base.CompiledDomain` alone, so the network plugs into
the kernel's ``NEED_POLICY`` batches like any Python policy:

* Sokoban: channels floor, goal, box, player over the level's bounding box
  (cell coordinates are recovered from the neighbour table);
* sliding tiles: one-hot tile number (25 channels) over the n×n board.

The network is fully convolutional; the features at the agent's cell (player
or blank), joined with a one-hot of the last action, give 4 action logits.
Search mixes the softmax with uniform at ε over the 4 actions (the kernel
then renormalises over the legal ones), so every legal action keeps
probability ≥ ε/4.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kairos.domains.base import DOMAIN_KIND_SOKOBAN, CompiledDomain
from kairos.errors import ValidationError

KIND = "nn"
NUM_ACTIONS = 4
_DELTAS = ((-1, 0), (1, 0), (0, -1), (0, 1))
CHANNELS = {"sokoban": 4, "stp": 25}


def _coords(compiled: CompiledDomain) -> tuple[np.ndarray, int, int]:
    """Grid (row, col) of every cell, and the grid's height and width."""
    if compiled.kind != DOMAIN_KIND_SOKOBAN:
        n = round(float(np.sqrt(compiled.params[0])))
        cells = np.arange(n * n)
        return np.stack([cells // n, cells % n], axis=1), n, n
    nbr = compiled.neighbours
    coords = np.full((len(nbr), 2), -(10**9), np.int64)
    coords[0] = 0
    stack = [0]
    while stack:
        i = stack.pop()
        for a, (dr, dc) in enumerate(_DELTAS):
            j = nbr[i, a]
            if j >= 0 and coords[j, 0] == -(10**9):
                coords[j] = coords[i] + (dr, dc)
                stack.append(int(j))
    coords -= coords.min(axis=0)
    coords += 1  # a ring of wall around the floor
    height, width = (coords.max(axis=0) + 2).tolist()
    return coords, int(height), int(width)


def encode(compiled: CompiledDomain, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid encoding of packed states.

    Returns
    -------
    grids : ndarray of float32, shape (n, C, H, W)
    agent : ndarray of int64, shape (n, 2)
        Row and column of the player (Sokoban) or blank (sliding tiles).
    """
    coords, height, width = _coords(compiled)
    n = len(states)
    rows, cols = coords[:, 0], coords[:, 1]
    agent = coords[states[:, 0].astype(np.int64)]
    if compiled.kind == DOMAIN_KIND_SOKOBAN:
        num_cells = len(coords)
        grids = np.zeros((n, 4, height, width), np.float32)
        grids[:, 0, rows, cols] = 1.0
        goal_bits = _bits(compiled.goal_value[None, 1:], num_cells)[0]
        grids[:, 1, rows, cols] = goal_bits
        grids[:, 2, rows, cols] = _bits(states[:, 1:], num_cells)
        grids[np.arange(n), 3, agent[:, 0], agent[:, 1]] = 1.0
        return grids, agent
    cells = int(compiled.params[0])
    bits, per_word = int(compiled.params[1]), int(compiled.params[2])
    p = np.arange(cells)
    words = states[:, 1 + p // per_word]
    tiles = (words >> (p % per_word * bits).astype(np.uint64)) & np.uint64((1 << bits) - 1)
    grids = np.zeros((n, 25, height, width), np.float32)
    grids[np.arange(n)[:, None], tiles.astype(np.int64), rows[None, :], cols[None, :]] = 1.0
    return grids, agent


def _bits(words: np.ndarray, num_cells: int) -> np.ndarray:
    """Unpack bit ``i`` of a row of uint64 words, for i < num_cells; shape (n, num_cells)."""
    as_bytes = words.astype("<u8").view(np.uint8).reshape(len(words), -1)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :num_cells].astype(np.float32)


@dataclass(frozen=True)
class NetSpec:
    """Network shape: ``layers`` 3×3 convolutions of ``width`` channels, a hidden layer."""

    domain: str
    width: int = 32
    layers: int = 4  # receptive field 9×9
    hidden: int = 64


_NET_CLASS = None


def _net_class():
    """The torch module class, defined on first use (torch is imported lazily)."""
    global _NET_CLASS
    if _NET_CLASS is None:
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self, spec: NetSpec) -> None:
                super().__init__()
                chans = [CHANNELS[spec.domain]] + [spec.width] * spec.layers
                self.convs = nn.ModuleList(
                    nn.Conv2d(a, b, 3, padding=1) for a, b in itertools.pairwise(chans)
                )
                self.head = nn.Sequential(
                    nn.Linear(spec.width + NUM_ACTIONS + 1, spec.hidden),
                    nn.ReLU(),
                    nn.Linear(spec.hidden, NUM_ACTIONS),
                )

            def forward(self, grids, agent, last):
                x = grids  # (B, C, H, W)
                for conv in self.convs:
                    x = torch.relu(conv(x))  # (B, width, H, W)
                feat = x[torch.arange(len(x)), :, agent[:, 0], agent[:, 1]]  # (B, width)
                onehot = torch.nn.functional.one_hot(last + 1, NUM_ACTIONS + 1).float()  # (B, 5)
                return self.head(torch.cat([feat, onehot], dim=1))  # (B, 4)

        # Pickle finds the class as ``kairos.policy.neural.Net`` (module __getattr__ below),
        # so a neural policy can be sent to a worker process or a Ray node.
        Net.__qualname__ = "Net"
        _NET_CLASS = Net
    return _NET_CLASS


def __getattr__(name: str):
    if name == "Net":
        return _net_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_net(spec: NetSpec):
    """The torch module for ``spec`` (imports torch)."""
    return _net_class()(spec)


class NeuralPolicy:
    """A CNN policy behind the :class:`~kairos.policy.base.Policy` protocol (batched path).

    Parameters
    ----------
    spec : NetSpec
    epsilon : float
        Uniform mixing weight.
    seed : int
        Seed of the weight initialisation.
    """

    compiled = None

    def __init__(self, spec: NetSpec, *, epsilon: float = 1e-3, seed: int = 0):
        import torch

        if spec.domain not in CHANNELS:
            raise ValidationError(
                "domain", f"got {spec.domain!r}, expected one of {sorted(CHANNELS)}"
            )
        if not 0.0 <= epsilon < 1.0:
            raise ValidationError("epsilon", f"got {epsilon}, expected 0 <= epsilon < 1")
        torch.manual_seed(seed)
        self.spec, self.epsilon, self.seed = spec, float(epsilon), int(seed)
        self.domain = spec.domain
        self.net = build_net(spec)
        self.name = f"nn-{spec.domain}"

    def torch_log_probs(self, compiled: CompiledDomain, states, last_actions, legal=None):
        """Differentiable log π over the 4 actions (mixed with uniform), shape (n, 4).

        With ``legal`` (bool, shape (n, 4)) the softmax runs over legal actions only.
        """
        import torch

        grids, agent = encode(compiled, states)
        logits = self.net(
            torch.from_numpy(grids),
            torch.from_numpy(agent),
            torch.as_tensor(np.asarray(last_actions, np.int64)),
        )
        if legal is not None:
            mask = torch.from_numpy(np.asarray(legal, bool))
            logits = logits.masked_fill(~mask, -1e9)
            count = mask.sum(dim=1, keepdim=True).float()
        else:
            count = torch.full((len(logits), 1), float(NUM_ACTIONS))
        p = torch.softmax(logits, dim=1)
        mixed = (1.0 - self.epsilon) * p + self.epsilon / count
        return torch.log(mixed.clamp_min(1e-30))

    def log_probs(
        self, states: np.ndarray, last_actions: np.ndarray, domain: CompiledDomain
    ) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.torch_log_probs(domain, states, last_actions).double().numpy()

    def save(self, path: str | Path) -> None:
        """Atomically write a ``.kpol`` file (weights as float32 arrays)."""
        from kairos.policy.files import save_policy

        arrays = {
            k: v.detach().numpy().astype(np.float32) for k, v in self.net.state_dict().items()
        }
        spec = {
            "net": {
                "width": self.spec.width,
                "layers": self.spec.layers,
                "hidden": self.spec.hidden,
            },
            "epsilon": self.epsilon,
            "seed": self.seed,
        }
        save_policy(path, KIND, self.domain, spec, arrays)


MAX_WIDTH = 512  # channels per convolution
MAX_LAYERS = 16
MAX_HIDDEN = 4096


def parameter_shapes(spec: NetSpec) -> dict[str, tuple[int, ...]]:
    """Name and shape of every array of :func:`build_net`'s ``state_dict`` (no torch needed)."""
    shapes: dict[str, tuple[int, ...]] = {}
    chans = [CHANNELS[spec.domain]] + [spec.width] * spec.layers
    for i, (a, b) in enumerate(itertools.pairwise(chans)):
        shapes[f"convs.{i}.weight"] = (b, a, 3, 3)
        shapes[f"convs.{i}.bias"] = (b,)
    shapes["head.0.weight"] = (spec.hidden, spec.width + NUM_ACTIONS + 1)
    shapes["head.0.bias"] = (spec.hidden,)
    shapes["head.2.weight"] = (NUM_ACTIONS, spec.hidden)
    shapes["head.2.bias"] = (NUM_ACTIONS,)
    return shapes


def check_nn(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> NetSpec:
    """Check a network policy's file fields; returns its :class:`NetSpec`.

    Run when a policy file is read (before any network is built, so an absurd
    size cannot allocate) and before one is written (so a diverged run cannot
    write non-finite weights).

    Raises
    ------
    ValidationError
        Naming the first bad field.
    """
    from kairos.fields import require_dict, require_float, require_int

    if spec.get("domain") not in CHANNELS:
        raise ValidationError(
            "domain", f"got {spec.get('domain')!r:.40}, expected one of {sorted(CHANNELS)}"
        )
    net = require_dict("spec.net", spec.get("net"))
    netspec = NetSpec(
        spec["domain"],
        require_int("spec.net.width", net.get("width"), lo=1, hi=MAX_WIDTH),
        require_int("spec.net.layers", net.get("layers"), lo=1, hi=MAX_LAYERS),
        require_int("spec.net.hidden", net.get("hidden"), lo=1, hi=MAX_HIDDEN),
    )
    require_float("spec.epsilon", spec.get("epsilon"), lo=0.0, hi=1.0, hi_open=True)
    require_int("spec.seed", spec.get("seed"), lo=0, hi=2**63 - 1)
    shapes = parameter_shapes(netspec)
    if set(arrays) != set(shapes):
        raise ValidationError(
            "arrays", "the array names do not match the network described in spec.net"
        )
    for name, shape in shapes.items():
        arr = arrays[name]
        if arr.dtype != np.float32 or arr.shape != shape:
            raise ValidationError(
                f"arrays.{name}", f"got {arr.dtype} {arr.shape}, expected float32 {shape}"
            )
        if not np.isfinite(arr).all():
            raise ValidationError(
                f"arrays.{name}", "holds non-finite weights; a diverged training run makes them"
            )
    return netspec


def load_nn(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> NeuralPolicy:
    """Build a :class:`NeuralPolicy` from a policy file's spec and arrays (checked first)."""
    import torch

    netspec = check_nn(spec, arrays)
    policy = NeuralPolicy(netspec, epsilon=float(spec["epsilon"]), seed=int(spec["seed"]))
    state = policy.net.state_dict()
    policy.net.load_state_dict({k: torch.from_numpy(np.array(arrays[k])) for k in state})
    return policy


def train_nn(
    policy: NeuralPolicy,
    problems: Sequence,
    solutions: Sequence[Sequence[int]],
    *,
    objective: str = "xent",
    epochs: int = 30,
    batch_trajectories: int = 32,
    lr: float = 3e-3,
    seed: int = 0,
) -> dict:
    """Fit the network to solution paths with Adam.

    ``xent``: mean cross-entropy of the solution actions; ``lts``: per
    minibatch of trajectories, log Σ_i d_i/π(n_i) (log-sum-exp over the
    minibatch of log d_i − Σ_t log π(a_t|s_t)). Softmax over legal actions.

    Returns
    -------
    dict with ``objective``, ``epochs``, ``initial_loss``, ``final_loss``, ``seconds``.
    """
    import time

    import torch

    t0 = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    trajs = []
    for problem, actions in zip(problems, solutions, strict=True):
        if not len(actions):
            continue
        compiled = problem.compile()
        state = problem.initial_state()
        packed, legal = [], []
        for a in actions:
            packed.append(problem.pack(state))
            legal.append([b in problem.legal_actions(state) for b in range(NUM_ACTIONS)])
            state = problem.step(state, a)
        last = np.concatenate([[-1], np.asarray(actions[:-1], np.int64)])
        trajs.append((compiled, np.stack(packed), last, np.asarray(actions), np.array(legal)))
    if not trajs:
        raise ValidationError("solutions", "no non-empty solution to learn from")
    opt = torch.optim.Adam(policy.net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(trajs))
        epoch_loss = 0.0
        for start in range(0, len(order), batch_trajectories):
            terms = []
            for i in order[start : start + batch_trajectories]:
                compiled, states, last, acts, legal = trajs[i]
                lp = policy.torch_log_probs(compiled, states, last, legal)
                nll = -lp[torch.arange(len(acts)), torch.from_numpy(acts)]
                terms.append(nll)
            if objective == "lts":
                per = torch.stack(
                    [np.log(len(t) + 1.0) + t.sum() for t in terms]
                )  # (batch,) log d_i - log π(n_i)
                loss = torch.logsumexp(per, dim=0)
            else:
                loss = torch.cat(terms).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_loss += loss.item()
        losses.append(epoch_loss)
    return {
        "objective": objective,
        "epochs": epochs,
        "initial_loss": losses[0],
        "final_loss": losses[-1],
        "seconds": time.perf_counter() - t0,
    }
