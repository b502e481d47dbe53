"""Damaged copies of a kairos container file, each with the typed error a reader must raise."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import struct

import numpy as np
from hypothesis import strategies as st

from kairos.errors import CorruptFileError, ForeignFileError, VersionError


def damaged_copies(blob: bytes) -> list[tuple[str, bytes, type[Exception], str | None]]:
    """(name, bytes, expected error, message pattern) for foreign, truncated, flipped and future files."""
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0xFF
    future = bytearray(blob)
    future[4] = 99  # the version field follows the 4-byte magic
    return [
        ("foreign", b"not a kairos file at all", ForeignFileError, "expected magic"),
        ("truncated", blob[:-10], CorruptFileError, "truncated"),
        ("flipped", bytes(flipped), CorruptFileError, None),
        ("future", bytes(future), VersionError, None),
    ]


def unchecked_policy_bytes(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """A ``.kpol`` with a valid checksum but whatever ``header`` and ``arrays`` say (no checks).

    What a buggy writer or a crafted file gives the reader: the container accepts it.
    """
    layout, chunks = {}, []
    for name, arr in sorted(arrays.items()):
        arr = np.ascontiguousarray(arr)
        layout[name] = [arr.dtype.name, list(arr.shape)]
        chunks.append(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
    text = json.dumps({**header, "arrays": layout}, sort_keys=True)  # NaN allowed: crafted
    return raw_pack(b"KPOL", 1, text.encode(), b"".join(chunks))


# ---------------------------------------------------------------------------------------------
# Damage after re-checksumming: what a buggy writer, a diverged run or a crafted file gives a
# reader. The container accepts these files; the reader's own checks must refuse them.


def raw_pack(magic: bytes, version: int, header: bytes, payload: bytes) -> bytes:
    """A container with a valid checksum around arbitrary header bytes (see kairos.container)."""
    body = b"".join(
        [
            struct.pack("<4sHI", magic, version, len(header)),
            header,
            struct.pack("<Q", len(payload)),
            payload,
        ]
    )
    return body + hashlib.sha256(body).digest()


def split(blob: bytes) -> tuple[bytes, int, bytes, bytes]:
    """(magic, version, header bytes, payload) of a container blob (no checks)."""
    magic, version, header_len = struct.unpack_from("<4sHI", blob)
    header = blob[10 : 10 + header_len]
    (payload_len,) = struct.unpack_from("<Q", blob, 10 + header_len)
    start = 18 + header_len
    return magic, version, header, blob[start : start + payload_len]


def _paths(node, prefix=()):
    """Every path to a node of a JSON tree."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _replace(node, path, value):
    if not path:
        return value
    out = copy.copy(node)
    out[path[0]] = _replace(node[path[0]], path[1:], value)
    return out


def _delete(node, path):
    parent = node
    out = copy.deepcopy(node)
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return out


def json_values() -> st.SearchStrategy:
    """JSON values, with the awkward ones (NaN, huge ints, wrong types) over-represented."""
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.sampled_from([0, -1, 1, 2, 40, 64, 2**31, 2**63, 2**64, -(2**63)])
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=8)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


@st.composite
def rechecksummed(draw, blob: bytes) -> tuple[bytes, str]:
    """One damaged copy of a container blob, re-checksummed so it passes the checksum."""
    magic, version, header_bytes, payload = split(blob)
    header = json.loads(header_bytes)
    kind = draw(
        st.sampled_from(
            ["value", "value", "value", "delete", "header-bytes", "payload-bytes", "deep", "top"]
        )
    )
    if kind in ("value", "delete", "deep"):
        paths = list(_paths(header))[1:]
        path = draw(st.sampled_from(paths))
        if kind == "delete":
            header = _delete(header, path)
        elif kind == "deep":
            header = _replace(header, path, "DEEP-PLACEHOLDER")
        else:
            header = _replace(header, path, draw(json_values()))
        text = json.dumps(header, sort_keys=True, separators=(",", ":"))
        text = text.replace('"DEEP-PLACEHOLDER"', "[" * 100_000 + "]" * 100_000)
        how = f"{kind} {'/'.join(map(str, path))[:60]}"
        return raw_pack(magic, version, text.encode(), payload), how
    if kind == "top":
        text = json.dumps(draw(json_values()))
        return raw_pack(magic, version, text.encode(), payload), f"top {text[:40]}"
    if kind == "header-bytes":
        return raw_pack(magic, version, draw(_edited(header_bytes)), payload), kind
    return raw_pack(magic, version, header_bytes, draw(_edited(payload))), kind


