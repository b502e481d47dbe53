"""Cheap refits: the fused loss kernel, the bound-free L-BFGS and the stopping rules."""

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import read_instances
from kairos.errors import ValidationError
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.fused import blocked_order
from kairos.policy.lbfgs import minimise
from kairos.policy.loss import CompactProblem, Trajectories, fit, trajectories_from_solutions
from kairos.search import SearchConfig, search


@pytest.fixture(scope="module")
def data():
    """Trajectories of uniform-LTS solutions of bundled 3×3 puzzles and Sokoban levels."""
    out = {}
    stp = read_instances(data_path(STP_3X3_DEMO))[:12]
    out["stp"] = trajectories_from_solutions(
        ContextModelPolicy("stp"),
        stp,
        [search(p, SearchConfig(budget=50_000)).actions for p in stp],
    )
    soko = [read_levels(data_path(BOXOBAN_DEMO))[i] for i in (24, 0, 5)]
    res = [search(p, SearchConfig(budget=100_000, deadlocks="cut")) for p in soko]
    out["sokoban_parts"] = [
        trajectories_from_solutions(ContextModelPolicy("sokoban"), [p], [r.actions])
        for p, r in zip(soko, res, strict=True)
        if r.solved
    ]
    assert len(out["sokoban_parts"]) >= 2
    out["sokoban"] = Trajectories.concat(out["sokoban_parts"])
    return out


@pytest.mark.parametrize("objective", ["lts", "xent"])
@pytest.mark.parametrize("domain", ["stp", "sokoban"])
@pytest.mark.parametrize("parallel", [False, True])
def test_fused_kernel_equals_the_reference_objective(data, domain, objective, parallel):
    rng = np.random.default_rng(1)
    beta0 = rng.normal(0, 0.1, (1 << 20 if domain == "sokoban" else 1 << 18, 4))
    prob = CompactProblem(data[domain], objective, l2=0.03, beta0=beta0)
    x = rng.normal(0.0, 0.5, prob.num_params)
    value, grad = prob.value_and_grad(x)
    fused_value, fused_grad = prob.value_and_grad_fused(x, parallel=parallel)
    assert fused_value == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(fused_grad, grad, rtol=1e-9, atol=1e-13)


def test_blocked_order_is_a_permutation_grouping_rows_by_their_first_pattern():
    cidx = np.array([[3, 0, 5], [1, 0, 2], [3, 4, 2]])
    order = blocked_order(cidx)
    assert sorted(order) == list(range(6))
    assert list(order) == [1, 3, 0, 4, 2, 5]  # pattern 0: rows 1, 3; pattern 1: 0, 4; 2: 2, 5


def test_lbfgs_finds_the_minimum_of_an_ill_conditioned_quadratic():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    h = q @ np.diag(np.logspace(0, 3, 30)) @ q.T
    b = rng.normal(size=30)
    res = minimise(lambda x: (0.5 * x @ h @ x - b @ x, h @ x - b), np.zeros(30), max_iter=500)
    assert res.converged
    np.testing.assert_allclose(res.x, np.linalg.solve(h, b), rtol=1e-4, atol=1e-6)


def test_lbfgs_reaches_the_lbfgsb_optimum_and_is_deterministic(data):
    fits = {}
    for method in ("lbfgsb", "lbfgs", "lbfgs"):
        beta = np.zeros((1 << 20, 4))
        report = fit(data["sokoban"], beta, objective="lts", l2=1e-3, method=method)
        assert report.converged and report.method == method
        fits.setdefault(method, []).append((report.value, beta))
    (v_b, _), (v_1, b_1), (v_2, b_2) = fits["lbfgsb"][0], *fits["lbfgs"]
    assert v_1 == pytest.approx(v_b, abs=1e-6)
    assert v_1 == v_2 and np.array_equal(b_1, b_2)  # bit-reproducible


def test_stall_rule_stops_early_near_the_optimum(data):
    full = fit(data["sokoban"], np.zeros((1 << 20, 4)), l2=1e-4, method="lbfgs")
    beta = np.zeros((1 << 20, 4))
    report = fit(data["sokoban"], beta, l2=1e-4, method="lbfgs", stall_tol=1e-3, check_every=5)
    assert report.message == "stopped by callback"
    assert report.iterations < full.iterations
    assert report.value - full.value < 0.05


def test_holdout_rule_keeps_the_best_checked_weights(data):
    soko = data["sokoban_parts"]
    train, held = Trajectories.concat(soko[:-1]), soko[-1]
    beta = np.zeros((1 << 20, 4))
    report = fit(train, beta, l2=1e-4, method="lbfgs", holdout=held, check_every=5, patience=1)
    prob = CompactProblem(held, "lts", l2=0.0)
    at_end = prob.value_and_grad(beta[prob.used_rows].ravel())[0]
    assert at_end == pytest.approx(report.holdout_value, rel=1e-9)  # the kept weights' value
    assert report.holdout_value <= prob.value_and_grad(np.zeros(prob.num_params))[0]


def test_bad_fit_arguments_name_the_field(data):
    with pytest.raises(ValidationError, match="method"):
        fit(data["stp"], np.zeros((1 << 18, 4)), method="adam")
    with pytest.raises(ValidationError, match="holdout"):
        fit(data["stp"], np.zeros((1 << 18, 4)), method="lbfgsb", holdout=data["stp"])
