import doctest
from pathlib import Path

from kairos.domains import unregister_domain

DOC = Path(__file__).resolve().parents[1] / "docs" / "domains.md"


def test_domain_guide_examples_run_and_print_what_they_show():
    try:
        failures, tried = doctest.testfile(
            str(DOC), module_relative=False, verbose=False, optionflags=doctest.ELLIPSIS
        )
    finally:
        unregister_domain("walk")  # the guide registers a domain for this process
    assert tried >= 30
    assert failures == 0
