"""A domain in its own pip-installed package: registered by entry point, solved, trained, measured.

The package is ``tests/plugins/keymaze`` (a grid maze with keys, no compiled
form, with ``features(state)``). Its wheel is installed with pip into a
temporary folder (offline) and put on ``sys.path``; kairos finds it through the
entry-point group ``kairos.domains`` declared in its ``pyproject.toml``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import json
import math
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from kairos.agent.episode import difficulty
from kairos.agent.value import is_dead
from kairos.domains import available_domains, domain_loader, load_domain_file
from kairos.domains.registry import DomainPluginError, UnknownDomainError
from kairos.errors import InputFormatError
from kairos.learn import BootstrapConfig, run_bootstrap
from kairos.learn.bootstrap import load_checkpoint
from kairos.policy.features import FeatureModelPolicy
from kairos.search import SearchConfig, search
from kairos.search.engine import runs_in_python
from kairos.search.paths import code_length_bits
from kairos.speedup.experiment import run_speedup

PLUGIN = Path(__file__).parent / "plugins" / "keymaze"
REPO = Path(__file__).resolve().parents[1]


def _wheel(folder: Path) -> Path:
    """A wheel of the plug-in package (metadata from its pyproject.toml), built without setuptools."""
    meta = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    name, version = meta["name"].replace("-", "_"), meta["version"]
    info = f"{name}-{version}.dist-info"
    groups = meta["entry-points"]
    files = {
        "keymaze.py": (PLUGIN / "keymaze.py").read_bytes(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kairos-tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
            for group, eps in groups.items()
        ),
    }
    record = []
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        for arcname, data in files.items():
            data = data.encode() if isinstance(data, str) else data
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arcname},sha256={digest.decode()},{len(data)}")
            whl.writestr(arcname, data)
        whl.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder holding the pip-installed plug-in and a broken one, on sys.path."""
    root = tmp_path_factory.mktemp("plugin")
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(target), str(_wheel(root))],
        check=True,
    )  # fmt: skip
    broken = target / "kairos_broken-0.1.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: kairos-broken\nVersion: 0.1\n")
    (broken / "entry_points.txt").write_text("[kairos.domains]\nbroken = no_such_module:load\n")
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    sys.modules.pop("keymaze", None)


@pytest.fixture(scope="module")
def mazes(site, tmp_path_factory):
    """60 random 5×5 mazes with one key, written to a file: (path, domains)."""
    from keymaze import generate, write_mazes

    path = tmp_path_factory.mktemp("mazes") / "mazes.txt"
    write_mazes(path, [generate(5, seed=s) for s in range(60)])
    return path, load_domain_file("keymaze", path)


def test_the_entry_point_registers_the_domain(site):
    assert available_domains()[:2] == ["sokoban", "stp"]
    assert "keymaze" in available_domains()
    assert domain_loader("keymaze").__module__ == "keymaze"


def test_unknown_and_broken_plugins_are_typed_errors(site):
    with pytest.raises(UnknownDomainError, match=r"unknown domain 'maze'.*keymaze"):
        load_domain_file("maze", "x.txt")
    with pytest.raises(DomainPluginError, match="no_such_module"):
        load_domain_file("broken", "x.txt")
    with pytest.raises(InputFormatError, match=r"missing\.txt"):
        load_domain_file("keymaze", site / "missing.txt")


def test_a_plugin_domain_is_solved_by_the_pure_python_search(mazes):
    _, problems = mazes
    assert len(problems) == 60 and not hasattr(problems[0], "compile")
    assert runs_in_python(problems[0], None)
    results = [search(p, SearchConfig(budget=20_000)) for p in problems]
    assert sum(r.solved for r in results) >= 55
    solved = next(r for r in results if r.solved)
    problem = problems[results.index(solved)]
    assert difficulty(problem, solved.actions)[0] == "uniform_code_length_bits"
    assert not is_dead(problem)


