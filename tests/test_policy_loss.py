"""Training objectives: values, analytic gradients, convexity, L-BFGS fit."""

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import read_instances
from kairos.errors import ValidationError
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.loss import CompactProblem, Trajectories, fit, trajectories_from_solutions
from kairos.search import SearchConfig, search


@pytest.fixture(scope="module")
def solved():
    """Uniform-LTS solutions of the bundled 3×3 puzzles and a few Sokoban levels."""
    out = {}
    stp = read_instances(data_path(STP_3X3_DEMO))[:8]
    out["stp"] = (stp, [search(p, SearchConfig(budget=50_000)).actions for p in stp])
    soko = [read_levels(data_path(BOXOBAN_DEMO))[i] for i in (24, 0, 5)]
    res = [search(p, SearchConfig(budget=100_000)) for p in soko]
    out["sokoban"] = (
        [p for p, r in zip(soko, res, strict=True) if r.solved],
        [r.actions for r in res if r.solved],
    )
    return out


def _problem(solved, domain, objective, l2=0.01):
    problems, actions = solved[domain]
    policy = ContextModelPolicy(domain)
    data = trajectories_from_solutions(policy, problems, actions)
    return policy, data, CompactProblem(data, objective, l2=l2)


@pytest.mark.parametrize("objective", ["lts", "xent"])
@pytest.mark.parametrize("domain", ["stp", "sokoban"])
def test_gradient_matches_finite_differences(solved, domain, objective):
    _, _, prob = _problem(solved, domain, objective)
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 0.3, prob.num_params)
    _, grad = prob.value_and_grad(x)
    h = 1e-6
    for _ in range(3):
        direction = rng.normal(size=prob.num_params)
        numeric = (
            prob.value_and_grad(x + h * direction)[0] - prob.value_and_grad(x - h * direction)[0]
        ) / (2 * h)
        assert grad @ direction == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    for i in rng.choice(prob.num_params, 5, replace=False):
        e = np.zeros(prob.num_params)
        e[i] = h
        numeric = (prob.value_and_grad(x + e)[0] - prob.value_and_grad(x - e)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_lts_loss_is_log_sum_of_d_over_pi(solved):
    problems, actions = solved["stp"]
    _, _, prob = _problem(solved, "stp", "lts", l2=0.0)
    policy = ContextModelPolicy("stp", epsilon=0.0)
    policy.beta[prob.used_rows] = np.random.default_rng(1).normal(0, 0.5, (len(prob.used_rows), 4))
    value, _ = prob.value_and_grad(policy.beta[prob.used_rows].ravel())
    terms = []
    for p, acts in zip(problems, actions, strict=True):
        state, last, log_pi = p.initial_state(), -1, 0.0
        for a in acts:
            log_pi += policy.log_probs(p.pack(state)[None], np.array([last]), p)[0, a]
            state, last = p.step(state, a), a
        terms.append(np.log(len(acts) + 1) - log_pi)
    assert value == pytest.approx(np.logaddexp.reduce(terms), rel=1e-10)


@pytest.mark.parametrize("objective", ["lts", "xent"])
def test_convex_along_random_chords(solved, objective):
    _, _, prob = _problem(solved, "sokoban", objective, l2=0.0)
    rng = np.random.default_rng(2)
    for _ in range(20):
        x, y = rng.normal(0, 2.0, (2, prob.num_params))
        t = rng.uniform()
        f = prob.value_and_grad(t * x + (1 - t) * y)[0]
        assert f <= t * prob.value_and_grad(x)[0] + (1 - t) * prob.value_and_grad(y)[0] + 1e-9


@pytest.mark.parametrize("objective", ["lts", "xent"])
def test_fit_decreases_loss_to_tolerance_and_speeds_up_search(solved, objective):
    problems, _ = solved["sokoban"]
    policy, data, _ = _problem(solved, "sokoban", objective)
    report = fit(data, policy.beta, objective=objective, l2=1e-3, gtol=1e-6)
    assert report.converged and report.grad_max <= 1e-6
    assert report.value < report.initial_value
    for p in problems:  # the trained policy re-finds its training solutions faster
        uniform = search(p, SearchConfig(budget=100_000))
        trained = search(p, SearchConfig(budget=100_000), policy)
        assert trained.solved and trained.expansions < uniform.expansions


def test_l2_pulls_toward_beta0(solved):
    policy, data, _ = _problem(solved, "stp", "xent")
    beta0 = np.full_like(policy.beta, 3.0)
    fit(data, policy.beta, objective="xent", l2=1e3, beta0=beta0)
    touched = np.any(policy.beta != 0, axis=1)
    assert np.allclose(policy.beta[touched], 3.0, atol=0.01)


def test_bad_arguments():
    empty = Trajectories.concat([])
    with pytest.raises(ValidationError, match="no training steps"):
        CompactProblem(empty, "lts", l2=0.1)
    data = Trajectories(
        np.zeros((1, 2), np.int64), np.ones((1, 4), bool), np.zeros(1, np.int64), np.array([0, 1])
    )
    with pytest.raises(ValidationError, match="objective"):
        CompactProblem(data, "mse", l2=0.1)
    with pytest.raises(ValidationError, match="l2"):
        CompactProblem(data, "lts", l2=-1.0)
