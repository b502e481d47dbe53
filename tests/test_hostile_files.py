"""Files that pass their checksum but were written wrong or crafted (issue 11, items 1-3).

Each case here was a traceback, a segfault, a silent wrong answer or a runaway
before the readers checked their fields. Cases that could crash the process
run in a child with limits (``tests/isolated.py``).
"""

import bz2
import copy
import gzip
import json
import lzma
import tracemalloc

import numpy as np
import pytest

from kairos.container import pack, unpack
from kairos.errors import CorruptFileError, MalformedFileError, ValidationError
from kairos.info.cm import _pack_length, _unpack_length
from kairos.info.fileformat import compress_bytes, decompress_bytes
from kairos.learn.bootstrap import CHECKPOINT_NAME, load_checkpoint
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.contexts import stp_spec
from tests.damage import raw_pack, split, unchecked_policy_bytes, valid_inputs
from tests.isolated import Case, run_isolated


def _policy(name: str) -> tuple[dict, dict]:
    """Header and arrays of one of the valid test policies."""
    blob = valid_inputs()[name][1]
    _, header, payload = unpack(blob, magic=b"KPOL", versions={1})
    arrays, pos = {}, 0
    for key, (dtype, shape) in header["arrays"].items():
        count = int(np.prod(shape))
        arrays[key] = np.frombuffer(payload, dtype, count, pos).reshape(shape).copy()
        pos += count * np.dtype(dtype).itemsize
    return header, arrays


def _crafted_policies() -> list[tuple[str, bytes, str]]:
    """(name, file, message pattern) for each malformed policy of the issue."""
    header, arrays = _policy("kpol-cm-sokoban")
    out = []

    def variant(name, pattern, edit=None, arrays_edit=None):
        h, a = copy.deepcopy(header), {k: v.copy() for k, v in arrays.items()}
        if edit:
            edit(h)
        if arrays_edit:
            arrays_edit(a)
        out.append((name, unchecked_policy_bytes(h, a), pattern))

    patterns = lambda h: h["spec"]["contexts"]["patterns"]  # noqa: E731
    variant(
        "offset far outside the radius (segfault)",
        r"patterns\[0\]\[0\]\[0\]",
        lambda h: patterns(h)[0][0].__setitem__(0, [4000, -4000]),
    )
    variant(
        "offset just outside the radius",
        r"patterns\[2\]\[0\]\[1\]",
        lambda h: patterns(h)[2][0].__setitem__(1, [5, 0]),
    )
    variant("radius 1 (-inf log-probs)", "radius", lambda h: h["spec"]["contexts"].update(radius=1))
    variant(
        "twelve tiles in a pattern",
        r"patterns\[0\]\[0\]",
        lambda h: patterns(h)[0].__setitem__(0, [[0, 1]] * 12),
    )
    variant("too many patterns", "patterns", lambda h: patterns(h).extend(patterns(h) * 3))
    variant(
        "log2_rows 40 (32 TiB)", "log2_rows", lambda h: h["spec"]["contexts"].update(log2_rows=40)
    )
    variant(
        "NaN weights (solve said 'exhausted')",
        "non-finite",
        arrays_edit=lambda a: a["values"].fill(np.nan),
    )
    variant("infinite weights", "non-finite", arrays_edit=lambda a: a["values"].fill(np.inf))
    variant("NaN epsilon", "NaN", lambda h: h["spec"].update(epsilon=float("nan")))
    variant("epsilon 2", "epsilon", lambda h: h["spec"].update(epsilon=2.0))
    variant("seed a string", "seed", lambda h: h["spec"].update(seed="0"))
    variant(
        "rows out of the table",
        r"arrays\.rows",
        arrays_edit=lambda a: a["rows"].__setitem__(-1, 1 << 11),
    )
    nn_header, nn_arrays = _policy("kpol-nn-stp")
    bad = {k: v.copy() for k, v in nn_arrays.items()}
    bad["head.2.bias"][0] = np.nan
    out.append(("nn NaN weight", unchecked_policy_bytes(nn_header, bad), "non-finite"))
    huge = copy.deepcopy(nn_header)
    huge["spec"]["net"]["width"] = 10**6
    out.append(("nn absurd width", unchecked_policy_bytes(huge, nn_arrays), "width"))
    header_bytes, payload = split(valid_inputs()["kpol-cm-stp"][1])[2:]
    h = json.loads(header_bytes)
    as_list = {**h, "arrays": list(h["arrays"].items())}
    out.append(
        ("arrays as a list", raw_pack(b"KPOL", 1, json.dumps(as_list).encode(), payload), "arrays")
    )
    as_str = {**h, "spec": "cm"}
    out.append(
        ("spec as a string", raw_pack(b"KPOL", 1, json.dumps(as_str).encode(), payload), "spec")
    )
    return out


