import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = str(ROOT / "bench" / "compress.py")
    return subprocess.run([sys.executable, script, *args], env=env, capture_output=True, text=True)


def test_compress_bench_refuses_an_unknown_ablation_component_before_any_work():
    run = _bench("--ablate", "precision,transformer")
    assert run.returncode == 2
    assert "unknown component(s) ['transformer']" in run.stderr and "word_mixer" in run.stderr
    assert "'neural'" in run.stderr  # mix's neural input has an ablation row too
    assert "Traceback" not in run.stderr


def test_compress_bench_refuses_ablate_together_with_no_ablation():
    run = _bench("--no-ablation", "--ablate", "precision")
    assert run.returncode == 2 and "not allowed with" in run.stderr
    assert "Traceback" not in run.stderr


def _sweep(tmp_path: Path, spec, *args: str) -> subprocess.CompletedProcess:
    """bench/cm_sweep.py on a one-file corpus; ``spec`` is written as JSON (str: as is)."""
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_bytes(b"some text " * 20)
    path = tmp_path / "spec.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = str(ROOT / "bench" / "cm_sweep.py")
    command = [sys.executable, script, str(path), "--corpus", str(corpus), "--files", "a.txt"]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True)


def test_cm_sweep_refuses_a_bad_spec_before_compiling_anything(tmp_path):
    cases = [
        ("{not json", "cannot read the spec"),
        ({"name": "base"}, "non-empty JSON list"),
        ([], "non-empty JSON list"),
        ([{"name": "a b"}], "needs a name"),
        ([{"name": "a"}, {"name": "a"}], "repeats"),
        ([{"name": "a", "constants": {"WEIGHT_INIT": 3000}}], "constants must map NAME to str"),
        ([{"name": "a", "level": "fast"}], "level 'fast'"),
        ([{"name": "a", "disable": ["transformer"]}], "unknown component 'transformer'"),
        ([{"name": "a", "disable": ["lstm"]}], "unknown component 'lstm'"),  # max level only
        ([{"name": "a", "constants": {"NO_SUCH_CONSTANT": "1"}}], "NO_SUCH_CONSTANT"),
    ]
    for spec, message in cases:
        run = _sweep(tmp_path, spec)
        assert run.returncode != 0, spec
        assert message in run.stderr, (spec, run.stderr)
        assert "Traceback" not in run.stderr, spec


def test_cm_sweep_refuses_bad_arguments(tmp_path):
    run = _sweep(tmp_path, [{"name": "base"}], "--files", "missing.txt")
    assert run.returncode == 2 and "not found" in run.stderr and "Traceback" not in run.stderr
    run = _sweep(tmp_path, [{"name": "base"}], "--jobs", "0")
    assert run.returncode == 2 and "--jobs" in run.stderr and "Traceback" not in run.stderr
    run = _sweep(tmp_path, [{"name": "base"}], "--corpus", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and "not a folder" in run.stderr


def _kernel_ab(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = str(ROOT / "bench" / "cm_kernel_ab.py")
    return subprocess.run([sys.executable, script, *args], env=env, capture_output=True, text=True)


def test_cm_kernel_ab_refuses_bad_arguments_before_compiling_anything(tmp_path):
    not_a_kernel = tmp_path / "other.py"
    not_a_kernel.write_text("X = 1\n")
    kernel = str(ROOT / "src" / "kairos" / "info" / "cm_kernel.py")
    for name in ("book2", "news", "obj2", "paper2"):  # the default --files, a few bytes each
        (tmp_path / name).write_bytes(b"text ")
    cases = [
        (["--base", str(tmp_path / "missing.py")], "missing.py is not a file"),
        (["--base", str(not_a_kernel)], "has no cm_code"),
        (["--base", kernel, "--also", str(not_a_kernel)], "has no cm_code"),
        (["--base", kernel, "--files", "book1,no_such_file"], "no_such_file"),
        (["--base", kernel, "--rounds", "0"], "at least 1"),
    ]
    for args, message in cases:
        run = _kernel_ab(*args, "--corpus", str(tmp_path))
        assert run.returncode != 0, args
        assert message in run.stderr, (args, run.stderr)
        assert "Traceback" not in run.stderr
