"""``kairos train --executor ray --ray-address ADDR`` on a two-process Ray cluster on loopback.

The head and the worker node are started with ``ray start --block`` in their own
process groups, so teardown stops exactly the processes this test started.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray", reason="ray is not installed (pip install 'kairos[ray]')")
pytestmark = pytest.mark.ray

SRC = Path(__file__).resolve().parents[1] / "src"
RAY = shutil.which("ray") or str(Path(sys.executable).parent / "ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, env, log):
    return subprocess.Popen(
        [RAY, "start", "--block", "--num-cpus=1", "--disable-usage-stats", *args],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _nodes_alive(address: str, env) -> int:
    probe = (
        f"import ray; ray.init(address={address!r}, log_to_driver=False); "
        "print(sum(n['Alive'] for n in ray.nodes())); ray.shutdown()"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else 0


@pytest.fixture
def cluster(tmp_path):
    if not Path(RAY).exists():
        pytest.skip("the ray command line is not installed")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    # Token authentication (on once any Ray run has written ~/.ray/auth_token) is for clusters
    # reachable by others; this one lives on loopback for the length of one test.
    env = {**os.environ, "PYTHONPATH": str(SRC), "RAY_USAGE_STATS_ENABLED": "0",
           "RAY_AUTH_MODE": "disabled"}  # fmt: skip
    env.pop("RAY_ADDRESS", None)
    log = (tmp_path / "ray.log").open("w")
    head = _start(["--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                   "--include-dashboard=false"], env, log)  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 120
        while _nodes_alive(address, env) < 1:
            assert head.poll() is None and time.monotonic() < deadline, (
                tmp_path / "ray.log"
            ).read_text()
            time.sleep(2)
        worker = _start([f"--address={address}", "--node-ip-address=127.0.0.1"], env, log)
        while _nodes_alive(address, env) < 2:
            assert worker.poll() is None and time.monotonic() < deadline, (
                tmp_path / "ray.log"
            ).read_text()
            time.sleep(2)
        yield address, env
    finally:
        for proc in (worker, head):
            if proc is not None:
                _stop(proc)
        log.close()
        # ray start records the head's address for later ray.init() calls; a killed head
        # leaves that record behind, so remove it when it is this test's.
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if current.is_file() and current.read_text().strip().endswith(f":{port}"):
            current.unlink()


def _policy_arrays(path: Path) -> dict:
    from kairos.policy.files import read_policy_file

    return read_policy_file(path)[1]


def test_train_on_a_ray_cluster_gives_the_local_pools_policy(tmp_path, cluster):
    from kairos.domains.stp import generate, write_instances

    address, env = cluster
    write_instances(tmp_path / "train.txt", [generate(3, 6 + s % 10, seed=s) for s in range(16)])
    common = ["train", "stp", "--levels", "train.txt", "--jobs", "2", "--budget", "500"]
    runs = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray", "--ray-address", address])):
        out = subprocess.run([sys.executable, "-m", "kairos.cli", *common, *extra, "--out", name],
                             cwd=tmp_path, env=env, capture_output=True, text=True)  # fmt: skip
        assert out.returncode == 0, out.stderr
        runs[name] = _policy_arrays(tmp_path / name / "policy.kpol")
    assert runs["ray"].keys() == runs["local"].keys()
    for key in runs["local"]:
        np.testing.assert_array_equal(runs["ray"][key], runs["local"][key])
    import json

    summaries = {n: json.loads((tmp_path / n / "summary.json").read_text()) for n in runs}
    for key in ("solved", "iterations", "total_expansions"):
        assert summaries["ray"][key] == summaries["local"][key]
    assert summaries["local"]["solved"] > 0
