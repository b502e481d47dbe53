import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "agent.md"


def test_agent_guide_examples_run_and_print_what_they_show():
    failures, tried = doctest.testfile(str(DOC), module_relative=False, verbose=False)
    assert tried >= 10
    assert failures == 0