@st.composite
def _edited(draw, data: bytes) -> bytes:
    """``data`` with a few byte-level edits: flips, overwrites, inserts, deletes, truncation."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "extend"]))
        pos = draw(st.integers(0, max(0, len(out) - 1)))
        if op == "flip" and out:
            out[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and out:
            value = draw(st.sampled_from([0, 0xFF, 0x7F, 0x80]) | st.integers(0, 255))
            width = draw(st.integers(1, 8))
            out[pos : pos + width] = bytes([value]) * width
        elif op == "insert":
            out[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del out[pos : pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del out[pos:]
        else:
            out += draw(st.binary(min_size=1, max_size=16))
    return bytes(out)


@st.composite
def text_damage(draw, data: bytes) -> tuple[bytes, str]:
    """A damaged copy of a text input: byte edits, odd numbers, long or binary lines."""
    kind = draw(st.sampled_from(["bytes", "bytes", "number", "line", "binary"]))
    if kind == "bytes":
        return draw(_edited(data)), kind
    if kind == "number":
        tokens = re.findall(rb"-?\d+(?:\.\d+)?(?:e-?\d+)?", data)
        if tokens:
            old = draw(st.sampled_from(tokens))
            new = draw(
                st.sampled_from(
                    [b"nan", b"inf", b"-inf", b"1e309", b"-1", b"0", b"1e308", b"9" * 30, b"", b"x"]
                )
            )
            return data.replace(old, new, 1), f"number {old[:10]!r}->{new[:10]!r}"
        return data, "number (none)"
    if kind == "line":
        lines = data.split(b"\n")
        pos = draw(st.integers(0, len(lines)))
        lines.insert(pos, draw(st.sampled_from([b"a" * 200_000, b"", b",,,,", b"\t", b"#" * 500])))
        return b"\n".join(lines), "line"
    return draw(st.binary(min_size=0, max_size=64)), "binary"


def _kz_length(blob: bytes, claimed: int) -> bytes:
    """A cm ``.kz`` whose stream and header both claim ``claimed`` bytes (re-checksummed)."""
    magic, version, header_bytes, payload = split(blob)
    header = json.loads(header_bytes)
    header["original_bytes"] = claimed
    payload = payload[:1] + struct.pack("<Q", claimed) + payload[9:]
    return raw_pack(magic, version, json.dumps(header).encode(), payload)


@st.composite
def damaged(draw, reader: str, data) -> tuple[object, str]:
    """One damaged copy of a valid input for ``reader`` (see :func:`valid_inputs`)."""
    if isinstance(data, dict):  # a folder: damage one of its files
        name = draw(st.sampled_from(sorted(data)))
        blob, how = draw(text_damage(data[name]))
        return {**data, name: blob}, f"{name}: {how}"
    if reader == "model" and draw(st.booleans()):  # hostile values in well-formed JSON
        config = json.loads(data)
        path = draw(st.sampled_from(list(_paths(config))[1:]))
        config = _replace(config, path, draw(json_values()))
        return json.dumps(config).encode(), f"value {'/'.join(map(str, path))[:60]}"
    if reader in CONTAINERS:
        if draw(st.integers(0, 9)) == 0:  # damage before the checksum, too
            return draw(_edited(data)), "raw"
        if reader == "kz" and json.loads(split(data)[2])["model"] == "cm" and draw(st.booleans()):
            claimed = draw(st.integers(0, 2**40))
            return _kz_length(data, claimed), f"claims {claimed} bytes"
        return draw(rechecksummed(data))
    return draw(text_damage(data))


CONTAINERS = {"kz", "kpol", "kbst", "kmem"}

_TEXT = (
    b"Clocks, like people, keep their own time. The clockmaker wound each one by hand, "
    b"and listened for the tick that was a little late.\n"
) * 12


@functools.cache
def valid_inputs() -> dict[str, tuple[str, object, str]]:
    """A small valid input per reader and flavour: name -> (reader, bytes or folder, suffix)."""
    import io
    import tempfile
    from pathlib import Path

    from kairos.agent.memory import SolutionMemory
    from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
    from kairos.domains.stp import SlidingTile
    from kairos.info.fileformat import compress_bytes
    from kairos.learn.bootstrap import BootstrapConfig, BootstrapState, save_checkpoint
    from kairos.policy.cm import ContextModelPolicy
    from kairos.policy.contexts import sokoban_spec, stp_spec
    from kairos.policy.files import policy_bytes

    out: dict[str, tuple[str, object, str]] = {}
    for model in ("cm", "gzip", "bz2", "xz", "zstd", "brotli"):
        out[f"kz-{model}"] = ("kz", compress_bytes(_TEXT, model), ".kz")
    rng = np.random.default_rng(0)
    policies = {}
    for domain, spec in (("stp", stp_spec(10)), ("sokoban", sokoban_spec(10))):
        beta = np.zeros((1 << 10, 4))
        beta[rng.choice(1 << 10, 20, replace=False)] = rng.normal(size=(20, 4))
        policies[domain] = ContextModelPolicy(domain, spec=spec, beta=beta)
        with tempfile.TemporaryDirectory() as tmp:
            policies[domain].save(Path(tmp) / "p.kpol")
            out[f"kpol-cm-{domain}"] = ("kpol", (Path(tmp) / "p.kpol").read_bytes(), ".kpol")
    nn_spec = {"net": {"width": 2, "layers": 1, "hidden": 3}, "epsilon": 0.01, "seed": 0}
    nn_arrays = {
        "convs.0.weight": rng.normal(size=(2, 25, 3, 3)),
        "convs.0.bias": rng.normal(size=2),
        "head.0.weight": rng.normal(size=(3, 7)),
        "head.0.bias": rng.normal(size=3),
        "head.2.weight": rng.normal(size=(4, 3)),
        "head.2.bias": rng.normal(size=4),
    }
    nn_arrays = {k: v.astype(np.float32) for k, v in nn_arrays.items()}
    out["kpol-nn-stp"] = ("kpol", policy_bytes("nn", "stp", nn_spec, nn_arrays), ".kpol")
    with tempfile.TemporaryDirectory() as tmp:
        config = BootstrapConfig("stp", initial_budget=100)
        state = BootstrapState(
            problems_digest="0" * 64, budget=200, iteration=1, solved={0: [2], 3: [1, 3]},
            log=[{"iteration": 0, "budget": 100, "solved": 2}],
        )  # fmt: skip
        save_checkpoint(Path(tmp), config, state, policies["stp"])
        out["kbst"] = ("kbst", (Path(tmp) / "checkpoint.kbst").read_bytes(), ".kbst")
        memory = SolutionMemory()
        memory.remember(SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3), [2], problem="demo")
        memory.save(Path(tmp) / "m.kmem")
        out["kmem"] = ("kmem", (Path(tmp) / "m.kmem").read_bytes(), ".kmem")
    levels = data_path(BOXOBAN_DEMO).read_bytes().split(b"\n; 3")[0]
    out["boxoban"] = ("boxoban", levels, ".txt")
    out["stp"] = ("stp", b"\n".join(data_path(STP_3X3_DEMO).read_bytes().split(b"\n")[:4]), ".txt")
    csv_text = "n,loss\n" + "".join(
        f"{n},{3.0 * n**-0.3 + 1.5:.6f}\n" for n in (10, 30, 100, 300, 1000, 3000)
    )
    out["table-csv"] = ("table", csv_text.encode(), ".csv")
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    ns = [10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
    pq.write_table(pa.table({"n": ns, "loss": [3.0 * n**-0.3 + 1.5 for n in ns]}), sink)
    out["table-parquet"] = ("table", sink.getvalue(), ".parquet")
    from kairos.cost.spec import _shipped_dir

    config_json = (_shipped_dir() / "qwen3-0.6b.json").read_bytes()
    out["model"] = ("model", config_json, ".json")
    allocation = (
        "method,problem,outcome,expansions,length,recalled,difficulty_measure,difficulty\n"
        "index,a,solved,10,3,0,length,3\nindex,b,solved,40,7,0,length,7\n"
        "index,c,solved,90,9,0,length,9\nfixed,a,solved,20,3,0,length,3\n"
        "fixed,b,budget,100,,0,length,7\nround_robin,c,solved,50,9,0,length,9\n"
    )
    repeats = "problem,first_expansions,second_expansions,second_from_memory\na,10,0,True\n"
    out["audit"] = (
        "audit",
        {"allocation.csv": allocation.encode(), "repeats.csv": repeats.encode()},
        "",
    )
    return out


def reader_cases(seed: int = 0, per_input: int = 5):
    """Damaged inputs for every reader: yields (name, reader, data, suffix, expected SHA-256).

    ``data`` is a file's bytes, or a folder as {file name: bytes}. For ``kz``
    files a decode that succeeds must give the bytes of ``expected`` SHA-256.
    The damage is drawn by the strategies ``tests/test_reader_fuzz.py`` uses,
    reproducibly from ``seed``. ``tests.reader_worker.READERS[reader]`` reads
    one (run them through ``tests.isolated.run_isolated``); the CLI commands
    that read each kind are in :data:`READER_COMMANDS`.
    """
    expected = hashlib.sha256(_TEXT).hexdigest()
    for name, (reader, blob, suffix) in valid_inputs().items():
        drawn = draw_examples(damaged(reader, blob), per_input, seed)
        for k, (damaged_blob, how) in enumerate(drawn):
            sha = expected if reader == "kz" else None
            yield f"{name}#{k} {how}", reader, damaged_blob, suffix, sha


def draw_examples(strategy: st.SearchStrategy, count: int, seed: int) -> list:
    """``count`` varied examples of ``strategy``, reproducible from ``seed`` (outside a test)."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list = []

    @hypothesis.seed(seed)
    @settings(
        database=None,
        max_examples=count + 1,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def grab(value):
        drawn.append(value)

    grab()
    return drawn[1 : count + 1]  # the first example is the simplest one


#: The CLI command that reads each kind of input. Placeholders: ``{path}`` the damaged
#: file or folder; ``{dir}`` a folder holding it (a checkpoint must be named
#: ``checkpoint.kbst`` there); ``{out}`` a fresh output path; ``{stp_levels}`` a valid
#: sliding-tile file (e.g. ``kairos.data.STP_3X3_DEMO``). ``None``: no command reads it alone
#: (a memory file is read inside ``kairos allocate``).
READER_COMMANDS: dict[str, list[str] | None] = {
    "kz": ["kairos", "decompress", "{path}", "-o", "{out}"],
    "kpol": ["kairos", "solve", "stp", "--levels", "{stp_levels}", "--policy", "{path}",
             "--budget", "300", "--out", "{out}"],
    "kbst": ["kairos", "train", "stp", "--levels", "{stp_levels}", "--out", "{dir}", "--resume"],
    "kmem": None,
    "boxoban": ["kairos", "solve", "sokoban", "--levels", "{path}", "--budget", "300",
                "--out", "{out}"],
    "stp": ["kairos", "solve", "stp", "--levels", "{path}", "--budget", "300", "--out", "{out}"],
    "table": ["kairos", "fit", "{path}", "--x", "n", "--y", "loss", "--out", "{out}"],
    "model": ["kairos", "cost", "--model", "{path}"],
    "audit": ["kairos", "audit", "{path}"],
}  # fmt: skip
