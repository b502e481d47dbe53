"""The feature model: any number of actions, trained by the shared objectives, saved and loaded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kairos.errors import MismatchError, ValidationError
from kairos.policy.features import FeatureModelPolicy
from kairos.policy.files import load_policy
from kairos.policy.loss import fit, trajectories_from_solutions


class Line:
    """Walk on 0..n-1 to ``goal`` by -1, +1 or +2: three actions."""

    action_names = "<>J"

    def __init__(self, n: int, start: int, goal: int, *, ragged: bool = False):
        self.n, self.start, self.goal, self.ragged = n, start, goal, ragged
        self.name = f"line{n}-{start}-{goal}"

    def initial_state(self):
        return self.start

    def legal_actions(self, state):
        return [a for a, d in enumerate((-1, 1, 2)) if 0 <= state + d < self.n]

    def step(self, state, action):
        return state + (-1, 1, 2)[action]

    def is_goal(self, state):
        return state == self.goal

    def key(self, state):
        return state

    def render(self, state):
        return str(state)

    def heuristic(self, state):
        return abs(self.goal - state)

    def features(self, state):
        gap = self.goal - state
        base = [(gap > 0) - (gap < 0), min(abs(gap), 2)]
        return [*base, state] if self.ragged and state % 2 else base


def _solutions(problems):
    """Jump while two or more cells short, then step: the paths to learn."""
    out = []
    for p in problems:
        s, path = p.start, []
        while s != p.goal:
            a = 2 if p.goal - s >= 2 else 1 if s < p.goal else 0
            path.append(a)
            s = p.step(s, a)
        out.append(path)
    return out


def test_a_three_action_model_learns_to_jump_toward_the_goal(tmp_path):
    problems = [Line(12, s, g) for s in range(6) for g in range(6, 12)]
    policy = FeatureModelPolicy("line", 3, log2_rows=10, seed=1)
    data = trajectories_from_solutions(policy, problems, _solutions(problems))
    assert data.legal.shape[1] == 3 and data.rows.shape[1] == 3  # 2 features + last action
    report = fit(data, policy.beta, objective="xent", l2=1e-4)
    assert report.value < report.initial_value
    far = Line(12, 0, 9)
    probs = np.exp(policy.state_logits(far, 0, -1))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[2] > 0.9  # jump
    near = Line(12, 8, 9)
    assert int(np.argmax(policy.state_logits(near, 8, 2))) == 1  # one step

    policy.save(tmp_path / "line.kpol")
    loaded = load_policy(tmp_path / "line.kpol", domain="line")
    assert isinstance(loaded, FeatureModelPolicy)
    np.testing.assert_allclose(loaded.beta, policy.beta.astype(np.float32))
    assert math.isclose(loaded.epsilon, policy.epsilon) and loaded.seed == 1
    with pytest.raises(MismatchError, match="trained for domain 'line'"):
        load_policy(tmp_path / "line.kpol", domain="stp")


def test_a_changing_number_of_features_is_a_validation_error():
    problem = Line(12, 0, 5, ragged=True)
    policy = FeatureModelPolicy("line", 3)
    with pytest.raises(ValidationError, match="same number for every state"):
        trajectories_from_solutions(policy, [problem], [[1, 1, 1, 1, 1]])


def test_a_domain_without_features_cannot_be_scored():
    class Bare(Line):
        features = None

    policy = FeatureModelPolicy("line", 3)
    with pytest.raises(ValidationError, match="no features"):
        policy.state_logits(Bare(5, 0, 3), 0, -1)


def test_new_policy_picks_the_model_the_domain_offers():
    from kairos.domains.stp import generate
    from kairos.policy import new_policy
    from kairos.policy.cm import ContextModelPolicy

    assert isinstance(new_policy("cm", "stp", generate(3, 4, seed=0), epsilon=0.001, seed=0),
                      ContextModelPolicy)  # fmt: skip
    made = new_policy("cm", "line", Line(5, 0, 3), epsilon=0.01, seed=2)
    assert isinstance(made, FeatureModelPolicy) and made.num_actions == 3

    class Bare(Line):
        features = None

    with pytest.raises(ValidationError, match="no features"):
        new_policy("cm", "line", Bare(5, 0, 3), epsilon=0.001, seed=0)
    with pytest.raises(ValidationError, match="no network input encoding"):
        new_policy("nn", "line", Line(5, 0, 3), epsilon=0.001, seed=0)
