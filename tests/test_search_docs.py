import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "solver.md"


def test_solver_guide_examples_run_and_print_what_they_show():
    failures, tried = doctest.testfile(
        str(DOC), module_relative=False, verbose=False, optionflags=doctest.ELLIPSIS
    )
    assert tried >= 30
    assert failures == 0
