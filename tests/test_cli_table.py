"""Issue 11: every command x bad paths, bad numbers and bad choices gives exit 2 and one line
naming the culprit; runaway inputs finish; protected files are left as they were."""

from __future__ import annotations

import pytest

from tests.cli_cases import cases, expected_kind, run_case

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_invocation(case, tmp_path):
    outcome = run_case(case, tmp_path / "case")
    assert outcome.kind == expected_kind(case), outcome
