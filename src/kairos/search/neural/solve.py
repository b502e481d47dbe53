"""Solving program tasks with a transformer prior: one strategy per task, results like the grammar's.

``kairos solve programs --policy list-transformer --strategy lts`` comes here:
the policy names a shipped prior (:data:`kairos.policy.transformer_prior.model.SHIPPED`)
or a ``.ktpr`` file. Each task's last ``holdout`` examples are hidden from the
strategy; its answer is then checked on them, as for the grammar enumerator,
and the result is the same :class:`~kairos.domains.programs.solve.TaskResult`
(``expansions`` holds the strategy's units: samples, or LTS nodes).
"""

from __future__ import annotations

from pathlib import Path

from kairos.domains.programs.tasks import Task
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import SHIPPED, RecognitionModel, load_prior
from kairos.search.neural.strategies import STRATEGIES, Attempt, Problem, solve_with
from kairos.search.neural.task_solver import TaskSolver

DEFAULT_TIME_LIMIT_S = 1.0
"""CPU seconds per task when none is given (the development tasks' interesting budget)."""


def is_transformer_prior(policy: str) -> bool:
    """Whether ``policy`` names a transformer prior (shipped name or ``.ktpr`` file)."""
    return policy in SHIPPED or Path(policy).suffix == ".ktpr"


def neural_solver_for(
    policy: str,
    strategy: str | None,
    problems,
    domain: str,
    *,
    hf_model: str | Path | None = None,
    hf_template: str | Path | None = None,
):
    """The solver for ``kairos solve``'s ``--policy``/``--strategy``, or None for the domain's own.

    ``hf_model`` and ``hf_template`` (``--hf-model``, ``--hf-template``) choose a
    Hugging Face causal LM as the prior instead (:mod:`kairos.search.neural.hf`).

    Raises
    ------
    ValidationError
        ``--strategy`` without a transformer prior or with one it does not offer,
        a transformer prior for problems that are not program tasks, or
        ``--hf-model`` without ``--hf-template`` (or the reverse, or with ``--policy``).
    """
    from kairos.errors import ValidationError

    programs = all(isinstance(getattr(p, "task", None), Task) for p in problems)
    if hf_model is not None or hf_template is not None:
        from kairos.search.neural.hf import HF_STRATEGIES, HFSolver

        if hf_model is None:
            raise ValidationError(
                "--hf-template", "needs --hf-model DIR (a save_pretrained folder)"
            )
        if hf_template is None:
            raise ValidationError(
                "--hf-model", "needs --hf-template FILE (the prompt-to-program template, JSON)"
            )
        if policy != "uniform":
            raise ValidationError(
                "--policy", f"got {policy!r}; with --hf-model the language model is the prior"
            )
        if not programs:
            raise ValidationError(
                "--hf-model", f"a language-model prior solves program tasks, not {domain}"
            )
        if strategy is not None and strategy not in HF_STRATEGIES:
            raise ValidationError(
                "--strategy",
                f"got {strategy!r}; with --hf-model one of {sorted(HF_STRATEGIES)}",
            )
        return HFSolver(hf_model, hf_template, strategy or "sample")
    if is_transformer_prior(policy):
        if not programs:
            raise ValidationError(
                "--policy", f"a transformer prior solves program tasks, not {domain}"
            )
        if strategy is not None and strategy not in STRATEGIES:
            raise ValidationError(
                "--strategy", f"got {strategy!r}, expected one of {sorted(STRATEGIES)}"
            )
        return NeuralSolver(policy, strategy or "lts")
    if strategy is not None:
        raise ValidationError(
            "--strategy",
            f"needs a transformer prior policy (e.g. {SHIPPED[0]}), got {policy!r}",
        )
    return None


class NeuralSolver(TaskSolver):
    """A loaded prior and decoder, shared across tasks.

    Parameters
    ----------
    policy : str
        Shipped prior name or ``.ktpr`` path.
    strategy : str
        One of :data:`kairos.search.neural.strategies.STRATEGIES`.
    """

    def __init__(self, policy: str, strategy: str, *, seed: int = 0):
        import torch

        from kairos.cost import get_hardware
        from kairos.domains.programs.primitives import PRIMITIVES

        torch.set_num_threads(1)  # tiny models: more threads only add contention
        self.model: RecognitionModel = load_prior(policy, [p.name for p in PRIMITIVES])
        self.decoder = Decoder(self.model.vocab)
        self.strategy, self.seed = strategy, seed
        self.hardware = get_hardware("cpu")
        self.table = self.decoder.grammar.table
        self.default_time_limit_s = DEFAULT_TIME_LIMIT_S

    def attempt(self, task: Task, *, holdout: int, budget: int, time_limit_s: float) -> Attempt:
        """The strategy's run on ``task`` with its last ``holdout`` examples hidden."""
        return solve_with(
            self.strategy,
            self.model,
            self.decoder,
            Problem.of(task, holdout),
            budget=budget,
            hardware=self.hardware,
            seed=self.seed,
            time_limit_s=time_limit_s,
        )
