"""Test-wide settings: property tests are derandomised under CI, so a CI run is reproducible.

Locally, hypothesis draws fresh examples on every run (and keeps failures in its
database); with ``CI`` set, each property test draws the same examples every time.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def one_torch_thread():
    """One torch thread: on a shared machine, thread oversubscription slows tiny models 10x."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``hf`` need the optional extra: without transformers they are skipped, said why."""
    import importlib.util

    if importlib.util.find_spec("transformers") is not None:
        return
    skip = pytest.mark.skip(reason="the [hf] extra is not installed: pip install -e '.[dev,hf]'")
    for item in items:
        if item.get_closest_marker("hf") is not None:
            item.add_marker(skip)
