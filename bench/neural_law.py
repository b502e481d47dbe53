"""Benchmark: the time–information law for a transformer prior (issue 13, item 5).

Transformers of one size are trained on nested subsets D0 = {} ⊂ D1 ⊂ D2 ⊂ D3
of the bootstrap's solutions (each with the same dreams, the same seed and
the same number of steps). For every held-out task whose solution h the
learned grammar finds at 1 CPU s, and every k ≥ 1:

* I(h:Dk) = ℓ_ν0(h) − ℓ_νDk(h), the code length of h in bits under the
  model trained without solutions minus under the one trained with Dk
  (type-constrained −log2 π(h | the task's examples));
* log2 speed-up = log2(expansions of token-level LTS under ν0 ÷ under νDk),
  on the tasks both solve within the node budget.

The law says log2 speed-up ≈ I(h:D); we report the least-squares slope, R²
and n, and the *bound variant*: the same fit with the LTS bound
log2(d/π) of the program each search found instead of its expansions.

    nice -n 5 env PYTHONPATH=src python3 bench/neural_law.py     # ~8 min on a busy 2-core box
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from kairos.cost import get_hardware
from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.domains.programs.sexpr import parse
from kairos.domains.programs.solve import solve_tasks
from kairos.domains.programs.tasks import read_tasks
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.policy.transformer_prior.train import dream, make_examples, train
from kairos.policy.transformer_prior.vocab import Vocab
from kairos.search.neural.strategies import Problem, solve_with
from neural_prior import HOLDOUT, TASKS, bootstrap, config_of, in_train_half

ROOT = Path(__file__).resolve().parents[1]


def fit(x, y) -> dict:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3:
        return {"n": len(x), "slope": math.nan, "intercept": math.nan, "r2": math.nan}
    slope, intercept = np.polyfit(x, y, 1)
    r2 = 1 - np.sum((y - slope * x - intercept) ** 2) / max(np.sum((y - y.mean()) ** 2), 1e-12)
    return {"n": len(x), "slope": float(slope), "intercept": float(intercept), "r2": float(r2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="xs")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--train-s", type=float, default=0.3)
    ap.add_argument("--dreams", type=int, default=400)
    ap.add_argument("--node-budget", type=int, default=3000)
    ap.add_argument("--lts-s", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "neural_law.json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    log = lambda m: print(f"[{time.perf_counter() - t0:6.0f} s] {m}", flush=True)  # noqa: E731
    tasks = read_tasks(TASKS)
    train_tasks = [t for t in tasks if in_train_half(t.name)]
    eval_tasks = [t for t in tasks if not in_train_half(t.name)][:: args.eval_every]
    grammar, solutions = bootstrap(train_tasks, args.train_s, log)
    found = solve_tasks(Enumerator(grammar), eval_tasks, holdout=HOLDOUT, time_limit_s=1.0)
    targets = [(t, parse(r.program)) for t, r in zip(eval_tasks, found, strict=True) if r.solved]
    log(f"{len(targets)} eval tasks with a solution h from the learned grammar")
    dreams = dream(grammar, args.dreams, seed=args.seed, max_tries=40 * args.dreams)
    vocab = Vocab([p.name for p in PRIMITIVES])
    decoder = Decoder(vocab)
    hw = get_hardware("cpu")
    order = np.random.default_rng(args.seed).permutation(len(solutions))
    cuts = [0, len(order) // 3, 2 * len(order) // 3, len(order)]
    per_model = []
    for k, cut in enumerate(cuts):
        subset = [solutions[i] for i in order[:cut]]
        model = RecognitionModel(
            config_of(args.size, len(vocab), 160), vocab, max_prompt_tokens=96, seed=args.seed
        )
        ex = make_examples(model, decoder, dreams + subset * 3, np.random.default_rng(args.seed))
        rep = train(model, ex, seed=args.seed, steps=args.steps)
        rows = []
        for t, h in targets:
            p = Problem.of(t, HOLDOUT)
            prompt = model.prompt(t.input_type, t.output_type, p.shown)
            ids, legal = decoder.trace(h, t.request)
            bits = model.code_length_bits(prompt, ids, legal)
            a = solve_with(
                "lts",
                model,
                decoder,
                p,
                budget=args.node_budget,
                hardware=hw,
                time_limit_s=args.lts_s,
            )
            bound = math.nan
            if a.solved:
                fi, fl = decoder.trace(parse(a.program), t.request)
                bound = math.log2(len(fi) + 1) + model.code_length_bits(prompt, fi, fl)
            rows.append(
                {
                    "task": t.name,
                    "bits": bits,
                    "solved": a.solved,
                    "expansions": a.units,
                    "bound_log2": bound,
                }
            )
        per_model.append({"solutions": cut, "train": rep.as_dict(), "rows": rows})
        log(
            f"D{k}: {cut} solutions, loss {rep.final_loss:.2f}, LTS solved {sum(r['solved'] for r in rows)}/{len(rows)}"
        )
    xs, ys, bx, by = [], [], [], []
    base = per_model[0]["rows"]
    for m in per_model[1:]:
        for r0, r in zip(base, m["rows"], strict=True):
            info = r0["bits"] - r["bits"]
            if r0["solved"] and r["solved"]:
                xs.append(info)
                ys.append(math.log2(r0["expansions"] / r["expansions"]))
                bx.append(info)
                by.append(r0["bound_log2"] - r["bound_log2"])
    law = fit(xs, ys)
    bound = fit(bx, by)
    print(f"\nLaw for the neural prior ({args.size}, nested D0 ⊂ D1 ⊂ D2 ⊂ D3 = {cuts}):")
    print(
        f"  log2 speed-up (LTS expansions) vs I(h:D): slope {law['slope']:.2f}, R² {law['r2']:.2f}, n {law['n']}"
    )
    print(
        f"  bound variant (log2 d/π of the found program): slope {bound['slope']:.2f}, R² {bound['r2']:.2f}, n {bound['n']}"
    )
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "size": args.size,
        "cuts": cuts,
        "num_targets": len(targets),
        "law": law,
        "bound_variant": bound,
        "points": [{"info_bits": x, "log2_speedup": y} for x, y in zip(xs, ys, strict=True)],
        "models": per_model,
        "wall_s": time.perf_counter() - t0,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
