"""The speed-up law's measurements: code lengths, coded bits, pairs, fits and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kairos.domains.stp import generate
from kairos.errors import InputFormatError, ValidationError
from kairos.policy.hashed import HashedRandomPolicy
from kairos.policy.uniform import UniformPolicy
from kairos.search import SearchConfig, search
from kairos.search.paths import code_length_bits
from kairos.speedup.experiment import compressor_information, nested_priors, run_speedup
from kairos.speedup.measure import analyse, coded_stream, pair_rows

TREE = SearchConfig(budget=500_000, state_cut=False)


@pytest.mark.parametrize("state_cut", [True, False])
def test_code_lengths_match_search_and_the_coder_writes_them(state_cut):
    config = SearchConfig(budget=500_000, state_cut=state_cut)
    tasks = [generate(3, 12 + s, seed=s) for s in range(5)]
    for policy in (UniformPolicy(), HashedRandomPolicy(seed=3)):
        results = [search(t, config, policy) for t in tasks]
        for task, result in zip(tasks, results, strict=True):
            bits = code_length_bits(task, result.actions, policy, state_cut=state_cut)
            assert bits == pytest.approx(-result.solution_log_prob / math.log(2))
        stream = coded_stream(tasks, results, policy, state_cut=state_cut)
        assert stream["paths"] == 5 and stream["round_trip"]
        assert stream["ideal_bits"] <= stream["written_bits"] <= stream["ideal_bits"] + 64


def test_pairs_obey_the_lts_identity():
    from kairos.policy.cm import ContextModelPolicy

    tasks = [generate(3, 10 + s, seed=s) for s in range(6)]
    policy = ContextModelPolicy("stp")
    policy.beta[:] = np.random.default_rng(0).normal(0.0, 1.0, policy.beta.shape)
    base = [search(t, TREE) for t in tasks]
    learned = [search(t, TREE, policy) for t in tasks]
    rows = pair_rows(tasks, base, learned, None, state_cut=False)
    assert len(rows) == sum(a.solved and b.solved for a, b in zip(base, learned, strict=True))
    for r in rows:
        # log2 T0/TD - I = log2 d0/dD + (u0 - uD), row by row
        lhs = math.log2(r["T0"] / r["TD"]) - (r["l0_own"] - r["lD_own"])
        rhs = math.log2(r["d0"] / r["dD"]) + r["unused0"] - r["unusedD"]
        assert lhs == pytest.approx(rhs)
        assert r["unused0"] <= 1e-9 and r["unusedD"] <= 1e-9  # T never exceeds the bound
        assert r["l0_shared"] >= 0


def test_analyse_recovers_a_planted_law():
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(50):
        info = rng.uniform(0, 20)
        rows.append({"T0": 2.0 ** (info + 3), "TD": 8.0, "d0": 10, "dD": 10,
                     "l0_own": info + 5, "lD_own": 5.0, "l0_shared": info + 5, "lD_shared": 5.0,
                     "bound0": info + 8, "boundD": 8.0, "unused0": -5.0, "unusedD": -5.0})  # fmt: skip
    fits = analyse(rows, resamples=100)
    assert fits["primary"]["slope"] == pytest.approx(1.0)
    assert fits["primary"]["r2"] == pytest.approx(1.0)
    assert fits["decomposition"]["mean_unused_term"] == pytest.approx(0.0)


def test_compressor_information_is_larger_for_a_repeated_solution():
    training = ["UULDRRDL" * 3, "LLURDDRU" * 3]
    seen = compressor_information("UULDRRDL" * 3, training, "xz")
    unseen = compressor_information("DRULDLUR" * 3, training, "xz")
    assert seen > unseen


@pytest.mark.slow
def test_law_on_the_8_puzzle_small():
    train = [generate(3, 8 + s % 20, seed=500 + s) for s in range(120)]
    bfs = SearchConfig(algorithm="bfs", budget=10**6)
    solved = {i: list(search(p, bfs).actions) for i, p in enumerate(train)}
    tasks = [generate(3, 60, seed=s) for s in range(30)]
    summary, _ = run_speedup(tasks, train, solved, domain="stp", sizes=[8, 120],
                                budget=2_000_000, resamples=200)  # fmt: skip
    assert summary["n"] >= 20
    assert summary["r2"] > 0.8


def test_nested_priors_validate_sizes():
    train = [generate(3, 6, seed=s) for s in range(4)]
    solved = {
        i: list(search(p, SearchConfig(algorithm="bfs")).actions) for i, p in enumerate(train)
    }
    priors = nested_priors(train, solved, domain="stp", sizes=[2, 4])
    assert [n for n, _, _ in priors] == [2, 4]
    assert set(priors[0][2]) <= set(priors[1][2])
    with pytest.raises(ValidationError, match="sizes"):
        nested_priors(train, solved, domain="stp", sizes=[5])


def test_speedup_cli_on_a_small_train_run(tmp_path):
    import json

    from typer.testing import CliRunner

    from kairos.cli import app
    from kairos.domains.stp import write_instances

    write_instances(
        tmp_path / "train.txt", [generate(3, 4 + s % 12, seed=900 + s) for s in range(40)]
    )
    write_instances(tmp_path / "tasks.txt", [generate(3, 30, seed=s) for s in range(12)])
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "stp", "--levels", str(tmp_path / "train.txt"),
                                  "--out", str(tmp_path / "run"), "--jobs", "1"])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    out = runner.invoke(app, ["speedup", str(tmp_path / "run"), "--levels", str(tmp_path / "tasks.txt"),
                              "--sizes", "5,all", "--budget", "300000", "--resamples", "50",
                              "--json", "--out", str(tmp_path / "speedup")])  # fmt: skip
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    for key in ("slope", "intercept", "r2", "n", "slope_ci", "shared_path", "state_cut", "bound"):
        assert key in summary
    assert summary["n"] >= 6
    for name in ("speedup.json", "speedup.csv", "speedup.png"):
        assert (tmp_path / "speedup" / name).is_file()
    assert not (tmp_path / "run" / "speedup").exists()  # the training run is left as it was
    meta = json.loads((tmp_path / "speedup" / "run.json").read_text())
    assert meta["status"] == "completed" and meta["results"]["n"] == summary["n"]
    bad = runner.invoke(app, ["speedup", str(tmp_path), "--levels", str(tmp_path / "tasks.txt")])
    assert isinstance(bad.exception, InputFormatError)  # not a train run folder
    assert "run.json" in str(bad.exception)
    from kairos.errors import ValidationError

    tasks = str(tmp_path / "tasks.txt")
    for args, field in (
        (["--sizes", "5,lots"], "--sizes"),
        (["--sizes", "5000"], "--sizes"),
        (["--budget", "0"], "--budget"),
        (["--limit", "0"], "--limit"),
        (["--resamples", "0"], "--resamples"),
    ):
        bad = runner.invoke(app, ["speedup", str(tmp_path / "run"), "--levels", tasks, *args])
        assert isinstance(bad.exception, ValidationError), (args, bad.output)
        assert bad.exception.field == field
    for args in (["--base", "median"], ["--compressor", "zip"]):  # choices from the registry
        bad = runner.invoke(app, ["speedup", str(tmp_path / "run"), "--levels", tasks, *args,
                                  "--out", str(tmp_path / "never")])  # fmt: skip
        assert bad.exit_code == 2 and args[0] in bad.output
        assert not (tmp_path / "never").exists()  # checked before any side effect
