import itertools
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.errors import ValidationError
from kairos.scaling.laws import LAWS, ChinchillaLaw, get_law
from kairos.scaling.passk import pass_at_k


def _random_point(law, rng):
    log_x = rng.uniform(-3.0, 3.0, (25, law.num_inputs))
    y = rng.uniform(0.2, 0.9, 25) if law.name == "coverage" else rng.uniform(1.0, 3.0, 25)
    grid = law.initial_grid(log_x, y)
    return log_x, grid[rng.integers(len(grid))] + rng.normal(0.0, 0.1, len(law.params))


@pytest.mark.parametrize("name", sorted(LAWS))
def test_jacobian_matches_finite_differences(name):
    law = LAWS[name]
    rng = np.random.default_rng(1)
    log_x, theta = _random_point(law, rng)
    log_y, jac = law.jacobian(theta, log_x)
    np.testing.assert_allclose(log_y, law.log_predict(theta, log_x), rtol=1e-12)
    step = 1e-6
    numeric = np.stack(
        [
            (law.log_predict(theta + e * step, log_x) - law.log_predict(theta - e * step, log_x))
            / (2 * step)
            for e in np.eye(len(theta))
        ],
        axis=1,
    )
    np.testing.assert_allclose(jac, numeric, atol=1e-7)


@pytest.mark.parametrize("name", sorted(LAWS))
def test_rescale_moves_parameters_to_raw_x(name):
    law = LAWS[name]
    rng = np.random.default_rng(2)
    log_x, theta = _random_point(law, rng)
    log_x0 = rng.uniform(-5.0, 5.0, law.num_inputs)
    raw = law.rescale(theta, log_x0)
    np.testing.assert_allclose(
        law.log_predict(raw, log_x + log_x0), law.log_predict(theta, log_x), atol=1e-10
    )


@pytest.mark.parametrize("name", sorted(LAWS))
def test_batch_prediction_matches_single(name):
    law = LAWS[name]
    rng = np.random.default_rng(3)
    log_x, theta = _random_point(law, rng)
    batch = np.stack([theta, theta + 0.05])
    out = law.log_predict(batch, log_x)
    assert out.shape == (2, len(log_x))
    np.testing.assert_allclose(out[0], law.log_predict(theta, log_x))
    values = law.to_values(theta)
    np.testing.assert_allclose(law.from_values(values), theta)
    np.testing.assert_allclose(law.values_array(batch)[0], list(values.values()))


def test_chinchilla_compute_optimal_is_optimal_and_on_budget():
    params = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
    budget = 5.76e23
    opt = ChinchillaLaw.compute_optimal(params, budget)
    n, d = opt["N_opt"], opt["D_opt"]
    assert 6 * n * d == pytest.approx(budget, rel=1e-9)
    law = LAWS["chinchilla"]
    best = law.predict(params, np.array([[n, d]]))[0]
    for factor in (0.8, 1.25):
        other = law.predict(params, np.array([[n * factor, d / factor]]))[0]
        assert other > best


def test_unknown_law_is_a_typed_error():
    with pytest.raises(ValidationError, match="unknown law 'cubic'"):
        get_law("cubic")


def _brute_force_pass_at_k(n, c, k):
    outcomes = [1] * c + [0] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(outcomes[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize(("n", "c", "k"), [(5, 0, 2), (5, 1, 1), (6, 2, 3), (8, 3, 5), (7, 7, 4)])
def test_pass_at_k_matches_brute_force(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(_brute_force_pass_at_k(n, c, k), abs=1e-12)
    assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-12)


def test_pass_at_k_vectorised_and_large_n():
    out = pass_at_k([10, 10, 10], [0, 3, 10], 2)
    np.testing.assert_allclose(out, [0.0, 1 - comb(7, 2) / comb(10, 2), 1.0])
    assert 0.0 < pass_at_k(10_000, 1, 1) == pytest.approx(1e-4)


@pytest.mark.parametrize(("n", "c", "k"), [(5, 6, 1), (5, 1, 0), (5, 1, 6), (5, -1, 1)])
def test_pass_at_k_rejects_invalid_counts(n, c, k):
    with pytest.raises(ValidationError):
        pass_at_k(n, c, k)


def test_coverage_curve_averages_pass_at_k_and_fits_the_coverage_law():
    from kairos.scaling.fit import fit_law
    from kairos.scaling.passk import coverage_curve

    rng = np.random.default_rng(0)
    difficulty = rng.beta(0.3, 3.0, 400)  # per-problem success probability
    n = 200
    correct = rng.binomial(n, difficulty)
    ks = [1, 2, 4, 8, 16, 32, 64, 128]
    curve = coverage_curve(np.full(400, n), correct, ks)
    assert curve[0] == pytest.approx(np.mean(correct / n))
    assert np.all(np.diff(curve) > 0)
    fit = fit_law(LAWS["coverage"], np.array(ks, dtype=float), curve)
    assert fit.converged
    predicted = LAWS["coverage"].predict(fit.params, np.array(ks, dtype=float))
    np.testing.assert_allclose(predicted, curve, rtol=0.1)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    c_frac=st.floats(0.0, 1.0),
    k_frac=st.floats(0.0, 1.0),
)
def test_pass_at_k_is_a_probability_monotone_in_k_and_c(n, c_frac, k_frac):
    c = round(c_frac * n)
    k = max(1, round(k_frac * n))
    p = pass_at_k(n, c, k)
    assert 0.0 <= p <= 1.0
    if k < n:
        assert pass_at_k(n, c, k + 1) >= p - 1e-12
    if c < n:
        assert pass_at_k(n, c + 1, k) >= p - 1e-12