def test_crafted_policies_are_refused_before_any_kernel_runs():
    """Every case gives a typed error naming the field; none crashes, hangs or misleads search."""
    crafted = _crafted_policies()
    records = run_isolated([Case(name, "kpol", blob, ".kpol") for name, blob, _ in crafted])
    for name, _, pattern in crafted:
        record = records[name]
        assert record["outcome"] == "typed", (name, record)
        assert "MalformedFileError" in record["detail"], (name, record)
        assert __import__("re").search(pattern, record["detail"]), (name, record)


def test_a_diverged_run_cannot_write_its_policy(tmp_path):
    for bad in (np.nan, np.inf, 1e300):  # 1e300 overflows the float32 the file stores
        beta = np.zeros((1 << 10, 4))
        beta[5, 2] = bad
        policy = ContextModelPolicy("stp", spec=stp_spec(10), beta=beta)
        with pytest.raises(ValidationError, match="non-finite"):
            policy.save(tmp_path / "p.kpol")
        assert not (tmp_path / "p.kpol").exists()
    with pytest.raises(ValidationError, match="strict JSON"):
        pack(b"TEST", 1, {"epsilon": float("nan")}, b"")


def test_a_diverged_network_cannot_write_its_policy(tmp_path):
    torch = pytest.importorskip("torch")
    from kairos.policy.neural import NetSpec, NeuralPolicy

    policy = NeuralPolicy(NetSpec("stp", width=2, layers=1, hidden=3))
    with torch.no_grad():
        policy.net.head[2].bias[0] = float("nan")
    with pytest.raises(ValidationError, match="non-finite"):
        policy.save(tmp_path / "n.kpol")
    assert not (tmp_path / "n.kpol").exists()


