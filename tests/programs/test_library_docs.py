import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "programs_library.md"


def test_library_guide_examples_run_and_print_what_they_show():
    failures, tried = doctest.testfile(
        str(DOC), module_relative=False, verbose=False, optionflags=doctest.ELLIPSIS
    )
    assert tried >= 10
    assert failures == 0
