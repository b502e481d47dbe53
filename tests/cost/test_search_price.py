import pytest

from kairos.cost import HARDWARE
from kairos.cost.search_price import SearchWork, solver_price
from kairos.errors import ValidationError

H100 = HARDWARE["h100"]


def test_context_model_price_by_hand():
    work = SearchWork(
        num_expansions=1000,
        num_policy_evals=1000,
        policy="cm",
        num_actions=4,
        num_active_contexts=50,
        state_bytes=100,
    )
    price = solver_price(work, H100)
    assert price.flops == 1000 * (50 + 4) * 4
    assert price.bytes == 1000 * 50 * 64 + 1000 * 5 * 100
    assert price.eflops == pytest.approx(price.flops + H100.intensity * price.bytes)


def test_neural_policy_batching_amortises_weights():
    one = solver_price(SearchWork(10, 1000, "nn", num_policy_params=10**6), H100)
    many = solver_price(SearchWork(10, 1000, "nn", num_policy_params=10**6, policy_batch=100), H100)
    assert one.flops == many.flops == 2e9
    assert one.bytes > 50 * many.bytes


def test_bigger_policy_costs_more_per_evaluation():
    small = solver_price(SearchWork(1, 1, "nn", num_policy_params=10**5), H100)
    big = solver_price(SearchWork(1, 1, "nn", num_policy_params=10**7), H100)
    assert big.eflops > 50 * small.eflops


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"policy": "lstm"}, "policy"),
        ({"policy": "cm"}, "num_active_contexts"),
        ({"policy": "nn"}, "num_policy_params"),
        ({"policy": "nn", "num_policy_params": 5, "num_expansions": -1}, "num_expansions"),
        ({"policy": "nn", "num_policy_params": 5, "policy_batch": 0}, "policy_batch"),
    ],
)
def test_validation(kw, field):
    args = {"num_expansions": 1, "num_policy_evals": 1, **kw}
    with pytest.raises(ValidationError) as err:
        SearchWork(**args)
    assert err.value.field == field