def test_a_plugin_domain_is_trained_and_measured(mazes, tmp_path):
    _, problems = mazes
    train, tasks = problems[:40], problems[40:]
    config = BootstrapConfig(domain="keymaze", initial_budget=500, jobs=1)
    state, policy = run_bootstrap(train, tmp_path / "run", config)
    assert isinstance(policy, FeatureModelPolicy) and len(state.solved) >= 36
    _, _, saved = load_checkpoint(tmp_path / "run")
    assert isinstance(saved, FeatureModelPolicy)
    tree = SearchConfig(budget=20_000, state_cut=False)
    uniform = [search(t, tree) for t in tasks]
    learned = [search(t, tree, saved) for t in tasks]
    both = [(u, d) for u, d in zip(uniform, learned, strict=True) if u.solved and d.solved]
    assert len(both) >= 15
    # the learned prior heads for the key, then the exit: far fewer expansions
    assert sum(d.expansions for _, d in both) * 5 < sum(u.expansions for u, _ in both)
    for task, found in zip(tasks, learned, strict=True):  # ℓ of a path = what search paid
        if found.solved:
            bits = code_length_bits(task, found.actions, saved, state_cut=False)
            assert bits == pytest.approx(-found.solution_log_prob / math.log(2), abs=1e-9)
    summary, rows = run_speedup(tasks, train, state.solved, domain="keymaze", sizes=[5, 40],
                                budget=20_000, resamples=50, compressor="xz")  # fmt: skip
    assert summary["n"] == len(rows) >= 15
    assert all(r["l0_own"] - r["lD_own"] > 0 for r in rows if r["D"] == 40)
    assert summary["slope"] > 0


def test_the_agent_allocates_time_across_plugin_tasks(site, tmp_path):
    """What ``kairos allocate`` runs: suspendable pure-Python searches, memory, audit."""
    from keymaze import generate

    from kairos.agent.episode import run_agent
    from kairos.runfolder import RunFolder

    mazes = [generate(6 + s % 5, seed=s, num_keys=1 + s % 3) for s in range(60)]
    run = RunFolder.create(tmp_path / "agent", command="allocate", config={}, seed=0)
    audit = run_agent(mazes[30:], mazes[:30], run, budget=4000, first_slice=20, train_cap=3000)
    assert audit["repeated_tasks"]["tasks"] >= 15 and audit["repeated_tasks"]["ratio"] == 0.0
    assert audit["effort_vs_difficulty"]["difficulty_measure"] == "uniform_code_length_bits"
    shares = audit["hopeless_starts"]["share_by_method"]
    assert shares["index"] < shares["fixed"]


@pytest.mark.slow
def test_the_cli_solves_trains_and_measures_a_plugin_domain(site, mazes, tmp_path):
    path, _ = mazes
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(site)])}

    def kairos(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "kairos.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    kairos("solve", "keymaze", "--levels", str(path), "--out", str(tmp_path / "solve"))
    with open(tmp_path / "solve" / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 and sum(r["status"] == "solved" for r in rows) >= 55
    kairos("train", "keymaze", "--levels", str(path), "--limit", "40", "--jobs", "1",
           "--budget", "500", "--out", str(tmp_path / "train"))  # fmt: skip
    summary = json.loads(
        kairos("speedup", str(tmp_path / "train"), "--levels", str(path), "--sizes", "5,all",
               "--budget", "20000", "--resamples", "50", "--compressor", "xz", "--json")
    )  # fmt: skip
    assert summary["n"] >= 15 and summary["slope"] > 0
    from keymaze import generate, write_mazes

    mixed = [generate(6 + s % 5, seed=s, num_keys=1 + s % 3) for s in range(60)]
    write_mazes(tmp_path / "train.txt", mixed[:30])
    write_mazes(tmp_path / "tasks.txt", mixed[30:])
    kairos("allocate", "keymaze", "--levels", str(tmp_path / "tasks.txt"), "--train-levels",
           str(tmp_path / "train.txt"), "--budget", "4000", "--first-slice", "20",
           "--train-cap", "3000", "--out", str(tmp_path / "agent"))  # fmt: skip
    audit = json.loads((tmp_path / "agent" / "audit.json").read_text())
    assert audit["repeated_tasks"]["ratio"] == 0.0
