"""The context-model policy: compiled contexts, in-kernel evaluation, files."""

import numpy as np
import pytest

from kairos.container import pack, unpack
from kairos.data import BOXOBAN_DEMO, STP_4X4_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import read_instances
from kairos.errors import CorruptFileError, MalformedFileError, MismatchError, ValidationError
from kairos.policy import UniformPolicy
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.contexts import bind, contexts, sokoban_spec
from kairos.policy.files import load_policy, policy_bytes, read_policy_file
from kairos.search import SearchConfig, search


def _random_walk(problem, steps, seed):
    rng = np.random.default_rng(seed)
    state, last, out = problem.initial_state(), -1, []
    for _ in range(steps):
        out.append((state, last))
        legal = problem.legal_actions(state)
        last = int(rng.choice(legal))
        state = problem.step(state, last)
    return out


@pytest.mark.parametrize("name", ["sokoban", "stp"])
def test_compiled_legality_matches_domain(name):
    problems = (
        read_levels(data_path(BOXOBAN_DEMO))[:10]
        if name == "sokoban"
        else read_instances(data_path(STP_4X4_DEMO))[:5]
    )
    policy = ContextModelPolicy(name)
    ctx = np.empty(policy.spec.num_patterns, np.int64)
    legal = np.empty(4, np.bool_)
    for k, problem in enumerate(problems):
        pint = bind(policy.spec, problem)
        for state, last in _random_walk(problem, 60, seed=k):
            contexts(pint, problem.pack(state), last, ctx, legal)
            assert list(np.flatnonzero(legal)) == problem.legal_actions(state)
            assert ctx.min() >= 0 and ctx.max() < 1 << policy.spec.log2_rows


def test_contexts_see_box_moves_and_last_action():
    level = read_levels(data_path(BOXOBAN_DEMO))[0]
    pint = bind(sokoban_spec(), level)
    state = level.initial_state()
    a = level.legal_actions(state)[0]
    ctx = [np.empty(31, np.int64) for _ in range(3)]
    legal = np.empty(4, np.bool_)
    contexts(pint, level.pack(state), -1, ctx[0], legal)
    contexts(pint, level.pack(state), a, ctx[1], legal)
    contexts(pint, level.pack(level.step(state, a)), a, ctx[2], legal)
    # only the two last-action contexts change with the last action
    assert np.sum(ctx[0] != ctx[1]) == 2
    assert np.sum(ctx[1] != ctx[2]) > 2


def test_zero_weights_search_like_uniform():
    # log((1-ε)/n + ε/n) and -log n differ in the last bits, which may flip a tie
    levels = read_levels(data_path(BOXOBAN_DEMO))[:6]
    cm = ContextModelPolicy("sokoban")
    for level in levels:
        a = search(level, SearchConfig(budget=3000), UniformPolicy())
        b = search(level, SearchConfig(budget=3000), cm)
        assert a.status == b.status
        assert b.expansions == pytest.approx(a.expansions, rel=0.01)
        assert b.generated == pytest.approx(a.generated, rel=0.01)
        if a.solved:
            assert b.solution_log_prob == pytest.approx(a.solution_log_prob, rel=0.05)


def test_log_probs_are_the_mixture_over_legal_actions():
    level = read_levels(data_path(BOXOBAN_DEMO))[3]
    cm = ContextModelPolicy("sokoban", epsilon=0.1)
    cm.beta[:] = np.random.default_rng(0).normal(0.0, 2.0, cm.beta.shape)
    walk = _random_walk(level, 30, seed=1)
    states = np.stack([level.pack(s) for s, _ in walk])
    last = np.array([a for _, a in walk])
    lp = cm.log_probs(states, last, level)
    for (state, _), row in zip(walk, lp, strict=True):
        legal = level.legal_actions(state)
        p = np.exp(row[legal])
        assert p.sum() == pytest.approx(1.0)
        assert p.min() >= 0.1 / len(legal) - 1e-12
        assert np.all(np.isneginf(np.delete(row, legal)))


def test_search_log_prob_is_the_policy_path_probability():
    level = read_levels(data_path(BOXOBAN_DEMO))[24]
    cm = ContextModelPolicy("sokoban")
    cm.beta[:] = np.random.default_rng(1).normal(0.0, 0.5, cm.beta.shape)
    res = search(level, SearchConfig(budget=200_000), cm)
    assert res.solved
    state, last, total = level.initial_state(), -1, 0.0
    for a in res.actions:
        lp = cm.log_probs(level.pack(state)[None], np.array([last]), level)[0]
        total += lp[a]
        state, last = level.step(state, a), a
    assert res.solution_log_prob == pytest.approx(total, abs=1e-9)


