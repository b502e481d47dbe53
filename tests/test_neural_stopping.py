"""Stopping rules read off a recorded stream: the Beta criterion, slices, and the direct runs."""

from __future__ import annotations

import math

import pytest

from kairos.cost import get_hardware
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.domains.programs.types import INT, tlist
from kairos.errors import ValidationError
from kairos.nn.transformer import TransformerConfig
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.policy.transformer_prior.vocab import Vocab
from kairos.search.neural.stopping import (
    Draw,
    adaptive_verified,
    adaptive_vote,
    best_of_n,
    beta_majority_confidence,
    first_verified,
    vote,
)
from kairos.search.neural.strategies import Problem, solve_with

HW = get_hardware("cpu")


def d(program, outputs, verified=False, lp=-1.0):
    return Draw(program, lp if program else -math.inf, outputs, verified)


def test_beta_criterion_is_the_papers_integral_over_one_half_to_one():
    # Beta(v1 + 1, 1) mass above 1/2 is 1 - 2^-(v1 + 1): 3 agreeing samples are not enough, 4 are
    assert beta_majority_confidence(3, 0) == pytest.approx(1 - 0.5**4)
    assert beta_majority_confidence(4, 0) == pytest.approx(1 - 0.5**5)
    assert beta_majority_confidence(5, 5) == pytest.approx(0.5)
    assert beta_majority_confidence(2, 9) < 0.05


def test_adaptive_vote_stops_on_the_fourth_agreeing_sample_or_at_the_slice_end():
    draws = [d("a", ("1",))] * 4 + [d("b", ("2",))] * 8
    assert adaptive_vote(draws, 12, 1) == adaptive_vote(draws, 12, 4)
    assert adaptive_vote(draws, 12, 1).samples == 4
    late = [d("b", ("2",))] + [d("a", ("1",))] * 11
    # 1 dissenting + 6 agreeing: Beta(7, 2) above 1/2 is 0.965; 5 agreeing give 0.89
    assert adaptive_vote(late, 12, 1).samples == 7
    assert adaptive_vote(late, 12, 4).samples == 8
    assert adaptive_vote(late, 12, 4).program == "a"


def test_adaptive_vote_ignores_programs_that_fail_and_spends_the_cap_without_consensus():
    fails = [d("f", None)] * 6 + [d("", None)] * 2 + [d("a", ("1",)), d("b", ("2",))] * 2
    stop = adaptive_vote(fails, 12, 4)
    assert stop.samples == 12 and stop.program in ("a", "b")
    assert vote(fails, 8).program == ""  # nothing that runs on the hidden inputs yet


def test_verifier_rules_spend_what_they_draw():
    draws = [d("x", ("0",))] * 5 + [d("v", ("1",), True, -3.0), d("w", ("2",), True, -2.0)] * 3
    assert best_of_n(draws, 11).program == best_of_n(draws, 8).program
    assert best_of_n(draws, 11).program == "w" and best_of_n(draws, 11).samples == 11
    assert best_of_n(draws, 4).program == ""
    # the first verified sample is the 6th: the slice of 4 ends at 8 (where w is more probable)
    assert first_verified(draws, 11, 4).samples == 8 and first_verified(draws, 11, 4).program == "w"
    assert first_verified(draws, 11, 1).samples == 6 and first_verified(draws, 11, 1).program == "v"
    assert first_verified(draws, 4, 4).samples == 4 and first_verified(draws, 4, 4).program == ""
    # every sample's answer counts: 4 x "0" in the first slice, so kairos's adaptive gives up
    assert adaptive_verified(draws, 11, 4) == adaptive_verified(draws, 11, 1)
    assert adaptive_verified(draws, 11, 4).samples == 4
    assert adaptive_verified(draws, 11, 4).program == ""


@pytest.mark.parametrize(
    ("n", "slice_size", "field"), [(0, 1, "n"), (4, 0, "slice_size"), (13, 4, "draws")]
)
def test_bad_caps_are_typed_errors(n, slice_size, field):
    with pytest.raises(ValidationError, match=field):
        adaptive_vote([d("a", ("1",))] * 12, n, slice_size)


@pytest.mark.usefixtures("one_torch_thread")
def test_the_read_off_rules_match_direct_runs_on_the_same_seed():
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
    model = RecognitionModel(cfg, vocab, max_prompt_tokens=96, seed=0)
    decoder = Decoder(vocab)
    problem = Problem(
        tlist(INT),
        tlist(INT),
        ((([1, 2, 3],), [3, 2, 1]), (([4, 0],), [0, 4]), (([],), [])),
        (([5, 6],), ([9],)),
    )
    for seed in (2, 3):
        stream = solve_with("sample", model, decoder, problem, budget=16, hardware=HW, seed=seed)
        assert len(stream.draws) == 16
        for c in stream.checkpoints:
            assert best_of_n(stream.draws, c.units).program == c.answers["sample"]
            assert vote(stream.draws, c.units).program == c.answers["vote"]
        for cap in (8, 16):
            direct = solve_with(
                "adaptive", model, decoder, problem, budget=cap, hardware=HW, seed=seed
            )
            got = adaptive_verified(stream.draws, cap, 4)
            assert (got.samples, got.program) == (direct.units, direct.program)
            assert direct.draws == stream.draws[: direct.units]


def test_adaptive_first_verified_exits_on_success_and_gives_up_on_consensus():
    from kairos.search.neural.stopping import adaptive_first_verified

    wrong = [d("x", ("0",))] * 12
    assert adaptive_first_verified(wrong, 12, 4) == adaptive_first_verified(wrong, 12, 1)
    assert adaptive_first_verified(wrong, 12, 4).samples == 4
    mixed = [d("x", ("0",)), d("y", ("1",)), d("z", None)] * 2 + [d("v", ("2",), True)] * 6
    stop = adaptive_first_verified(mixed, 12, 4)
    assert (stop.program, stop.samples) == ("v", 8)
