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
