"""The transformer prior over programs: vocabulary, decoding, cached steps, files, training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kairos.container import pack, unpack
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, run
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import BOOL, INT, arrow, tlist
from kairos.errors import (
    CorruptFileError,
    ForeignFileError,
    MismatchError,
    ValidationError,
    VersionError,
)
from kairos.nn.transformer import TransformerConfig
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.policy.transformer_prior.train import dream, make_examples, train
from kairos.policy.transformer_prior.vocab import Vocab

NAMES = [p.name for p in PRIMITIVES]
LL = arrow(tlist(INT), tlist(INT))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def tiny(seed: int = 0) -> RecognitionModel:
    vocab = Vocab(NAMES)
    cfg = TransformerConfig(
        vocab_size=len(vocab),
        d_model=32,
        num_layers=2,
        num_heads=4,
        num_kv_heads=2,
        d_ff=64,
        max_seq_len=160,
    )
    return RecognitionModel(cfg, vocab, max_prompt_tokens=96, seed=seed)


def test_prompt_serialises_types_values_and_truncates():
    v = Vocab(NAMES)
    ids = v.prompt(tlist(INT), BOOL, [(([1, 200, -3],), True)], 64)
    words = [v.words[i] for i in ids]
    assert words == [
        "<bos>",
        "<list(int)>",
        "<bool>",
        "<ex>",
        "<lst>",
        "1",
        "<int?>",
        "-3",
        "</lst>",
        "<out>",
        "true",
        "<prog>",
    ]
    many = [(([k] * 10,), [k]) for k in range(20)]
    assert len(v.prompt(tlist(INT), tlist(INT), many, 40)) <= 40
    with pytest.raises(ValidationError, match="examples"):
        v.prompt(tlist(INT), INT, [], 64)
    with pytest.raises(ValidationError, match="type"):
        v.prompt(arrow(INT, INT), INT, [((1,), 1)], 64)


@pytest.mark.parametrize(
    "text",
    [
        "(lambda (map (lambda (+ $0 (length $1))) (filter (lambda (gt? $0 2)) $0)))",
        "(lambda (fold $0 0 (lambda (lambda (+ $0 $1)))))",
        "(lambda (reverse $0))",
    ],
)
def test_trace_then_constrained_replay_rebuilds_the_program(text):
    dec = Decoder(Vocab(NAMES))
    ids, legal = dec.trace(parse(text), LL if "fold" not in text else arrow(tlist(INT), INT))
    assert all(i in set(ls.tolist()) for i, ls in zip(ids, legal, strict=True))
    node = dec.root(LL if "fold" not in text else arrow(tlist(INT), INT))
    for i in ids:
        allowed, entries, names = dec.legal(node)
        node = dec.advance(node, entries[allowed.tolist().index(i)], names)
    from kairos.domains.programs.enumerate import program

    assert node.holes is None and show(program(node)) == text


def test_trace_rejects_ill_typed_programs():
    dec = Decoder(Vocab(NAMES))
    with pytest.raises(ValidationError, match="program"):
        dec.trace(parse("(lambda (length $0))"), LL)


def test_cached_batched_steps_equal_recomputation():
    m = tiny()
    dec = Decoder(m.vocab)
    ids, _ = dec.trace(
        parse("(lambda (map (lambda (+ $0 (length $1))) (filter (lambda (gt? $0 2)) $0)))"), LL
    )
    prompt = m.prompt(tlist(INT), tlist(INT), [(([1, 2, 3],), [1, 2])])
    kv, first = m.prefill(prompt)
    assert torch.allclose(first, m.full_logits([prompt])[0], atol=1e-5)

    def pasts(seq):
        pk = pv = None
        for d in range(len(seq) - 1):
            _, nk, nv = m.step(kv, pk, pv, torch.tensor([d]), torch.tensor([seq[d]]))
            pk = nk if pk is None else torch.cat([pk, nk], 3)
            pv = nv if pv is None else torch.cat([pv, nv], 3)
        return pk, pv

    a, b = ids[:3], ids[:7]
    (ka, va), (kb, vb) = pasts(a), pasts(b)
    cfg = m.config
    pk = torch.zeros(cfg.num_layers, 2, cfg.num_kv_heads, kb.shape[3], cfg.head_dim)
    pv = torch.zeros_like(pk)
    pk[:, :1, :, : ka.shape[3]], pv[:, :1, :, : va.shape[3]] = ka, va
    pk[:, 1:], pv[:, 1:] = kb, vb
    out, _, _ = m.step(kv, pk, pv, torch.tensor([2, 6]), torch.tensor([a[-1], b[-1]]))
    assert torch.allclose(out, m.full_logits([prompt + a, prompt + b]), atol=1e-5)


def test_model_file_round_trip_and_typed_errors(tmp_path):
    m = tiny(seed=3)
    path = tmp_path / "m.ktpr"
    m.save(path)
    back = RecognitionModel.load(path, NAMES)
    prompt = m.prompt(tlist(INT), INT, [(([4, 5],), 9)])
    assert torch.equal(m.full_logits([prompt]), back.full_logits([prompt]))
    assert back.config == m.config and back.max_prompt_tokens == 96
    with pytest.raises(MismatchError, match="DSL"):
        RecognitionModel.load(path, [*NAMES, "extra"])
    blob = path.read_bytes()
    _, header, payload = unpack(blob, magic=b"KTPR", versions={1})
    bad = tmp_path / "bad.ktpr"
    for change, error in (
        ({"kind": "grammar"}, MismatchError),
        ({"config": {**header["config"], "d_model": 48}}, MismatchError),
        ({"config": {"no_such_field": 1}}, MismatchError),
    ):
        bad.write_bytes(pack(b"KTPR", 1, {**header, **change}, payload))
        with pytest.raises(error):
            RecognitionModel.load(bad)
    bad.write_bytes(pack(b"KTPR", 2, header, payload))
    with pytest.raises(VersionError):
        RecognitionModel.load(bad)
    bad.write_bytes(pack(b"KGRM", 1, header, payload))
    with pytest.raises(ForeignFileError):
        RecognitionModel.load(bad)
    bad.write_bytes(blob[:-40] + bytes(40))
    with pytest.raises(CorruptFileError):
        RecognitionModel.load(bad)


def test_model_refuses_a_config_that_does_not_fit_the_vocabulary():
    with pytest.raises(ValidationError, match="vocab_size"):
        RecognitionModel(TransformerConfig(vocab_size=10, max_seq_len=160), Vocab(NAMES))


def test_dreams_are_distinct_running_programs():
    pairs = dream(Grammar(), 5, seed=1, max_tries=3000)
    assert pairs and pairs == dream(Grammar(), 5, seed=1, max_tries=3000)
    for task, expr in pairs:
        outputs = {repr(y) for _, y in task.examples}
        assert len(outputs) > 1
        fn = compile_program(expr, 1, Grammar().table)
        assert all(run(fn, x) == y for x, y in task.examples)


def test_dreams_come_from_the_grammar_and_its_library_written_in_the_base_dsl():
    from kairos.domains.programs.enumerate import Enumerator
    from kairos.domains.programs.fit import trace
    from kairos.domains.programs.policy_file import program_policy_by_name
    from kairos.policy.transformer_prior.train import MAX_DREAM_TOKENS, sample_dreams

    policy = program_policy_by_name("list-dsl")  # the shipped grammar over the DSL + 10 inventions
    assert policy.library
    got = sample_dreams(policy.grammar, 40, seed=3, library=policy.library, max_tries=4000)
    again = sample_dreams(policy.grammar, 40, seed=3, library=policy.library, max_tries=4000)
    assert got.pairs == again.pairs and len(got.pairs) == 40
    # the shipped grammar puts weight on its inventions: many dreams call one
    assert 0 < got.with_library < len(got.pairs) and got.library_share == got.with_library / 40
    base = Enumerator(Grammar())
    decoder = Decoder(Vocab(NAMES))
    for task, expr in got.pairs:
        rows, _, _ = trace(base, expr, task.request)  # a base-DSL program the enumerator builds
        assert len(rows) <= MAX_DREAM_TOKENS
        decoder.trace(expr, task.request)  # ... and the recognition model can write
        fn = compile_program(expr, 1, Grammar().table)
        assert all(run(fn, x) == y for x, y in task.examples)
    # without the library the same grammar cannot be sampled, and the grammar alone gives none
    with pytest.raises(ValidationError, match="library"):
        sample_dreams(policy.grammar, 5, seed=3)
    with pytest.raises(ValidationError, match="library"):
        sample_dreams(Grammar(), 5, seed=3, library=policy.library)
    plain = sample_dreams(Grammar(), 5, seed=1, max_tries=3000)
    assert plain.with_library == 0 and plain.pairs == dream(Grammar(), 5, seed=1, max_tries=3000)


def test_training_is_seeded_and_lowers_the_loss():
    programs = [
        "(lambda (reverse $0))",
        "(lambda (sort $0))",
        "(lambda (map (lambda (+ $0 1)) $0))",
        "(lambda (cdr $0))",
    ]
    pairs = []
    for k, text in enumerate(programs):
        fn = compile_program(parse(text), 1, Grammar().table)
        xs = [[k, 3, 1, 2], [5, 4], [0, 9, 9, 2, 1]]
        pairs.append(
            (
                Task(f"t{k}", tlist(INT), tlist(INT), tuple(((x,), fn((x,))) for x in xs)),
                parse(text),
            )
        )
    runs = []
    for _ in range(2):
        m = tiny(seed=0)
        ex = make_examples(m, Decoder(m.vocab), pairs, np.random.default_rng(0))
        rep = train(m, ex, seed=0, steps=12, batch_size=4, lr=1e-2)
        runs.append((m, rep))
    (m1, r1), (m2, _) = runs
    assert r1.final_loss < r1.first_loss
    assert all(
        torch.equal(a, b)
        for a, b in zip(m1.net.state_dict().values(), m2.net.state_dict().values(), strict=True)
    )
    with pytest.raises(ValidationError):
        train(m1, ex, seed=0, steps=0)


@torch.no_grad()
def test_code_length_matches_the_constrained_decoding_probabilities():
    m = tiny(seed=1)
    dec = Decoder(m.vocab)
    ids, legal = dec.trace(parse("(lambda (map (lambda (* $0 2)) (reverse $0)))"), LL)
    prompt = m.prompt(tlist(INT), tlist(INT), [(([1, 2],), [4, 2])])
    kv, logits = m.prefill(prompt)
    bits, pk, pv = 0.0, None, None
    for d, (tok, allowed) in enumerate(zip(ids, legal, strict=True)):
        z = logits.reshape(-1)[torch.as_tensor(allowed)].double()
        bits -= float(z[list(allowed).index(tok)] - torch.logsumexp(z, 0)) / np.log(2.0)
        out, nk, nv = m.step(kv, pk, pv, torch.tensor([d]), torch.tensor([tok]))
        pk = nk if pk is None else torch.cat([pk, nk], 3)
        pv = nv if pv is None else torch.cat([pv, nv], 3)
        logits = out[0]
    assert abs(m.code_length_bits(prompt, ids, legal) - bits) < 1e-3
    assert bits > 0
