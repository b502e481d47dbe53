"""Line fits for the speed-up law: known lines recovered, intervals cover the truth."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kairos.errors import ValidationError
from kairos.scaling.line import fit_line


def test_exact_line():
    x = np.arange(10.0)
    fit = fit_line(x, 2.0 * x - 1.0, resamples=50)
    assert fit["slope"] == pytest.approx(2.0)
    assert fit["intercept"] == pytest.approx(-1.0)
    assert fit["r2"] == pytest.approx(1.0)
    assert fit["n"] == 10


def test_interval_covers_the_true_slope_most_of_the_time():
    rng = np.random.default_rng(0)
    hits = 0
    for trial in range(60):
        x = rng.uniform(0, 20, size=40)
        y = 1.0 * x - 1.3 + rng.normal(0, 1.0, size=40)
        low, high = fit_line(x, y, resamples=300, seed=trial)["slope_ci"]
        hits += low <= 1.0 <= high
    assert 50 <= hits <= 60  # nominal 95% of 60 = 57


def test_degenerate_and_bad_input():
    assert math.isnan(fit_line([1.0, 2.0], [1.0, 2.0])["slope"])
    with pytest.raises(ValidationError):
        fit_line([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValidationError):
        fit_line([1.0, float("nan"), 3.0], [1.0, 2.0, 3.0])
