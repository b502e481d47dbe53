"""Every reader, given damaged input, raises a KairosError or returns a correct result.

Damage is drawn by hypothesis *after re-checksumming* (see ``tests/damage.py``:
the container accepts the file, so the reader's own checks are what is
tested), plus a tenth before it. Each batch runs in a child process with a
memory limit and a timeout (``tests/isolated.py``), so a segfault, a runaway
allocation or a hang fails the test instead of ending the run. The default
run draws a few batches; ``-m slow`` draws many more.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.damage import _TEXT, damaged, valid_inputs
from tests.isolated import Case, failures, run_isolated

_SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), database=None)
# Run folders read by ``kairos audit`` are fixed on branch rel-cli (issue 11, item 7: short
# rows, binary tables, NaN in --json); add them here once that lands.
_PENDING = {"audit"}


def _batch(data, per_input: int) -> list[Case]:
    import hashlib

    expected = hashlib.sha256(_TEXT).hexdigest()
    cases = []
    for name, (reader, blob, suffix) in valid_inputs().items():
        if reader in _PENDING:
            continue
        for k in range(per_input):
            bad, how = data.draw(damaged(reader, blob), label=name)
            sha = expected if reader == "kz" else None
            cases.append(Case(f"{name}#{k} {how}", reader, bad, suffix, sha))
    return cases


def test_valid_inputs_read_cleanly():
    cases = [
        Case(name, reader, blob, suffix) for name, (reader, blob, suffix) in valid_inputs().items()
    ]
    records = run_isolated(cases)
    assert {n: r["outcome"] for n, r in records.items()} == {c.name: "ok" for c in cases}


@settings(max_examples=2, **_SETTINGS)
@given(st.data())
def test_damaged_inputs_give_typed_errors(data):
    assert not failures(run_isolated(_batch(data, per_input=3)))


@pytest.mark.slow
@settings(max_examples=25, **_SETTINGS)
@given(st.data())
def test_damaged_inputs_give_typed_errors_many(data):
    assert not failures(run_isolated(_batch(data, per_input=8)))
