import numpy as np
import pytest

from kairos.container import pack
from kairos.errors import CorruptFileError, MismatchError
from kairos.policy import UniformPolicy
from kairos.policy.files import load_policy, read_policy_file, save_policy
from tests.damage import damaged_copies


def test_roundtrip_with_arrays(tmp_path):
    path = tmp_path / "p.kpol"
    weights = np.arange(12, dtype=np.float64).reshape(3, 4)
    save_policy(path, "uniform", "sokoban", {"eps": 1e-3}, {"beta": weights, "ids": np.arange(3)})
    header, arrays = read_policy_file(path, domain="sokoban")
    assert header["spec"] == {"eps": 1e-3}
    np.testing.assert_array_equal(arrays["beta"], weights)
    assert arrays["ids"].dtype == np.int64
    assert isinstance(load_policy(path), UniformPolicy)


def test_garbage_truncated_flipped_and_mismatched(tmp_path):
    path = tmp_path / "p.kpol"
    save_policy(path, "uniform", "sokoban", {}, {"beta": np.ones(8)})
    blob = path.read_bytes()
    for name, data, error, pattern in damaged_copies(blob):
        (tmp_path / f"{name}.kpol").write_bytes(data)
        with pytest.raises(error, match=pattern):
            load_policy(tmp_path / f"{name}.kpol")
    with pytest.raises(MismatchError, match="trained for domain 'sokoban'"):
        load_policy(path, domain="stp")
    alien = {"kind": "transformer", "domain": "stp", "spec": {}, "arrays": {}}
    (tmp_path / "alien.kpol").write_bytes(pack(b"KPOL", 1, alien, b""))
    with pytest.raises(MismatchError, match="kind 'transformer' unknown"):
        load_policy(tmp_path / "alien.kpol")
    with pytest.raises(CorruptFileError, match="cannot read"):
        load_policy(tmp_path / "missing.kpol")
