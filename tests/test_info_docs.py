import doctest
import os
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "info.md"


def test_info_guide_examples_run_and_print_what_they_show():
    cwd = os.getcwd()
    try:
        failures, tried = doctest.testfile(
            str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS
        )
    finally:
        os.chdir(cwd)  # the CLI example works in a temporary folder
    assert tried >= 30
    assert failures == 0
