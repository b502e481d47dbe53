"""Learning curves of several ``bench/boxoban_curve.py`` runs in one figure (issue 14, item 2).

Reads each ``--run`` folder's ``curve.json`` and plots its 100-level
``valid/000`` mean expansions against training CPU seconds, one line per run
labelled with its context set, training levels and (where recorded) largest
budget; writes ``--out`` (a PNG).

    python bench/boxoban_contexts_plot.py --run bench/out/boxtrain_ab_base \\
        --run bench/out/boxtrain_ab_push --run bench/out/boxtrain_ab_push-dead \\
        --out bench/figures/boxoban_contexts_ab.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, action="append", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for run in args.run:
        curve = json.loads((run / "curve.json").read_text())
        points = curve["points"]
        config = curve["config"]
        label = f"{config.get('contexts', 'base')}, {config['train_levels']:,} levels"
        if "budget" in points[-1]:
            label += f", budget ≤ {max(p['budget'] for p in points):,}"
        ax.plot(
            [p["train_cpu_s"] for p in points],
            [p["valid_mean_expansions"] for p in points],
            marker="o",
            ms=3,
            label=label,
        )
    ax.set_xlabel("training CPU seconds")
    ax.set_ylabel("mean expansions, first 100 valid/000 levels")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(args.out)


if __name__ == "__main__":
    main()
