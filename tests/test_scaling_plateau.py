import numpy as np
import pytest

from kairos.errors import ValidationError
from kairos.scaling.plateau import describe, plateau_test
from kairos.scaling.synthetic import curve_data

X = np.geomspace(1e3, 1e7, 30)


def test_saturating_curve_reads_as_plateau():
    y = curve_data("saturating", {"E": 1.2, "A": 2.0, "s": 1.0, "m": np.log(1e4)}, X, seed=1)
    result = plateau_test(X, y, num_resamples=40, seed=1)
    assert result.best_law in ("saturating", "bnsl")
    assert result.verdict == "plateau"
    assert result.asymptote_ci[0] <= 1.2 <= result.asymptote_ci[1] + 0.02
    text = describe(result)
    assert "Verdict: plateau" in text and result.best_law in text
    record = result.to_json()
    assert set(record) >= {"params", "ci", "loss", "converged", "verdict", "asymptote_ci"}


def test_power_law_reads_as_still_improving():
    y = curve_data("power", {"E": 0.5, "A": 30.0, "alpha": 0.3}, X, seed=2)
    result = plateau_test(X, y, families=("power", "saturating"), num_resamples=40, seed=2)
    assert result.best_law == "power"
    assert result.verdict == "still improving"
    scores = {s.law: s.holdout_log_rmse for s in result.scores}
    assert scores["power"] < scores["saturating"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"families": ("chinchilla",)}, "families"),
        ({"families": ()}, "families"),
        ({"holdout_fraction": 1.0}, "holdout"),
        ({"holdout_fraction": 0.9}, "holdout"),
        ({"level": 1.5}, "level"),
    ],
)
def test_plateau_test_rejects_bad_arguments(kwargs, field):
    y = curve_data("power", {"E": 0.5, "A": 30.0, "alpha": 0.3}, X, seed=2)
    with pytest.raises(ValidationError) as info:
        plateau_test(X, y, num_resamples=5, **kwargs)
    assert info.value.field == field
