"""Every reader, given damaged input, raises a KairosError or returns a correct result.

Damage is drawn by hypothesis strategies *after re-checksumming* (see
``tests/damage.py``: the container accepts the file, so the reader's own
checks are what is tested), plus a tenth before it. Each batch runs in a child
process with a memory limit and a timeout (``tests/isolated.py``), so a
segfault, a runaway allocation or a hang fails the test instead of ending the
run. The default run reads every valid input and a few damaged copies of each
in one child; ``-m slow`` draws many batches, with shrinking.
"""

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.damage import _TEXT, damaged, reader_cases, valid_inputs
from tests.isolated import Case, failures, run_isolated


def test_valid_and_damaged_inputs():
    """Valid inputs read cleanly; damaged copies give typed errors or the original bytes."""
    seed = 0 if os.environ.get("CI") else random.randrange(2**32)
    valid = [
        Case(name, reader, blob, suffix) for name, (reader, blob, suffix) in valid_inputs().items()
    ]
    damaged_cases = [Case(*case) for case in reader_cases(seed=seed, per_input=4)]
    records = run_isolated(valid + damaged_cases)
    assert [records[c.name]["outcome"] for c in valid] == ["ok"] * len(valid)
    assert not failures(records), f"reproduce with reader_cases(seed={seed}, per_input=4)"


def _batch(data, per_input: int) -> list[Case]:
    import hashlib

    expected = hashlib.sha256(_TEXT).hexdigest()
    cases = []
    for name, (reader, blob, suffix) in valid_inputs().items():
        for k in range(per_input):
            bad, how = data.draw(damaged(reader, blob), label=name)
            sha = expected if reader == "kz" else None
            cases.append(Case(f"{name}#{k} {how}", reader, bad, suffix, sha))
    return cases


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.data())
def test_damaged_inputs_give_typed_errors_many(data):
    assert not failures(run_isolated(_batch(data, per_input=8)))
