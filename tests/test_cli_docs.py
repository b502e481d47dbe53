import doctest
import os
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_guide_examples_run_and_print_what_they_show():
    cwd = os.getcwd()
    try:
        failures, tried = doctest.testfile(
            str(DOC), module_relative=False, verbose=False, optionflags=doctest.ELLIPSIS
        )
    finally:
        os.chdir(cwd)
    assert tried >= 20
    assert failures == 0
