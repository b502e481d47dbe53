"""Strategies with a transformer prior: verified answers, typed budgets, seeding, pricing."""

from __future__ import annotations

import math

import pytest

from kairos.cost import Workload, estimate, get_hardware
from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.primitives import PRIMITIVES, primitive_table
from kairos.domains.programs.sexpr import parse
from kairos.domains.programs.types import INT, tlist
from kairos.errors import ValidationError
from kairos.nn.transformer import TransformerConfig
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.policy.transformer_prior.vocab import Vocab
from kairos.search.neural.pricing import Meter
from kairos.search.neural.strategies import STRATEGIES, Problem, SuccessPrior, solve_with

HW = get_hardware("cpu")
TABLE = primitive_table(PRIMITIVES)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model():
    vocab = Vocab([p.name for p in PRIMITIVES])
    cfg = TransformerConfig(
        vocab_size=len(vocab),
        d_model=32,
        num_layers=2,
        num_heads=2,
        num_kv_heads=1,
        d_ff=64,
        max_seq_len=160,
    )
    return RecognitionModel(cfg, vocab, max_prompt_tokens=96, seed=0)


@pytest.fixture(scope="module")
def decoder(model):
    return Decoder(model.vocab)


REVERSE = Problem(
    tlist(INT),
    tlist(INT),
    ((([1, 2, 3],), [3, 2, 1]), (([4, 0],), [0, 4]), (([],), []), (([7, 7, 1],), [1, 7, 7])),
    (([5, 6],), ([9],)),
)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_answers_only_with_verified_programs(model, decoder, strategy):
    a = solve_with(
        strategy,
        model,
        decoder,
        REVERSE,
        budget=4 if strategy != "lts" else 300,
        hardware=HW,
        seed=1,
    )
    assert a.strategy == strategy and a.eflops > 0 and a.cpu_s > 0 and a.prompt_tokens > 0
    if a.program:
        fn = compile_program(parse(a.program), 1, TABLE)
        assert consistent(fn, REVERSE.shown) == a.solved
    if strategy != "vote":
        assert a.solved == bool(a.program)


def test_token_lts_finds_a_short_program_under_an_untrained_prior(model, decoder):
    a = solve_with("lts", model, decoder, REVERSE, budget=3000, hardware=HW, batch_size=16)
    assert a.solved
    fn = compile_program(parse(a.program), 1, TABLE)
    assert fn(([5, 6],)) == [6, 5]
    assert a.checkpoints[-1].solved and a.rows <= a.units * 1.0 + 16


@pytest.mark.parametrize("budget", [0, -3, 2.5, True])
def test_bad_budgets_are_typed_errors(model, decoder, budget):
    with pytest.raises(ValidationError, match="budget"):
        solve_with("sample", model, decoder, REVERSE, budget=budget, hardware=HW)


def test_bad_strategy_and_time_limit(model, decoder):
    with pytest.raises(ValidationError, match="strategy"):
        solve_with("beam", model, decoder, REVERSE, budget=4, hardware=HW)
    with pytest.raises(ValidationError, match="time_limit_s"):
        solve_with("lts", model, decoder, REVERSE, budget=4, hardware=HW, time_limit_s=0)


def test_sampling_is_seeded(model, decoder):
    runs = [
        solve_with("vote", model, decoder, REVERSE, budget=8, hardware=HW, seed=s)
        for s in (5, 5, 6)
    ]
    key = [
        [(c.answers["sample"], c.answers["vote"], c.answers["verified"]) for c in r.checkpoints]
        for r in runs
    ]
    assert key[0] == key[1]
    assert runs[0].rows == runs[1].rows
    assert runs[0].rows != runs[2].rows or key[0] != key[2]


def test_adaptive_stops_where_the_shared_stream_says(model, decoder):
    stream = solve_with("sample", model, decoder, REVERSE, budget=12, hardware=HW, seed=2)
    direct = solve_with("adaptive", model, decoder, REVERSE, budget=12, hardware=HW, seed=2)
    stop = next(
        (c for c in stream.checkpoints if c.answers["confidence"] >= 0.95), stream.checkpoints[-1]
    )
    assert direct.units == stop.units and direct.program == stop.answers["adaptive"]


def test_marginal_value_stops_when_a_solve_is_worth_less_than_a_slice(model, decoder):
    cheap = solve_with(
        "marginal", model, decoder, REVERSE, budget=12, hardware=HW, value_eflops=1.0
    )
    assert (
        cheap.units == 4
    )  # the first slice is drawn, then every next slice costs more than it is worth
    rich = solve_with("marginal", model, decoder, REVERSE, budget=8, hardware=HW, value_eflops=1e30)
    assert rich.solved or rich.units == 8


def test_success_prior_fit_and_prediction():
    import numpy as np

    rng = np.random.default_rng(0)
    p = rng.beta(0.5, 4.0, size=400)
    succ = rng.binomial(32, p)
    prior = SuccessPrior.fit(succ, [32] * 400)
    assert 0.3 < prior.a < 0.8 and 2.5 < prior.b < 6.5
    assert prior.p_success(0, 4) > prior.p_success(40, 4) > 0
    assert prior.p_success(8, 8) > prior.p_success(8, 4)
    with pytest.raises(ValidationError):
        SuccessPrior.fit([3], [2])


def test_success_prior_stays_off_the_point_masses_when_tasks_all_succeed_or_all_fail():
    # unbounded, the likelihood of these counts grows as a, b -> 0 and one failed slice
    # would then end every task; the floor keeps a solve after 4 failures possible
    prior = SuccessPrior.fit([16, 16, 16, 0, 0, 0, 0, 0], [16] * 8)
    assert prior.a >= 0.01 and prior.b >= 0.01
    assert prior.p_success(4, 4) > 1e-3
    assert prior.p_success(4, 4) > prior.p_success(64, 4)


def test_decode_calls_are_priced_as_kairos_cost_prices_shared_prompt_samples(model):
    spec = model.cost_spec()
    prompt, n, length = 50, 6, 5
    meter = Meter(spec, HW)
    for s in range(1, length + 1):
        meter.decode(prompt, [s] * n)
    cost = estimate(spec, Workload.of(prompt_tokens=prompt, gen_tokens=length, num_samples=n), HW)
    decode = [t for t in cost.terms if t.phase == "decode"]
    assert math.isclose(meter.flops, sum(t.flops for t in decode), rel_tol=1e-9)
    assert math.isclose(meter.bytes, sum(t.bytes for t in decode), rel_tol=1e-9)
    assert meter.calls == length and meter.rows == n * length
