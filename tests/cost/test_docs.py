import doctest
from pathlib import Path

import kairos.cost

DOC = Path(__file__).resolve().parents[2] / "docs" / "cost.md"


def test_user_guide_examples_run():
    result = doctest.testfile(
        str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 10 and result.failed == 0


def test_package_docstring_example():
    result = doctest.testmod(kairos.cost)
    assert result.attempted > 0 and result.failed == 0
