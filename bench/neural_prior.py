"""Benchmark: a transformer as the prior of the program solver (issue 13), measured on 2 CPU cores.

One run:

1. **Split** (as ``bench/programs.py``): DreamCoder's 217 list tasks, train iff
   the first byte of ``sha256(name)`` is even; evaluation on the other half with
   the last 5 examples hidden.
2. **Bootstrap**: the train half is solved by the uniform grammar enumerator
   (all examples shown, ``--train-s`` CPU s per task); the bigram grammar is
   fitted to the solutions with the LTS loss (``kairos.domains.programs.fit``).
3. **Dreams**: programs sampled from the fitted grammar, run on random inputs
   (behavioural duplicates dropped), plus the bootstrap solutions (each 3 times,
   with different shown subsets). With ``--library-dreams`` a second set of
   models is trained on dreams from the grammar over the DSL plus a Stitch
   library learned on the same solutions (inventions inlined into the base
   DSL), with the same seeds and CPU s, and the grammar + library enumerator
   joins the baselines; labels ``xs+lib`` etc. ``--bootstrap-rounds 2`` adds a
   solve round under the fitted grammar (31 solutions are too few for Stitch
   to find an invention).
4. **Training**: 4 transformer sizes from scratch (``--train-cpu-s`` each, the
   largest briefly), seeded; time and peak memory per size; each saved as one
   ``.ktpr`` container.
5. **Evaluation** on the eval half, per size: greedy; one seeded stream of
   ``--samples`` samples in slices of 4 (best-of-N, majority vote,
   Adaptive-Consistency and marginal-value stopping read off the same stream:
   a run of each with the same seed draws exactly these samples and stops at
   the same slice); token-level LTS for ``--lts-s`` CPU s per task (node
   budgets read off its checkpoints). Cost two ways for every run: eFLOPs
   from ``kairos.cost`` on the calibrated ``cpu`` profile, and measured CPU s.
6. **Baselines** in the same run: the grammar enumerator (uniform and learned)
   at 1 CPU s per task.
7. **Throughput** of batched frontier queries with and without the KV cache.

    nice -n 5 env PYTHONPATH=src python3 bench/neural_prior.py            # ~25 min on a busy 2-core box
    nice -n 5 env PYTHONPATH=src python3 bench/neural_prior.py --quick    # ~3 min
    nice -n 10 env PYTHONPATH=src python3 bench/neural_prior.py --library-dreams \
        --bootstrap-rounds 2 --sizes xs s --train-cpu-s 8 15 ...           # dreams with the library
    nice -n 10 env PYTHONPATH=src python3 bench/neural_prior.py --sampling-only --samples 256 \
        --sizes xs s --train-cpu-s 8 15 ...     # only fixed N against adaptive stopping (neural_stopping.py)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import resource
import time
from pathlib import Path

import numpy as np
import torch

from kairos.cost import get_hardware
from kairos.cost.frontier import pareto_frontier
from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.fit import fit_grammar, steps_of
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.library import Solution, learn_library
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.domains.programs.sexpr import parse
from kairos.domains.programs.solve import solve_tasks
from kairos.domains.programs.tasks import read_tasks
from kairos.nn.transformer import TransformerConfig
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.policy.transformer_prior.train import make_examples, sample_dreams, train
from kairos.policy.transformer_prior.vocab import Vocab
from kairos.search.neural.strategies import Problem, SuccessPrior, solve_with
from neural_stopping import stopping_study

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / ".." / "shared" / "data" / "programs" / "list_tasks.json"
HOLDOUT = 5
SIZES = {  # name: (d_model, layers, heads, kv heads, d_ff)
    "xs": (32, 2, 2, 1, 64),
    "s": (64, 2, 4, 2, 192),
    "m": (128, 3, 4, 2, 384),
    "l": (192, 4, 6, 2, 576),
}
SHIPPED_SIZE = "s"
SAMPLE_BUDGETS = (4, 8, 16, 32)
VOTE_BUDGETS = (8, 32)
LTS_BUDGETS = (16, 64, 256, 1024)  # and the run's own CPU time limit (lts@1s)
CONFIDENCE = 0.95


def in_train_half(name: str) -> bool:
    """The split of bench/programs.py: train iff the first byte of sha256(name) is even."""
    return hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0


def config_of(size: str, vocab_size: int, max_seq_len: int) -> TransformerConfig:
    d, layers, heads, kv, ff = SIZES[size]
    return TransformerConfig(
        vocab_size=vocab_size,
        d_model=d,
        num_layers=layers,
        num_heads=heads,
        num_kv_heads=kv,
        d_ff=ff,
        max_seq_len=max_seq_len,
    )


class Generalizes:
    """Whether a program is right on a task's hidden examples (cached)."""

    def __init__(self, table):
        self.table, self.cache = table, {}

    def __call__(self, task, text: str) -> bool:
        if not text:
            return False
        key = (task.name, text)
        if key not in self.cache:
            _, hidden = task.split(HOLDOUT)
            fn = compile_program(parse(text), 1, self.table)
            self.cache[key] = consistent(fn, hidden)
        return self.cache[key]


