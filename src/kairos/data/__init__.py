"""Problem instances shipped inside the package (see NOTICE.md for provenance)."""

from importlib import resources
from pathlib import Path

BOXOBAN_DEMO = "boxoban/train_000_first60.txt"
STP_3X3_DEMO = "stp/demo_3x3.txt"
STP_4X4_DEMO = "stp/demo_4x4.txt"
BOXOBAN_POLICY = "policies/boxoban_cm.kpol"  # trained by bench/boxoban_curve.py
BOXOBAN_POLICY_LOG = "policies/boxoban_cm_log.csv"  # its bootstrap log
BOXOBAN_HEURISTIC = "heuristics/boxoban_togo.kheu"  # PHS*'s h, learned by bench/boxoban_phs.py
PROGRAMS_POLICY = "policies/list_dsl.kprog"  # trained by bench/programs_train.py
PROGRAMS_POLICY_LOG = "policies/list_dsl_log.csv"  # its bootstrap log
PROGRAMS_GRAMMAR_POLICY = "policies/list_dsl_grammar.kprog"  # the same run, no library
PROGRAMS_DEMO_TASKS = "programs/demo_eval_tasks.json"  # 24 eval-half dev list tasks


def data_path(name: str) -> Path:
    """Filesystem path of a bundled data file, e.g. ``data_path(BOXOBAN_DEMO)``."""
    return Path(str(resources.files("kairos.data").joinpath(name)))