def test_file_roundtrip_keeps_search_identical(tmp_path):
    level = read_levels(data_path(BOXOBAN_DEMO))[5]
    cm = ContextModelPolicy("sokoban", epsilon=0.01, seed=7)
    rows = np.random.default_rng(2).choice(len(cm.beta), 5000, replace=False)
    cm.beta[rows] = np.random.default_rng(3).normal(0.0, 1.0, (5000, 4)).astype(np.float32)
    cm.save(tmp_path / "p.kpol")
    back = load_policy(tmp_path / "p.kpol", domain="sokoban")
    assert isinstance(back, ContextModelPolicy)
    assert (back.epsilon, back.seed, back.spec) == (0.01, 7, cm.spec)
    np.testing.assert_array_equal(back.weights, cm.weights)
    a = search(level, SearchConfig(budget=5000), cm)
    b = search(level, SearchConfig(budget=5000), back)
    assert (a.expansions, a.actions) == (b.expansions, b.actions)
    _, arrays = read_policy_file(tmp_path / "p.kpol")
    assert len(arrays["rows"]) == 5000  # sparse: only the learnt rows are stored


def test_file_errors_are_typed_and_name_the_file(tmp_path):
    cm = ContextModelPolicy("stp")
    cm.beta[:3] = 1.0
    path = tmp_path / "p.kpol"
    cm.save(path)
    with pytest.raises(MismatchError, match="trained for domain 'stp'"):
        load_policy(path, domain="sokoban")
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 1
    (tmp_path / "bad.kpol").write_bytes(bytes(blob))
    with pytest.raises(CorruptFileError, match=r"bad\.kpol"):
        load_policy(tmp_path / "bad.kpol")
    header, arrays = read_policy_file(path)
    spec = header["spec"]
    wrong_rows = {"rows": np.array([1 << 30]), "values": np.zeros((1, 4), np.float32)}
    with pytest.raises(ValidationError, match=r"arrays\.rows"):  # never written...
        policy_bytes("cm", "stp", spec, wrong_rows)
    layout = {"rows": ["int64", [1]], "values": ["float32", [1, 4]]}
    crafted = {**header, "arrays": layout}
    payload = np.array([1 << 30]).tobytes() + np.zeros(4, np.float32).tobytes()
    (tmp_path / "rows.kpol").write_bytes(pack(b"KPOL", 1, crafted, payload))
    with pytest.raises(MalformedFileError, match=r"rows\.kpol.*arrays\.rows"):  # ...nor read
        load_policy(tmp_path / "rows.kpol")
    no_spec = {k: v for k, v in spec.items() if k != "contexts"}
    with pytest.raises(ValidationError, match=r"spec\.contexts"):
        policy_bytes("cm", "stp", no_spec, arrays)
    crafted = {**header, "spec": no_spec}
    (tmp_path / "spec.kpol").write_bytes(pack(b"KPOL", 1, crafted, unpack_payload(path)))
    with pytest.raises(CorruptFileError, match=r"spec\.kpol.*spec\.contexts"):
        load_policy(tmp_path / "spec.kpol")


def unpack_payload(path):
    return unpack(path.read_bytes(), magic=b"KPOL", versions={1})[2]


def test_constructor_validates():
    with pytest.raises(ValidationError, match="domain"):
        ContextModelPolicy("chess")
    with pytest.raises(ValidationError, match="epsilon"):
        ContextModelPolicy("stp", epsilon=1.0)
    with pytest.raises(ValidationError, match="beta"):
        ContextModelPolicy("stp", beta=np.zeros((3, 4)))


class _Batched:
    """The same context model, but scored in Python batches (the neural path)."""

    compiled = None

    def __init__(self, cm):
        self.cm, self.name = cm, "batched-cm"

    def log_probs(self, states, last_actions, domain):
        return self.cm.log_probs(states, last_actions, domain)  # domain: CompiledDomain


def test_batched_path_matches_the_compiled_path():
    level = read_levels(data_path(BOXOBAN_DEMO))[7]
    cm = ContextModelPolicy("sokoban")
    cm.beta[:] = np.random.default_rng(5).normal(0.0, 0.5, cm.beta.shape)
    a = search(level, SearchConfig(budget=2000), cm)
    b = search(level, SearchConfig(budget=2000, batch_size=1), _Batched(cm))
    assert (a.status, a.expansions, a.generated, a.actions) == (
        b.status,
        b.expansions,
        b.generated,
        b.actions,
    )