def bootstrap(train_tasks, train_s: float, log, rounds: int = 1):
    """Round 1: the uniform enumerator; each later round: the grammar fitted so far, on the
    tasks still unsolved. The grammar is refitted to all solutions after every round."""
    uniform = Enumerator(Grammar())
    grammar, sols = Grammar(), {}
    for rnd in range(rounds):
        todo = [t for t in train_tasks if t.name not in sols]
        found = solve_tasks(Enumerator(grammar), todo, holdout=0, time_limit_s=train_s)
        sols.update(
            {
                t.name: (parse(r.program), t.request)
                for t, r in zip(todo, found, strict=True)
                if r.solved
            }
        )
        grammar, _ = fit_grammar(Grammar(), steps_of(uniform, list(sols.values())))
        log(
            f"bootstrap round {rnd + 1}: {'uniform' if rnd == 0 else 'learned'} grammar, "
            f"{len(sols)}/{len(train_tasks)} train tasks solved; grammar fitted with the LTS loss"
        )
    pairs = [(t, sols[t.name][0]) for t in train_tasks if t.name in sols]
    return grammar, pairs


def library_prior(pairs, iterations: int, log):
    """A Stitch library learned on the bootstrap solutions, and the grammar over the DSL + it.

    One library round of ``kairos train programs`` (:func:`learn_library`, then the bigram
    grammar over the grown DSL fitted with the LTS loss to the rewritten solutions).
    """
    sols = [Solution(t.name, expr, t.request, t.examples) for t, expr in pairs]
    lib = learn_library(sols, (), iterations=iterations, max_arity=2)
    base = Grammar(lib.primitives)
    grammar, _ = fit_grammar(
        base, steps_of(Enumerator(base), [(s.program, s.request) for s in lib.solutions])
    )
    log(
        f"library: {len(lib.library)} inventions from {len(sols)} solutions, "
        f"{lib.num_rewritten} rewritten: " + "; ".join(inv.readable() for inv in lib.library)
    )
    return grammar, lib.library


def derive_rows(size, task, greedy, stream, lts, gen, prior, value_eflops, max_samples):
    """(strategy, budget) -> (generalized, solved, eflops, cpu_s, roofline_s, units) for one task."""
    out = {}

    def row(text, solved, cp_or_attempt, units):
        c = cp_or_attempt
        return (gen(task, text), bool(solved), c.eflops, c.cpu_s, c.roofline_s, units)

    out[("greedy", 1)] = row(greedy.program, greedy.solved, greedy, 1)
    cps = stream.checkpoints
    by_units = {c.units: c for c in cps}
    for n in [b for b in SAMPLE_BUDGETS if b <= max_samples]:
        c = by_units.get(n, cps[-1])
        out[("sample", n)] = row(c.answers["sample"], bool(c.answers["sample"]), c, c.units)
    for n in [b for b in VOTE_BUDGETS if b < max_samples] + [max_samples]:
        c = by_units.get(n, cps[-1])
        out[("vote", n)] = row(c.answers["vote"], c.answers["vote_solved"], c, c.units)
    stop = next((c for c in cps if c.answers["confidence"] >= CONFIDENCE), cps[-1])
    out[("adaptive", cps[-1].units)] = row(
        stop.answers["adaptive"], bool(stop.answers["adaptive"]), stop, stop.units
    )
    for c in cps:  # marginal value: continue while P(solve in next slice) x value >= its eFLOPs
        if c.answers["sample"]:
            break
        if prior.p_success(c.units, 4) * value_eflops < c.eflops / c.units * 4:
            break
    out[("marginal", cps[-1].units)] = row(
        c.answers["sample"], bool(c.answers["sample"]), c, c.units
    )
    lcps = lts.checkpoints
    for b in LTS_BUDGETS:
        within = [c for c in lcps if c.units <= b]
        c = within[-1] if within else lcps[0]
        ok = c.solved and c.units <= b
        out[("lts", b)] = row(c.program if ok else "", ok, c, min(c.units, b))
    last = lcps[-1]
    out[("lts", "1s")] = row(last.program if last.solved else "", last.solved, last, last.units)
    return out


