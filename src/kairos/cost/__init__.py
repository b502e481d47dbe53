"""The cost pillar: what test-time compute really costs.

Kinetics-style eFLOPs (FLOPs + I x bytes) of transformer inference from real
``config.json`` shapes and hardware rooflines, iso-cost frontiers, the price of
a solver's search, and a calibration of the roofline against measured time.

>>> from kairos.cost import get_model, HARDWARE, Workload, estimate
>>> spec = get_model("qwen3-0.6b")
>>> spec.num_params
596049920
>>> cost = estimate(spec, Workload.of(prompt_tokens=128, gen_tokens=32768), HARDWARE["kinetics"], mode="kinetics")
>>> round(cost.attention_share, 4)
0.9989
"""

from kairos.cost.estimate import COST_MODELS, CostBreakdown, Term, estimate
from kairos.cost.hardware import HARDWARE, Hardware, get_hardware, hardware_names
from kairos.cost.spec import (
    ModelSpec,
    get_model,
    load_config,
    shipped_model_names,
    spec_from_config,
)
from kairos.cost.workload import BlockTopK, Workload, parse_sparse

__all__ = [
    "COST_MODELS",
    "HARDWARE",
    "BlockTopK",
    "CostBreakdown",
    "Hardware",
    "ModelSpec",
    "Term",
    "Workload",
    "estimate",
    "get_hardware",
    "get_model",
    "hardware_names",
    "load_config",
    "parse_sparse",
    "shipped_model_names",
    "spec_from_config",
]
