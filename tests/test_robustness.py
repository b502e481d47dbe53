"""Issue 11, items 4-8: output paths, unbounded inputs, degenerate fits, the rest of the list
and the silent answers (the CLI table in test_cli_table.py covers the bad invocations)."""

from __future__ import annotations

import json
import math
import os
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from kairos.cli import app
from kairos.data import STP_3X3_DEMO, data_path
from kairos.errors import (
    InputFormatError,
    OutputPathError,
    UnidentifiableError,
    ValidationError,
)

STP = str(data_path(STP_3X3_DEMO))


# --- item 4: output paths ------------------------------------------------------------------------


def test_write_output_turns_os_errors_into_typed_errors_naming_the_path(tmp_path):
    from kairos.outputs import write_output

    (tmp_path / "file").write_text("x")
    for target, words in (
        (tmp_path, "folder"),
        (tmp_path / "file" / "a.kz", "file"),
        ("", "empty"),
    ):
        with pytest.raises(OutputPathError, match=words) as info:
            write_output(target, b"data")
        assert str(target) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_output_in_a_read_only_folder(tmp_path):
    from kairos.outputs import write_output

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(OutputPathError, match="permission denied"):
        write_output(ro / "a", b"data")


def test_write_output_names_a_permission_error(tmp_path, monkeypatch):
    # what a read-only folder gives a non-root user (this suite may run as root)
    import kairos.container
    from kairos.outputs import write_output

    def denied(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(kairos.container, "atomic_write_bytes", denied)
    with pytest.raises(OutputPathError, match="permission denied") as info:
        write_output(tmp_path / "a.kz", b"data")
    assert str(tmp_path / "a.kz") in str(info.value)


def test_compress_refuses_to_overwrite_without_force_and_never_replaces_a_link(tmp_path):
    src, old = tmp_path / "in.txt", tmp_path / "old.kz"
    src.write_text("hello hello hello\n")
    old.write_text("precious\n")
    refused = CliRunner().invoke(app, ["compress", str(src), "-o", str(old)])
    assert isinstance(refused.exception, OutputPathError) and "--force" in str(refused.exception)
    assert old.read_text() == "precious\n"
    forced = CliRunner().invoke(app, ["compress", str(src), "-o", str(old), "--force"])
    assert forced.exit_code == 0 and old.read_bytes()[:4] == b"KZIP"
    target, link = tmp_path / "target", tmp_path / "link"
    target.write_text("kept\n")
    link.symlink_to(target)
    out = CliRunner().invoke(app, ["decompress", str(old), "-o", str(link), "--force"])
    assert isinstance(out.exception, OutputPathError) and "symbolic link" in str(out.exception)
    assert link.is_symlink() and target.read_text() == "kept\n"


def test_default_run_folders_are_unique_within_one_second(tmp_path):
    from kairos.outputs import new_run_path

    paths = {new_run_path("solve", tmp_path / "runs") for _ in range(5)}
    assert len(paths) == 5 and all(p.is_dir() for p in paths)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished 3x3 training run (two puzzles) and its policy bytes."""
    root = tmp_path_factory.mktemp("trained")
    out = CliRunner().invoke(
        app, ["train", "stp", "--levels", STP, "--limit", "2", "--out", str(root / "run"),
              "--jobs", "1"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    return root / "run"


def test_train_into_an_existing_run_without_resume_refuses(trained):
    before = (trained / "policy.kpol").read_bytes(), (trained / "checkpoint.kbst").read_bytes()
    out = CliRunner().invoke(
        app, ["train", "stp", "--levels", STP, "--out", str(trained), "--jobs", "1"]
    )
    assert isinstance(out.exception, OutputPathError) and "--resume" in str(out.exception)
    assert ((trained / "policy.kpol").read_bytes(), (trained / "checkpoint.kbst").read_bytes()) == (
        before
    )


def test_log_csv_keeps_its_columns_after_a_resume(trained, tmp_path):
    import shutil

    from kairos.learn.bootstrap import LOG_COLUMNS

    run = tmp_path / "run"
    shutil.copytree(trained, run)
    header = (run / "log.csv").read_text().splitlines()[0]
    out = CliRunner().invoke(
        app, ["train", "stp", "--levels", STP, "--limit", "2", "--out", str(run), "--resume",
              "--jobs", "1"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (run / "log.csv").read_text().splitlines()[0] == header == ",".join(LOG_COLUMNS)


# --- item 5: inputs of unbounded size ------------------------------------------------------------


@pytest.mark.parametrize("reader", ["levels", "instances", "config", "table"])
def test_readers_refuse_devices_before_reading(reader):
    from kairos.cost.spec import load_config
    from kairos.domains.sokoban import read_levels
    from kairos.domains.stp import read_instances
    from kairos.scaling.table import read_table

    read = {
        "levels": read_levels,
        "instances": read_instances,
        "config": load_config,
        "table": lambda p: read_table(p, ["x", "y"]),
    }[reader]
    with pytest.raises(InputFormatError, match="not a regular file"):
        read("/dev/zero")


def test_input_size_cap_has_a_clear_message(tmp_path):
    from kairos.inputs import read_input_text

    big = tmp_path / "big.txt"
    big.write_text("x" * 1001)
    with pytest.raises(InputFormatError, match="over the 1,000-byte limit"):
        read_input_text(big, max_bytes=1000)


def _attended_loop(prompt, length, sparse):
    """The step-by-step sums the closed form replaced (kairos at 91920c8)."""
    steps = np.arange(1, length + 1, dtype=np.float64)
    context = prompt + steps
    if sparse is None:
        return float(context.sum()), prompt * float(length), 0.0
    attended = np.minimum(context, sparse.budget_tokens)
    searching = context > sparse.budget_tokens
    centroids = np.where(searching, np.ceil(context / sparse.block_size), 0.0)
    return float(attended.sum()), 0.0, float(centroids.sum())


@pytest.mark.parametrize("prompt", [0, 1, 7, 300])
@pytest.mark.parametrize("length", [1, 2, 17, 1000, 4097])
@pytest.mark.parametrize("sparse", [None, (16, 4), (256, 16), (5, 5)])
def test_closed_form_attention_sums_equal_the_loop(prompt, length, sparse):
    from kairos.cost.estimate import _attended_positions
    from kairos.cost.workload import BlockTopK, Workload

    sp = None if sparse is None else BlockTopK(*sparse)
    work = Workload.of(prompt_tokens=prompt, gen_tokens=length, sparse=sp)
    assert _attended_positions(work, length) == _attended_loop(prompt, length, sp)


def test_cost_of_a_huge_generation_is_computed_at_once():
    from kairos.cost import Workload, estimate, get_hardware, get_model

    work = Workload.of(prompt_tokens=1024, gen_tokens=10**15)
    result = estimate(get_model("qwen3-8b"), work, get_hardware("h100"))
    assert math.isfinite(result.eflops) and result.eflops > 0
    with pytest.raises(ValidationError, match="gen"):
        Workload.of(prompt_tokens=1, gen_tokens=10**26)


def test_solve_budget_error_is_typed_with_one_job():
    from kairos.domains.stp import read_instances
    from kairos.search import SearchConfig
    from kairos.search.parallel import solve_all

    with pytest.raises(ValidationError, match="budget"):
        solve_all(read_instances(STP)[:1], SearchConfig(budget=10**12), jobs=1)


# --- item 6: degenerate data ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "words"),
    [
        ([5.0] * 10, [1.0 + k for k in range(10)], "2 distinct x"),
        ([5.0] * 10, [2.0] * 10, "2 distinct x"),  # ten identical rows
        ([float(10**k) for k in range(1, 9)], [2.0] * 8, "zero variance"),
        ([1.0, 2.0, 2.0, 2.0, 2.0, 2.0], [3.0, 2.0, 2.1, 2.2, 2.0, 2.1], "distinct x"),
    ],
)
def test_unidentifiable_data_is_refused(x, y, words):
    from kairos.scaling.table import validate_xy

    law = "saturating" if words == "distinct x" else "power"
    num_params = 4 if law == "saturating" else 3
    with pytest.raises(UnidentifiableError, match=words):
        validate_xy(np.array(x), np.array(y), num_inputs=1, num_params=num_params, law=law)


def test_plateau_test_refuses_equal_x_rather_than_a_verdict():
    from kairos.scaling.plateau import plateau_test

    with pytest.raises(UnidentifiableError):
        plateau_test(np.full(10, 5.0), np.arange(1.0, 11.0), families=("power", "saturating"))


def test_fit_reports_identifiability():
    from kairos.scaling.fit import fit_law, jacobian_has_full_rank
    from kairos.scaling.laws import get_law

    law = get_law("power")
    x = np.geomspace(1, 1e6, 12)
    fit = fit_law(law, x, 2.0 + 5.0 * x**-0.4)
    assert fit.diagnostics()["identifiable"] is True
    # one distinct x (bypassing the table checks): the exponent moves no prediction
    log_x = np.zeros((6, 1))
    assert not jacobian_has_full_rank(fit.theta_normalized, law, log_x)


def test_fit_with_y_near_the_float_limit_draws_its_figure(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("x,y\n1,1e308\n2,1e308\n4,1e308\n8,1e308\n16,1.7e308\n")
    out = CliRunner().invoke(app, ["fit", str(table), "--out", str(tmp_path / "r")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "r" / "fit.png").stat().st_size > 0


def test_fit_names_the_right_line_after_blank_lines(tmp_path):
    from kairos.scaling.table import read_table

    table = tmp_path / "t.csv"
    table.write_text("x,y\n1,2\n\n\n2,-1\n")
    with pytest.raises(InputFormatError, match=r"t\.csv:5:"):
        read_table(table, ["x", "y"])


# --- item 7: the rest of the list ----------------------------------------------------------------


def test_speedup_analysis_of_no_pairs_has_every_key():
    from kairos.speedup.measure import analyse

    fits = analyse([])
    assert fits["primary"]["n"] == 0 and "slope_ci" in fits["primary"]


def test_speedup_states_its_pairs_and_refuses_a_fit_below_the_minimum(trained, tmp_path):
    out = CliRunner().invoke(
        app, ["speedup", str(trained), "--levels", STP, "--sizes", "1,all", "--budget", "1",
              "--resamples", "10", "--out", str(tmp_path / "s")],
    )  # fmt: skip
    assert isinstance(out.exception, ValidationError), out.output
    assert out.exception.field == "--levels" and "solved under both priors" in str(out.exception)
    saved = json.loads((tmp_path / "s" / "speedup.json").read_text(), parse_constant=_no_nan)
    assert saved["n"] == 0 and saved["min_pairs_for_fit"] == 8


def _no_nan(name):
    raise AssertionError(f"{name} is not JSON")


def _audit_tables(folder, allocation: str | bytes, repeats: str):
    folder.mkdir(exist_ok=True)
    if isinstance(allocation, bytes):
        (folder / "allocation.csv").write_bytes(allocation)
    else:
        (folder / "allocation.csv").write_text(allocation)
    (folder / "repeats.csv").write_text(repeats)


ALLOCATION = "method,problem,outcome,expansions,difficulty\nindex,a,solved,10,3\n"
REPEATS = "problem,first_expansions,second_expansions\n"


def test_audit_refuses_a_short_row_and_a_binary_table(tmp_path):
    from kairos.agent.episode import audit_run

    _audit_tables(tmp_path / "short", ALLOCATION, REPEATS + "a,10\n")
    with pytest.raises(InputFormatError, match=r"repeats\.csv:2"):
        audit_run(tmp_path / "short")
    _audit_tables(tmp_path / "binary", bytes(range(256)) * 4, REPEATS)
    with pytest.raises(InputFormatError, match=r"allocation\.csv"):
        audit_run(tmp_path / "binary")


def test_audit_json_is_valid_json_when_a_measure_is_undefined(tmp_path):
    _audit_tables(tmp_path, ALLOCATION, REPEATS)  # no repeats: the ratio is undefined
    out = CliRunner().invoke(app, ["audit", str(tmp_path), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output, parse_constant=_no_nan)
    assert result["repeated_tasks"]["ratio"] is None


def test_sliding_tile_errors_do_not_echo_a_long_line(tmp_path):
    from kairos.domains.stp import read_instances

    bad = tmp_path / "long.txt"
    bad.write_text("3 " + "7" * 100 + " x" * 100_000 + "\n")
    with pytest.raises(InputFormatError) as info:
        read_instances(bad)
    assert len(str(info.value)) < 300 and "long.txt:1" in str(info.value)


def test_cli_error_lines_are_one_short_line():
    from kairos.cli import MAX_MESSAGE_CHARS, one_line

    text = one_line("a\nb " + "z" * 10_000)
    assert "\n" not in text and len(text) <= MAX_MESSAGE_CHARS


def test_bench_compress_with_no_model_names_is_refused(tmp_path):
    (tmp_path / "a").write_text("x")
    out = CliRunner().invoke(app, ["bench", "compress", str(tmp_path / "a"), "--compressors", ","])
    assert isinstance(out.exception, ValidationError) and out.exception.field == "--compressors"


# --- item 8: silent answers ----------------------------------------------------------------------

BASE = {
    "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 32768,
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "vocab_size": 32000,
}  # fmt: skip


def test_mixtral_expert_fields_are_read():
    from kairos.cost.spec import spec_from_config

    spec = spec_from_config(
        {**BASE, "num_local_experts": 8, "num_experts_per_tok": 2}, name="mixtral"
    )
    assert spec.is_moe and (spec.num_experts, spec.num_active_experts) == (8, 2)
    assert round(spec.num_params / 1e9, 1) == 46.7  # Mixtral 8x7B: 46.7 B, 12.9 B active
    assert round(spec.num_active_params / 1e9, 1) == 12.9
    deepseek = spec_from_config(
        {**BASE, "n_routed_experts": 64, "num_experts_per_tok": 6, "moe_intermediate_size": 1408},
        name="deepseek",
    )
    assert (deepseek.num_experts, deepseek.intermediate_size) == (64, 1408)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"num_local_experts": 8, "num_experts_per_tok": 2, "n_shared_experts": 2},
         "n_shared_experts"),
        ({"moe_num_experts": 16}, "moe_num_experts"),
        ({"num_experts": 8, "num_local_experts": 4, "num_experts_per_tok": 2}, "num_experts"),
    ],
)  # fmt: skip
def test_unknown_or_conflicting_expert_fields_are_refused(extra, field):
    from kairos.cost.spec import spec_from_config

    with pytest.raises(ValidationError, match=field):
        spec_from_config({**BASE, **extra}, name="m")


def test_cost_warns_past_max_position_embeddings(tmp_path):
    from kairos.cost import Workload, get_model
    from kairos.cost.estimate import context_warnings

    spec = get_model("qwen3-8b")
    assert context_warnings(spec, Workload.of(prompt_tokens=1024, gen_tokens=32768)) == []
    (warning,) = context_warnings(spec, Workload.of(prompt_tokens=1024, gen_tokens=40000))
    assert "41,024" in warning and "40,960" in warning


def test_allocator_reports_each_abandonment_and_its_reason():
    from kairos.agent.allocator import allocate_round_robin
    from kairos.domains.stp import read_instances

    tasks = read_instances(data_path("stp/demo_4x4.txt"))[:3]
    result = allocate_round_robin(tasks, 300, slice_size=10, cap=20)
    abandoned = result.summary()["abandoned"]
    assert abandoned and all("cap of 20" in a["reason"] for a in abandoned)


def test_allocate_default_value_is_the_whole_budget():
    import inspect

    from kairos.agent.episode import run_agent

    source = inspect.getsource(run_agent)
    assert "value if value is not None else float(budget)" in source


def test_torch_threads_are_capped():
    torch = pytest.importorskip("torch")
    from kairos.search.parallel import cap_torch_threads

    before = torch.get_num_threads()
    try:
        cap_torch_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_train_respects_its_time_limit_inside_a_search(tmp_path):
    from kairos.domains.sokoban import read_levels
    from kairos.learn.bootstrap import BootstrapConfig, run_bootstrap

    problems = read_levels(data_path("boxoban/train_000_first60.txt"))[:4]
    config = BootstrapConfig(domain="sokoban", initial_budget=5_000_000, jobs=1, time_limit_s=1.0)
    t0 = time.perf_counter()
    state, _ = run_bootstrap(problems, tmp_path / "run", config)
    assert state.wall_s <= 1.0 and state.stop_reason == "time limit"
    assert time.perf_counter() - t0 < 3.0  # the checkpoint, not another search


def test_train_warns_when_nothing_was_solved(tmp_path):
    out = CliRunner().invoke(
        app, ["train", "stp", "--levels", str(data_path("stp/demo_4x4.txt")), "--limit", "2",
              "--budget", "1", "--max-expansions", "2", "--out", str(tmp_path / "r"),
              "--jobs", "1"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "no training problem was solved" in out.output


def test_plateau_test_refuses_a_training_part_with_one_x():
    from kairos.scaling.plateau import plateau_test

    x = np.array([5.0] * 8 + [10.0, 20.0, 40.0, 80.0])
    y = np.array([3.0, 2.9, 3.1, 3.0, 2.8, 3.2, 3.0, 2.9, 2.0, 1.5, 1.3, 1.2])
    with pytest.raises(UnidentifiableError, match="training part"):
        plateau_test(x, y, families=("power", "saturating"), holdout_fraction=0.34)