def success_prior(model, decoder, tasks, hw, seed: int) -> SuccessPrior:
    """The success prior of marginal-value stopping, fitted on train tasks (16 samples each)."""
    succ, draws = [], []
    for t in tasks:
        p = Problem(t.input_type, t.output_type, t.examples)
        a = solve_with("sample", model, decoder, p, budget=16, hardware=hw, seed=seed)
        succ.append(a.checkpoints[-1].answers["verified"])
        draws.append(a.units)
    return SuccessPrior.fit(succ, draws) if sum(succ) else SuccessPrior()


def throughput(model: RecognitionModel, prompt, reps: int = 5, batch: int = 32, depth: int = 6):
    """Frontier nodes scored per CPU s, with the KV cache (one step) and without (whole sequences)."""
    cfg = model.config
    gen = torch.Generator().manual_seed(0)
    kv, _ = model.prefill(prompt)
    pk = torch.randn(cfg.num_layers, batch, cfg.num_kv_heads, depth, cfg.head_dim, generator=gen)
    pv = torch.randn_like(pk)
    lens = torch.randint(1, depth + 1, (batch,), generator=gen)
    toks = torch.randint(model.vocab.program_offset, len(model.vocab), (batch,), generator=gen)
    seqs = [
        list(prompt)
        + torch.randint(
            model.vocab.program_offset, len(model.vocab), (int(n) + 1,), generator=gen
        ).tolist()
        for n in lens
    ]
    with torch.inference_mode():
        model.step(kv, pk, pv, lens, toks)
        model.full_logits(seqs)
        t0 = time.process_time()
        for _ in range(reps):
            model.step(kv, pk, pv, lens, toks)
        cached = batch * reps / (time.process_time() - t0)
        t0 = time.process_time()
        for _ in range(reps):
            model.full_logits(seqs)
        full = batch * reps / (time.process_time() - t0)
    return {
        "batch": batch,
        "nodes_per_cpu_s_cached": cached,
        "nodes_per_cpu_s_recompute": full,
        "ratio": cached / full,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=Path, default=TASKS)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-s", type=float, default=0.5, help="CPU s per train task (bootstrap)")
    ap.add_argument("--dreams", type=int, default=1500)
    ap.add_argument("--dream-cpu-s", type=float, default=60.0)
    ap.add_argument(
        "--sizes", nargs="+", choices=list(SIZES), default=list(SIZES), help="model sizes to train"
    )
    ap.add_argument(
        "--train-cpu-s",
        type=float,
        nargs="+",
        default=[20.0, 40.0, 60.0, 80.0],
        help="CPU s of training, one per --sizes",
    )
    ap.add_argument(
        "--library-dreams",
        action="store_true",
        help="dreams from the grammar plus a Stitch library learned on the bootstrap solutions "
        "(and the grammar+library enumerator as one more baseline)",
    )
    ap.add_argument("--library-iterations", type=int, default=10, help="most inventions")
    ap.add_argument(
        "--bootstrap-rounds",
        type=int,
        default=1,
        help="solve rounds before the dreams (later rounds use the grammar fitted so far)",
    )
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument(
        "--sampling-only",
        action="store_true",
        help="after training, only the stopping study (fixed N against adaptive stopping, with "
        "and without the verifier, caps up to --samples); no LTS, greedy, grammar baselines, "
        "frontier or throughput",
    )
    ap.add_argument("--lts-s", type=float, default=1.0)
    ap.add_argument("--grammar-s", type=float, default=1.0)
    ap.add_argument(
        "--prior-tasks", type=int, default=16, help="train tasks to fit the success prior on"
    )
    ap.add_argument("--eval-every", type=int, default=2, help="evaluate every k-th eval task")
    ap.add_argument("--max-prompt", type=int, default=96)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "neural_prior.json")
    ap.add_argument("--models", type=Path, default=ROOT / "bench" / "out" / "neural_models")
    ap.add_argument(
        "--ship", type=Path, default=None, help="also write the shipped-size model here"
    )
    ap.add_argument(
        "--frontier-data", type=Path, default=None, help="write the demo's frontier JSON here"
    )
    ap.add_argument(
        "--export-only", action="store_true", help="only convert --out to --frontier-data"
    )
    args = ap.parse_args()
    command = "nice -n 5 env PYTHONPATH=src python3 bench/neural_prior.py"
    if args.export_only:
        result = json.loads(args.out.read_text())
        plot(result["frontier"], result["baselines_at_1s"], args.out.with_suffix(".png"), 1.0)
        if args.frontier_data:
            export_frontier(result, args.frontier_data, command)
        return
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    log = lambda msg: print(f"[{time.perf_counter() - t_start:6.0f} s] {msg}", flush=True)  # noqa: E731
    tasks = read_tasks(args.tasks)
    train_tasks = [t for t in tasks if in_train_half(t.name)]
    eval_tasks = [t for t in tasks if not in_train_half(t.name)]
    eval_tasks = eval_tasks[:: args.eval_every]
    if args.quick:
        train_tasks, eval_tasks = train_tasks[::4], eval_tasks[::3]
        args.dreams, args.dream_cpu_s = 300, 20.0
        args.train_cpu_s = [5.0, 8.0, 10.0, 12.0][: len(args.sizes)]
        args.samples, args.lts_s, args.grammar_s, args.prior_tasks = 16, 0.3, 0.3, 6
    log(f"{len(tasks)} tasks: {len(train_tasks)} train, {len(eval_tasks)} eval (holdout {HOLDOUT})")
    hw = get_hardware("cpu")
    value_eflops = hw.peak_flops_per_s * 1.0  # a solve is worth one second of the profile's peak

    if args.sampling_only and args.samples % 4:
        ap.error(
            f"--samples {args.samples}: expected a multiple of 4 (samples are drawn in slices of 4)"
        )
    if len(args.train_cpu_s) != len(args.sizes):
        ap.error(f"--train-cpu-s needs one value per size ({len(args.sizes)}: {args.sizes})")
    grammar, solutions = bootstrap(train_tasks, args.train_s, log, args.bootstrap_rounds)
    # Dream variants: "" from the grammar (always); "+lib" from the grammar over the DSL plus a
    # Stitch library learned on the same solutions (--library-dreams). Same solutions, same
    # seeds, same sizes and training CPU s: the variants differ only in their dreams.
    variants = [("", grammar, ())]
    library, library_s = (), 0.0
    if args.library_dreams:
        c0 = time.process_time()
        library_grammar, library = library_prior(solutions, args.library_iterations, log)
        library_s = time.process_time() - c0
        variants.append(("+lib", library_grammar, library))
    vocab = Vocab([p.name for p in PRIMITIVES])
    decoder = Decoder(vocab)
    max_seq = args.max_prompt + 64
    probe = RecognitionModel(
        config_of("xs", len(vocab), max_seq), vocab, max_prompt_tokens=args.max_prompt
    )
    gen = Generalizes(grammar.table)
    models, training, dream_info = {}, {}, {}
    for suffix, dream_grammar, dream_library in variants:
        c0 = time.process_time()
        dream_set = sample_dreams(
            dream_grammar,
            args.dreams,
            seed=args.seed,
            library=dream_library,
            max_tries=40 * args.dreams,
            time_limit_s=args.dream_cpu_s,
        )
        dreams = dream_set.pairs
        dream_s = time.process_time() - c0
        log(
            f"dreams{suffix}: {len(dreams)} in {dream_s:.0f} CPU s, {dream_set.with_library} "
            f"({dream_set.library_share:.0%}) use the library, {dream_set.inline_rejected} "
            "dropped (inlined, not a base program the decoder writes)"
        )
        rng = np.random.default_rng(args.seed)
        examples = make_examples(probe, decoder, dreams + solutions * 3, rng)
        log(
            f"training data{suffix}: {len(examples)} sequences, mean prompt {np.mean([len(e.prompt) for e in examples]):.0f} tokens"
        )
        dream_info[suffix or "grammar"] = {
            "dreams": len(dreams),
            "dream_cpu_s": dream_s,
            "with_library": dream_set.with_library,
            "library_share": dream_set.library_share,
            "inline_rejected": dream_set.inline_rejected,
            "tries": dream_set.tries,
            "training_sequences": len(examples),
        }
        for size, cpu_s in zip(args.sizes, args.train_cpu_s, strict=True):
            label = size + suffix
            model = RecognitionModel(
                config_of(size, len(vocab), max_seq),
                vocab,
                max_prompt_tokens=args.max_prompt,
                seed=args.seed,
            )
            rep = train(model, examples, seed=args.seed, steps=args.steps, time_limit_s=cpu_s)
            model.meta = {
                "size": size,
                "train": rep.as_dict(),
                "dreams": len(dreams),
                "dreams_with_library": dream_set.with_library,
                "solutions": len(solutions),
            }
            args.models.mkdir(parents=True, exist_ok=True)
            path = args.models / f"{label}.ktpr"
            model.save(path)
            models[label] = RecognitionModel.load(path, vocab.primitive_names)
            training[label] = {
                "params": model.num_params,
                **rep.as_dict(),
                "train_state_mib": model.num_params
                * 4
                * 4
                / 2**20,  # weights, grads, Adam m and v (fp32)
                "file_bytes": path.stat().st_size,
            }
            log(
                f"trained {label}: {model.num_params:,} params, {rep.steps} steps, {rep.cpu_s:.0f} CPU s, loss {rep.first_loss:.2f} -> {rep.final_loss:.2f}, peak RSS {rep.peak_rss_mib:.0f} MiB"
            )
            if args.ship and label == SHIPPED_SIZE:
                model.save(args.ship)

    if args.sampling_only:
        priors = {
            label: success_prior(m, decoder, train_tasks[: args.prior_tasks], hw, args.seed)
            for label, m in models.items()
        }
        study = stopping_study(
            models,
            decoder,
            eval_tasks,
            HOLDOUT,
            gen,
            hw,
            value_eflops,
            priors,
            args.samples,
            args.seed,
            log,
        )
        study["success_priors"] = {k: v.__dict__ for k, v in priors.items()}
        out = {
            "date": time.strftime("%Y-%m-%d"),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "num_eval": len(eval_tasks),
            "bootstrap_solutions": len(solutions),
            "dream_variants": dream_info,
            "training": training,
            "value_eflops": value_eflops,
            "stopping_study": study,
            "wall_s": time.perf_counter() - t_start,
            "cpu_s": time.process_time(),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=1) + "\n")
        log(f"wrote {args.out}")
        return

    # grammar baselines at 1 CPU s per task, same tasks, same holdout
    baselines = {}
    grammars = [("uniform grammar", Grammar()), ("learned grammar", grammar)]
    if library:
        grammars.append(("learned grammar + library", variants[1][1]))
    for name, g in grammars:
        res = solve_tasks(Enumerator(g), eval_tasks, holdout=HOLDOUT, time_limit_s=args.grammar_s)
        baselines[name] = {
            "solved": sum(r.solved for r in res),
            "generalized": sum(r.generalized for r in res),
            "cpu_s_per_task": sum(r.seconds for r in res) / len(res),
        }
        log(f"{name} at {args.grammar_s:g} s: {baselines[name]['generalized']} generalized")

    rows: dict = {}  # (size, strategy, budget) -> list over tasks
    calib = []
    priors, thr = {}, {}
    for size, model in models.items():
        prior = success_prior(model, decoder, train_tasks[: args.prior_tasks], hw, args.seed)
        priors[size] = prior.__dict__
        thr[size] = throughput(
            model,
            model.prompt(
                eval_tasks[0].input_type, eval_tasks[0].output_type, eval_tasks[0].split(HOLDOUT)[0]
            ),
        )
        for k, task in enumerate(eval_tasks):
            p = Problem.of(task, HOLDOUT)
            seed = args.seed + k
            greedy = solve_with("greedy", model, decoder, p, budget=1, hardware=hw, seed=seed)
            stream = solve_with(
                "sample", model, decoder, p, budget=args.samples, hardware=hw, seed=seed
            )
            lts = solve_with(
                "lts",
                model,
                decoder,
                p,
                budget=10**7,
                hardware=hw,
                seed=seed,
                time_limit_s=args.lts_s,
            )
            for a in (greedy, stream, lts):
                calib.append(
                    {
                        "size": size,
                        "strategy": a.strategy,
                        "eflops": a.eflops,
                        "roofline_s": a.roofline_s,
                        "cpu_s": a.cpu_s,
                    }
                )
            for key, val in derive_rows(
                size, task, greedy, stream, lts, gen, prior, value_eflops, args.samples
            ).items():
                rows.setdefault((size, *key), []).append(val)
        done = {k: v for k, v in rows.items() if k[0] == size}
        best = max(done.items(), key=lambda kv: sum(x[0] for x in kv[1]))
        log(
            f"evaluated {size}: best {best[0][1]}@{best[0][2]} generalizes {sum(x[0] for x in best[1])}/{len(eval_tasks)}"
        )

    n = len(eval_tasks)
    table = []
    for (size, strategy, budget), vals in rows.items():
        table.append(
            {
                "size": size,
                "params": training[size]["params"],
                "strategy": strategy,
                "budget": budget,
                "generalized": sum(v[0] for v in vals),
                "solved": sum(v[1] for v in vals),
                "accuracy": sum(v[0] for v in vals) / n,
                "eflops": sum(v[2] for v in vals) / n,
                "cpu_s": sum(v[3] for v in vals) / n,
                "roofline_s": sum(v[4] for v in vals) / n,
                "units": sum(v[5] for v in vals) / n,
            }
        )
    front = set(pareto_frontier([(r["eflops"], r["accuracy"]) for r in table]))
    for i, r in enumerate(table):
        r["on_frontier"] = i in front

    # Kinetics in miniature: best size at each eFLOPs budget
    budgets = np.logspace(
        math.log10(min(r["eflops"] for r in table)), math.log10(max(r["eflops"] for r in table)), 8
    )
    optimal = []
    for b in budgets:
        ok = [r for r in table if r["eflops"] <= b * 1.0001]
        top = max(ok, key=lambda r: (r["generalized"], -r["eflops"]))
        optimal.append(
            {
                "eflops_budget": float(b),
                "size": top["size"],
                "params": top["params"],
                "strategy": top["strategy"],
                "budget": top["budget"],
                "generalized": top["generalized"],
            }
        )

    # at 1 CPU s per task: the best transformer strategy whose mean CPU s per task is <= 1 s
    at_1s = [r for r in table if r["cpu_s"] <= args.grammar_s * 1.0001 or r["budget"] == "1s"]
    best_1s = max(at_1s, key=lambda r: r["generalized"])
    g1 = baselines["learned grammar"]["generalized"]
    by_dreams = {}  # dream variant -> its best strategy at 1 CPU s and the ratios to the grammars
    for suffix, _, _ in variants:
        mine = [
            r for r in at_1s if r["size"].endswith(suffix) and ("+" in r["size"]) == bool(suffix)
        ]
        top = max(mine, key=lambda r: r["generalized"])
        by_dreams[suffix or "grammar"] = {
            "best": top,
            "ratio_to_learned_grammar": top["generalized"] / max(g1, 1),
            **(
                {
                    "ratio_to_grammar_with_library": top["generalized"]
                    / max(baselines["learned grammar + library"]["generalized"], 1)
                }
                if library
                else {}
            ),
        }

    # adaptive vs fixed best-of-N
    adaptive_vs = {}
    for size in models:
        fixed = [
            (r["budget"], r["generalized"], r["units"])
            for r in table
            if r["size"] == size and r["strategy"] == "sample"
        ]
        fixed.sort()
        top = max(g for _, g, _ in fixed)
        plateau = next((b, g, u) for b, g, u in fixed if g >= top)
        ad = next(r for r in table if r["size"] == size and r["strategy"] == "adaptive")
        mg = next(r for r in table if r["size"] == size and r["strategy"] == "marginal")
        adaptive_vs[size] = {
            "plateau_samples": plateau[0],
            "plateau_generalized": plateau[1],
            "adaptive_mean_samples": ad["units"],
            "adaptive_generalized": ad["generalized"],
            "sample_ratio": plateau[0] / ad["units"] if ad["units"] else math.nan,
            "marginal_mean_samples": mg["units"],
            "marginal_generalized": mg["generalized"],
        }

    # calibration: measured CPU s against eFLOPs and against the roofline
    e = np.log([c["eflops"] for c in calib])
    s = np.log([c["cpu_s"] for c in calib])
    rl = np.log([c["roofline_s"] for c in calib])
    slope, intercept = np.polyfit(e, s, 1)
    r2 = 1 - np.sum((s - (slope * e + intercept)) ** 2) / np.sum((s - s.mean()) ** 2)
    calibration = {
        "n": len(calib),
        "loglog_slope": float(slope),
        "loglog_r2": float(r2),
        "median_cpu_s_per_gigaeflop": float(np.median(np.exp(s - e)) * 1e9),
        "median_measured_over_roofline": float(np.exp(np.median(s - rl))),
        "iqr_measured_over_roofline": [
            float(np.exp(np.percentile(s - rl, 25))),
            float(np.exp(np.percentile(s - rl, 75))),
        ],
    }

    # ---- print -------------------------------------------------------------------------------
    print("\nTraining (CPU, 1 thread)")
    print(
        f"{'size':>4} {'params':>10} {'steps':>6} {'seqs':>7} {'CPU s':>7} {'loss':>6} {'peak RSS MiB':>13} {'train state MiB':>16} {'file KB':>8}"
    )
    for size, t in training.items():
        print(
            f"{size:>4} {t['params']:>10,} {t['steps']:>6} {t['sequences']:>7} {t['cpu_s']:>7.0f} {t['final_loss']:>6.2f} {t['peak_rss_mib']:>13.0f} {t['train_state_mib']:>16.1f} {t['file_bytes'] / 1e3:>8.0f}"
        )
    print(
        f"\nFrontier: {n} eval tasks, holdout {HOLDOUT}; eFLOPs per task on the 'cpu' profile (I = {hw.intensity:.2f})"
    )
    print(
        f"{'size':>4} {'strategy':>9} {'budget':>6} {'gen':>4} {'solved':>6} {'eFLOPs/task':>12} {'CPU s/task':>10} {'roofline s':>10} {'units':>7} {'front':>5}"
    )
    for r in sorted(table, key=lambda r: r["eflops"]):
        print(
            f"{r['size']:>4} {r['strategy']:>9} {r['budget']!s:>6} {r['generalized']:>4} {r['solved']:>6} {r['eflops']:>12.3g} {r['cpu_s']:>10.3f} {r['roofline_s']:>10.4f} {r['units']:>7.1f} {'*' if r['on_frontier'] else '':>5}"
        )
    print("\nOptimal size per eFLOPs budget (Kinetics in miniature)")
    for o in optimal:
        print(
            f"  <= {o['eflops_budget']:.3g} eFLOPs: {o['size']} ({o['params']:,} params) {o['strategy']}@{o['budget']} -> {o['generalized']}"
        )
    print(
        f"\nAt {args.grammar_s:g} CPU s per task: learned grammar {g1}, uniform {baselines['uniform grammar']['generalized']}"
        + (
            f", grammar + library {baselines['learned grammar + library']['generalized']}"
            if library
            else ""
        )
        + f"; best transformer {best_1s['size']} {best_1s['strategy']}@{best_1s['budget']} {best_1s['generalized']} (ratio {best_1s['generalized'] / max(g1, 1):.2f}, target >= 1.3)"
    )
    for name, b in by_dreams.items():
        t = b["best"]
        print(
            f"  dreams from the {name}: best {t['size']} {t['strategy']}@{t['budget']} {t['generalized']} "
            f"(ratio to the learned grammar {b['ratio_to_learned_grammar']:.2f}"
            + (
                f", to grammar + library {b['ratio_to_grammar_with_library']:.2f}"
                if "ratio_to_grammar_with_library" in b
                else ""
            )
            + ")"
        )
    print("\nAdaptive stopping vs fixed best-of-N")
    for size, a in adaptive_vs.items():
        print(
            f"  {size}: plateau N={a['plateau_samples']} ({a['plateau_generalized']}); adaptive {a['adaptive_mean_samples']:.1f} samples ({a['adaptive_generalized']}), {a['sample_ratio']:.2f}x fewer; marginal {a['marginal_mean_samples']:.1f} ({a['marginal_generalized']})"
        )
    print(
        f"\nCalibration over {calibration['n']} runs: log CPU s = {slope:.2f} log eFLOPs + c, R² {r2:.2f}; measured / roofline median {calibration['median_measured_over_roofline']:.1f}x (IQR {calibration['iqr_measured_over_roofline'][0]:.1f}-{calibration['iqr_measured_over_roofline'][1]:.1f})"
    )
    print("\nBatched frontier queries (32 nodes per call)")
    for size, t in thr.items():
        print(
            f"  {size}: {t['nodes_per_cpu_s_cached']:,.0f} nodes/CPU s with the KV cache, {t['nodes_per_cpu_s_recompute']:,.0f} recomputing ({t['ratio']:.1f}x)"
        )

    out = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "quick": bool(args.quick),
        "split": "train iff sha256(name)[0] is even; eval with the last 5 examples hidden",
        "num_train": len(train_tasks),
        "num_eval": n,
        "bootstrap_solutions": len(solutions),
        "dreams": dream_info["grammar"]["dreams"],
        "dream_cpu_s": dream_info["grammar"]["dream_cpu_s"],
        "training_sequences": dream_info["grammar"]["training_sequences"],
        "dream_variants": dream_info,
        "library": [inv.readable() for inv in library],
        "library_cpu_s": library_s,
        "bootstrap_rounds": args.bootstrap_rounds,
        "sizes": list(args.sizes),
        "training": training,
        "hardware": hw.to_dict(),
        "value_eflops": value_eflops,
        "success_priors": priors,
        "frontier": table,
        "optimal_size": optimal,
        "baselines_at_1s": baselines,
        "best_transformer_at_1s": best_1s,
        "ratio_at_1s": best_1s["generalized"] / max(g1, 1),
        "at_1s_by_dreams": by_dreams,
        "adaptive_vs_fixed": adaptive_vs,
        "calibration": calibration,
        "throughput": thr,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "wall_s": time.perf_counter() - t_start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    plot(table, baselines, args.out.with_suffix(".png"), args.grammar_s)
    if args.frontier_data:
        export_frontier(out, args.frontier_data, command)
    log(f"wrote {args.out} and {args.out.with_suffix('.png')}")


