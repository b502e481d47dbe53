"""The cost pillar's demo section: where test-time compute really goes, and a measured iso-cost frontier."""

from __future__ import annotations

from typing import Any

from kairos.report import Section

DEMO_MODELS = ("qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3-8b", "qwen3-14b", "qwen3-32b")


def attention_share_rows(
    gen_lengths: list[int], *, prompt_tokens: int = 128
) -> list[dict[str, Any]]:
    """Kinetics' attention share of eFLOPs (N = 1, I = 562.5) for each Qwen3 model and length."""
    from kairos.cost import HARDWARE, Workload, estimate, get_model

    rows = []
    for name in DEMO_MODELS:
        spec = get_model(name)
        for length in gen_lengths:
            work = Workload.of(prompt_tokens=prompt_tokens, gen_tokens=length)
            cost = estimate(spec, work, HARDWARE["kinetics"], mode="kinetics")
            rows.append(
                {
                    "model": name,
                    "gen_tokens": length,
                    "attention_share": cost.attention_share,
                    "kv_gib": cost.kv_bytes / 2**30,
                    "eflops": cost.eflops,
                }
            )
    return rows


def measured_frontier() -> dict[str, Any]:
    """The iso-cost frontier measured by ``bench/neural_prior.py``, shipped as package data.

    Each row is one (transformer size, strategy, budget) configuration of
    kairos's own recognition models on held-out program-synthesis tasks:
    tasks generalized, and the mean eFLOPs per task priced by this pillar from
    the model's true config on the calibrated ``cpu`` profile.
    """
    import json
    from importlib import resources

    entry = resources.files("kairos") / "data" / "cost" / "neural_frontier.json"
    return json.loads(entry.read_text(encoding="utf-8"))


def section(ctx: Any) -> Section:
    """Attention share against generation length across Qwen3, and the measured iso-cost frontier."""
    from kairos.cost import get_model
    from kairos.cost.frontier import pareto_frontier
    from kairos.plotting import new_figure

    lengths = [1024, 4096, 32768] if ctx.quick else [2**k for k in range(8, 16)]
    sec = Section("Cost: where test-time compute goes (Kinetics eFLOPs)")
    with ctx.progress("cost: pricing", total=2) as advance:
        shares = attention_share_rows(lengths)
        advance()
        measured = measured_frontier()
        advance()
    n = measured["num_eval"]
    table = [
        {
            "model": f"{r['size']} ({r['params']:,} params)",
            "strategy": r["strategy"],
            "budget": str(r["budget"]),
            "generalized": r["generalized"],
            "accuracy": r["generalized"] / n,
            "eflops": r["eflops"],
            "cpu_s": r["cpu_s"],
        }
        for r in measured["frontier"]
    ]
    on = set(pareto_frontier([(r["eflops"], r["accuracy"]) for r in table]))
    for i, r in enumerate(table):
        r["on_frontier"] = i in on
    ctx.run.write_csv("cost_attention_share.csv", shares)
    ctx.run.write_csv("cost_frontier.csv", table)
    ctx.results["cost"] = {"attention_share": shares, "frontier": table}

    fig, ax = new_figure()
    for name in DEMO_MODELS:
        pts = [r for r in shares if r["model"] == name]
        ax.plot(
            [r["gen_tokens"] for r in pts],
            [100 * r["attention_share"] for r in pts],
            marker="o",
            label=name,
        )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("generated tokens per sample")
    ax.set_ylabel("attention share of eFLOPs (%)")
    ax.legend(fontsize=7)
    at_32k = {r["model"]: r for r in shares if r["gen_tokens"] == 32768}
    sec.text(
        "eFLOPs = FLOPs + I x bytes with I = 562.5 (B200 as Kinetics models it), prompt 128 tokens, "
        "one sample. At 32K generated tokens attention (KV reads and attention FLOPs) takes "
        f"{at_32k['qwen3-0.6b']['attention_share']:.1%} of Qwen3-0.6B's eFLOPs and "
        f"{at_32k['qwen3-32b']['attention_share']:.1%} of Qwen3-32B's: the KV cache grows only "
        f"{at_32k['qwen3-32b']['kv_gib'] / at_32k['qwen3-0.6b']['kv_gib']:.2f}x for "
        f"{get_model('qwen3-32b').num_params / get_model('qwen3-0.6b').num_params:.0f}x the parameters."
    )
    sec.figure(fig, caption="Attention share of eFLOPs against generation length (Kinetics mode).")
    front = sorted((r for r in table if r["on_frontier"]), key=lambda r: r["eflops"])
    sec.text(
        f"Iso-cost frontier measured on {n} held-out program-synthesis tasks (DreamCoder list "
        "tasks, last 5 examples hidden) with kairos's own decoder-only transformers as the prior: "
        f"{len({r['model'] for r in table})} sizes x strategies (greedy, best-of-N, majority vote, "
        "Adaptive-Consistency, marginal-value stopping, token-level LTS) x budgets. Each point is "
        "the count of tasks whose answer is right on the hidden examples, against the mean eFLOPs "
        "per task priced from the model's true config on the calibrated cpu profile "
        f"(prefill once, KV reads per token, samples sharing the prompt's KV). Measured "
        f"{measured['date']} by {measured['command']}."
    )
    sec.figure(
        plot_frontier(table, title="measured: transformer priors on held-out program tasks"),
        caption="Held-out tasks generalized (as a fraction) against eFLOPs per task; the step "
        "line is the Pareto frontier.",
    )
    sec.table(
        [
            {k: r[k] for k in ("model", "strategy", "budget", "generalized", "eflops", "cpu_s")}
            for r in front
        ],
        caption="Frontier configurations, cheapest first (measured)",
    )
    return sec


def plot_frontier(table: list[dict[str, Any]], *, title: str = "") -> Any:
    """Accuracy against eFLOPs (log scale), the frontier drawn as a step line."""
    from kairos.plotting import new_figure

    fig, ax = new_figure()
    models = sorted({r["model"] for r in table})
    for model in models:
        pts = [r for r in table if r["model"] == model]
        ax.scatter([r["eflops"] for r in pts], [r["accuracy"] for r in pts], label=model, s=25)
    front = sorted((r for r in table if r["on_frontier"]), key=lambda r: r["eflops"])
    ax.step(
        [r["eflops"] for r in front],
        [r["accuracy"] for r in front],
        where="post",
        color="black",
        lw=1,
        label="frontier",
    )
    ax.set_xscale("log")
    ax.set_xlabel("eFLOPs per problem")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(fontsize=7)
    return fig