@pytest.mark.parametrize(
    "header_text, pattern",
    [
        (b"[1, 2, 3]", "header is a JSON list"),
        (b'"model"', "header is a JSON str"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"model": "gzip", "original_bytes": NaN}', "not valid JSON"),
        (b'{"original_bytes": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
    ids=["list", "string", "deep", "nan", "long-int"],
)
def test_kz_headers_that_pass_the_checksum_but_are_malformed(header_text, pattern):
    payload = split(compress_bytes(b"abc", "gzip"))[3]
    with pytest.raises(MalformedFileError, match=pattern):
        decompress_bytes(raw_pack(b"KZIP", 1, header_text, payload))


def test_kz_header_fields_of_the_wrong_type():
    blob = compress_bytes(b"abc", "cm")
    _, _, header_bytes, payload = split(blob)
    for edit, pattern in (
        ({"original_bytes": True}, "original_bytes"),
        ({"original_bytes": -5}, "negative"),
        ({"original_sha256": "00"}, "64 hex"),
        ({"params": {"max_table_bits": 16.5}}, "max_table_bits"),
    ):
        header = {**json.loads(header_bytes), **edit}
        with pytest.raises(CorruptFileError, match=pattern):
            decompress_bytes(raw_pack(b"KZIP", 1, json.dumps(header).encode(), payload))


def test_a_short_file_with_the_right_magic_is_truncated_not_foreign():
    for size in (2, 4, 9):
        blob = compress_bytes(b"abc", "gzip")[:size]
        with pytest.raises(CorruptFileError, match="truncated") as info:
            decompress_bytes(blob)
        assert "expected magic" not in str(info.value)


def test_checkpoint_errors_name_the_checkpoint(tmp_path):
    blob = valid_inputs()["kbst"][1]
    magic, version, header_bytes, payload = split(blob)
    policy = bytearray(payload)
    policy[len(policy) // 2] ^= 0xFF  # the policy inside fails its own checksum
    (tmp_path / CHECKPOINT_NAME).write_bytes(raw_pack(magic, version, header_bytes, bytes(policy)))
    with pytest.raises(CorruptFileError) as info:
        load_checkpoint(tmp_path)
    assert CHECKPOINT_NAME in str(info.value) and "resume-policy" not in str(info.value)
    assert list(tmp_path.iterdir()) == [tmp_path / CHECKPOINT_NAME]  # no temp file left
    header = json.loads(header_bytes)
    header["state"]["budget"] = "lots"
    (tmp_path / CHECKPOINT_NAME).write_bytes(
        raw_pack(magic, version, json.dumps(header).encode(), payload)
    )
    with pytest.raises(MalformedFileError, match=r"checkpoint\.kbst.*state\.budget"):
        load_checkpoint(tmp_path)


def _claiming(blob: bytes, claimed: int) -> bytes:
    """A cm .kz whose stream and header both claim ``claimed`` bytes, re-checksummed."""
    magic, version, header_bytes, payload = split(blob)
    header = {**json.loads(header_bytes), "original_bytes": claimed}
    _, after_length = _unpack_length(payload, 1)  # v30: the length is LEB128
    payload = payload[:1] + _pack_length(claimed) + payload[after_length:]
    return raw_pack(magic, version, json.dumps(header).encode(), payload)


_LETTERS = bytes(np.random.default_rng(0).integers(97, 123, 330, dtype=np.uint8))


def test_a_cm_stream_claiming_more_than_it_can_hold_is_refused_before_decoding():
    text = _LETTERS
    blob = compress_bytes(text, "cm")
    payload = split(blob)[3]
    assert 150 < len(payload) < 400  # the case: ~209 bytes claiming 6.5 MB
    with pytest.raises(CorruptFileError, match="cannot hold"):
        decompress_bytes(_claiming(blob, 6_500_000))


def test_a_cm_stream_claiming_a_possible_but_false_length_stops_when_it_runs_out():
    text = _LETTERS
    blob = compress_bytes(text, "cm")
    coded = len(split(blob)[3]) - 4  # the mode, 2 bytes of length, the setup byte
    with pytest.raises(CorruptFileError, match="ends before"):
        decompress_bytes(_claiming(blob, 5000 * coded))
    with pytest.raises(CorruptFileError, match="bytes after"):
        decompress_bytes(_claiming(blob, len(text) // 4))


@pytest.mark.parametrize("model", ["gzip", "xz", "bz2", "zstd", "brotli"])
def test_baseline_decoders_stop_at_the_declared_length(model):
    bomb = compress_bytes(bytes(20_000_000), model)  # a few KB that inflate to 20 MB
    magic, version, header_bytes, payload = split(bomb)
    header = {**json.loads(header_bytes), "original_bytes": 1000}
    crafted = raw_pack(magic, version, json.dumps(header).encode(), payload)
    tracemalloc.start()
    try:
        with pytest.raises(CorruptFileError, match="inflates past the 1000 bytes"):
            decompress_bytes(crafted)
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    dictionary_bytes = 64 << 20 if model == "xz" else 0  # xz -9 decodes with a 64 MiB window
    assert peak_bytes < dictionary_bytes + 4_000_000  # not the 20 MB it would inflate to


def test_baseline_codec_streams_in_the_python_formats_still_decode():
    text = b"round trip " * 50
    for name, codec in (("gzip", gzip), ("bz2", bz2), ("xz", lzma)):
        blob = compress_bytes(text, name)
        assert decompress_bytes(blob) == text
        assert codec.decompress(split(blob)[3]) == text


def test_feature_model_files_are_checked_both_ways(tmp_path):
    from kairos.policy.features import FeatureModelPolicy
    from kairos.policy.files import load_policy

    policy = FeatureModelPolicy("toy", 3, log2_rows=4)
    policy.beta[2, 1] = np.nan
    with pytest.raises(ValidationError, match="non-finite"):
        policy.save(tmp_path / "f.kpol")
    policy.beta[2, 1] = 0.5
    policy.save(tmp_path / "f.kpol")
    header = unpack((tmp_path / "f.kpol").read_bytes(), magic=b"KPOL", versions={1})[1]
    rows = np.array([2], np.int64)
    values = np.array([[0.0, 0.5, 0.0]], np.float32)
    for edit, pattern in (
        ({"log2_rows": 26, "num_actions": 1024}, "exceeds"),
        ({"num_actions": 0}, "num_actions"),
        ({"epsilon": -1}, "epsilon"),
    ):
        crafted = {**header, "spec": {**header["spec"], **edit}}
        (tmp_path / "c.kpol").write_bytes(
            unchecked_policy_bytes(crafted, {"rows": rows, "values": values})
        )
        with pytest.raises(MalformedFileError, match=pattern):
            load_policy(tmp_path / "c.kpol")