def export_frontier(result: dict, dest: Path, command: str) -> None:
    """The measured frontier as package data for the demo's cost section (plain JSON)."""
    keep = (
        "size",
        "params",
        "strategy",
        "budget",
        "generalized",
        "solved",
        "eflops",
        "cpu_s",
        "roofline_s",
        "units",
    )
    data = {
        "date": result["date"],
        "command": command,
        "num_eval": result["num_eval"],
        "split": result["split"],
        "hardware": result["hardware"]["name"],
        "frontier": [{k: r[k] for k in keep} for r in result["frontier"]],
    }
    dest.write_text(json.dumps(data, indent=0) + "\n")


def plot(table, baselines, path: Path, grammar_s: float) -> None:
    from kairos.plotting import new_figure

    fig, ax = new_figure()
    markers = {
        "greedy": "o",
        "sample": "s",
        "vote": "v",
        "adaptive": "D",
        "marginal": "P",
        "lts": "^",
    }
    sizes = sorted(
        {r["size"] for r in table}, key=lambda s: (list(SIZES).index(s.split("+")[0]), s)
    )
    colors = dict(zip(sizes, [f"C{i}" for i in range(10)], strict=False))
    for r in table:
        ax.scatter(
            r["eflops"],
            r["generalized"],
            marker=markers[r["strategy"]],
            color=colors[r["size"]],
            s=22,
        )
    front = sorted((r for r in table if r["on_frontier"]), key=lambda r: r["eflops"])
    ax.step(
        [r["eflops"] for r in front],
        [r["generalized"] for r in front],
        where="post",
        color="black",
        lw=1,
    )
    for s in sizes:
        ax.scatter(
            [],
            [],
            color=colors[s],
            label=f"{s} ({next(r['params'] for r in table if r['size'] == s):,})",
        )
    for k, m in markers.items():
        ax.scatter([], [], color="gray", marker=m, label=k)
    g = baselines["learned grammar"]["generalized"]
    ax.axhline(g, color="gray", ls="--", lw=1, label=f"learned grammar, {grammar_s:g} CPU s")
    ax.set_xscale("log")
    ax.set_xlabel("eFLOPs per task (kairos.cost, cpu profile)")
    ax.set_ylabel("held-out tasks generalized")
    ax.legend(fontsize=6, ncol=2)
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
