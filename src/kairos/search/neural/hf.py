"""Any Hugging Face ``transformers`` causal LM as the prior, through a prompt-to-program template.

The optional extra ``[hf]`` (``pip install 'kairos[hf]'``) installs
``transformers``; it is imported only when a model is loaded. A model folder
(``save_pretrained``'s: ``config.json``, weights, tokenizer files) is loaded
from disk only, never downloaded. The template
(:mod:`kairos.search.neural.hf_template`) turns a task's shown examples into
a prompt and reads a program back from each generation; the program is then
parsed, type-checked and run on the shown examples, as for kairos's own
recognition model.

The sampling strategies of :mod:`kairos.search.neural.strategies` run
unchanged on top (:data:`HF_STRATEGIES`): ``greedy``, ``sample`` (best-of-N
with the verifier), ``vote``, ``adaptive`` and ``marginal``. Token-level LTS
is not offered: it needs the type-constrained decoder of kairos's own model,
without which a free-text LM's token tree branches over the whole vocabulary
and almost every node is a string no parser accepts.

Cost, two ways, as for the recognition model: eFLOPs from :mod:`kairos.cost`
with the shape in the model's ``config.json`` (one prefill of the prompt, then
decode calls in which N samples share the prompt's keys and values), and
measured CPU seconds. The shape is checked against the loaded weights: a model
whose parameter count differs from what the config prices (an architecture
:class:`kairos.cost.ModelSpec` does not describe, e.g. GPT-2's two-matrix MLP)
is refused rather than priced wrongly.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Mapping
from pathlib import Path

from kairos.domains.programs.infer import check
from kairos.domains.programs.interpreter import compile_program
from kairos.domains.programs.primitives import PRIMITIVES, Primitive, primitive_table
from kairos.domains.programs.program import Expr
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.tasks import Task
from kairos.errors import InputFormatError, MissingDependencyError, ValidationError
from kairos.search.neural.hf_template import PromptTemplate, read_template
from kairos.search.neural.strategies import (
    Attempt,
    Problem,
    RunState,
    SuccessPrior,
    check_budget,
    run_sampling,
)
from kairos.search.neural.task_solver import TaskSolver

HF_STRATEGIES = ("greedy", "sample", "vote", "adaptive", "marginal")
DEFAULT_TIME_LIMIT_S = 60.0
"""CPU seconds per task when none is given (a real LM samples far slower than kairos's own)."""


def _transformers(needed_for: str):
    try:
        import transformers
    except ImportError:
        raise MissingDependencyError("transformers", "hf", needed_for) from None
    return transformers


class HFModel:
    """A causal LM and its tokenizer loaded from a local folder, with its priced shape.

    Parameters
    ----------
    directory : path-like
        A folder written by ``save_pretrained`` (model and tokenizer): ``config.json``,
        the weights and the tokenizer files. Nothing is downloaded.

    Attributes
    ----------
    spec : kairos.cost.ModelSpec
        The shape :mod:`kairos.cost` prices, from ``config.json``.
    num_params : int
        Parameters of the loaded weights (equal to ``spec.num_params``).

    Raises
    ------
    InputFormatError
        The folder or its ``config.json`` is missing or unreadable, the JSON is
        malformed, or ``transformers`` cannot load the model or tokenizer.
    ValidationError
        A config field is missing or invalid (named ``config.json:field``), or
        the weights are not the shape the config prices.
    MissingDependencyError
        ``transformers`` is not installed.
    """

    def __init__(self, directory: str | Path):
        from kairos.cost import load_config, spec_from_config

        directory = Path(directory)
        if not directory.is_dir():
            raise InputFormatError(
                directory,
                None,
                "not a folder; give the folder save_pretrained wrote (config.json, weights, "
                "tokenizer)",
            )
        config_path = directory / "config.json"
        if not config_path.is_file():
            raise InputFormatError(
                config_path,
                None,
                "missing; a Hugging Face model folder has config.json (model.save_pretrained "
                "writes it)",
            )
        load_config(config_path, name=directory.name)  # the file's own fields, before transformers
        tf = _transformers("the Hugging Face adapter (kairos.search.neural.hf)")
        import torch

        bars = tf.utils.logging.is_progress_bar_enabled()
        tf.utils.logging.disable_progress_bar()
        try:
            tokenizer = tf.AutoTokenizer.from_pretrained(directory, local_files_only=True)
            net = tf.AutoModelForCausalLM.from_pretrained(directory, local_files_only=True)
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError, ...
            raise InputFormatError(
                directory, None, f"transformers cannot load it: {type(exc).__name__}: {exc}"[:400]
            ) from None
        finally:
            if bars:
                tf.utils.logging.enable_progress_bar()
        net.eval()
        # transformers 5 names the cache argument ``cache``; 4.x names it ``past_key_values``.
        self._cache_arg = (
            "cache" if "cache" in inspect.signature(net.forward).parameters else "past_key_values"
        )
        # Priced from the config as transformers resolved it: the file's fields (checked above)
        # plus the class defaults it leaves out, e.g. tie_word_embeddings.
        resolved = net.config.to_dict()
        self.spec = spec_from_config(resolved, name=directory.name, source=str(config_path))
        self.num_params = sum(p.numel() for p in net.parameters())
        if self.num_params != self.spec.num_params:
            raise ValidationError(
                f"{config_path}:model_type",
                f"the weights have {self.num_params:,} parameters but the config prices "
                f"{self.spec.num_params:,}; kairos.cost prices decoders with SwiGLU MLPs, RMSNorm "
                "and no biases but attention_bias (Llama, Qwen, Mistral style), and this "
                f"{resolved.get('model_type')!r} model is not one",
            )
        self.directory = directory
        self.tokenizer, self.net, self.torch = tokenizer, net, torch
        eos = {tokenizer.eos_token_id}
        gen_eos = getattr(getattr(net, "generation_config", None), "eos_token_id", None)
        eos |= set(gen_eos) if isinstance(gen_eos, list | tuple) else {gen_eos}
        self.eos_ids = frozenset(i for i in eos if isinstance(i, int))

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (the tokenizer's special tokens included, as in training)."""
        return list(self.tokenizer(text)["input_ids"])

    def decode(self, ids) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=True)

    def forward(self, ids, cache):
        """Logits of the last position (float64, shape (B, vocab)) and the grown cache."""
        with self.torch.inference_mode():
            out = self.net(input_ids=ids, use_cache=True, **{self._cache_arg: cache})
        grown = getattr(out, "cache", None)
        return out.logits[:, -1].double(), out.past_key_values if grown is None else grown


class HFRun(RunState):
    """One strategy run with an :class:`HFModel`: the prompt's prefill, seeded sampling, pricing.

    Attributes
    ----------
    generations : list of str
        Every sampled generation so far, cut at the template's stop strings.
    """

    def __init__(
        self,
        model: HFModel,
        template: PromptTemplate,
        problem: Problem,
        hardware,
        seed: int,
        table: Mapping[str, Primitive],
    ):
        super().__init__(problem, model.spec, hardware, table)
        torch = model.torch
        self.model, self.template, self.torch = model, template, torch
        self.prompt_text = template.render(problem.input_type, problem.output_type, problem.shown)
        ids = model.encode(self.prompt_text)
        limit = model.spec.max_context_tokens
        if limit is not None and len(ids) + template.max_new_tokens > limit:
            raise ValidationError(
                f"{template.source}:max_new_tokens",
                f"the prompt has {len(ids)} tokens; with {template.max_new_tokens} new ones it "
                f"exceeds the model's {limit} (max_position_embeddings): lower max_new_tokens "
                "or shorten the template",
            )
        if not ids:
            raise ValidationError(f"{template.source}:prompt", "renders to no tokens")
        self.prompt_tokens = len(ids)
        self.first_logits, self.prompt_cache = model.forward(torch.tensor([ids]), None)
        self.meter.prefill(len(ids))
        self.generator = torch.Generator().manual_seed(int(seed))
        self.generations: list[str] = []

    def _program(self, generation: str) -> Expr | None:
        text = self.template.program_text(generation)
        if text is None:
            return None
        try:
            expr = parse(text, names=self.table)
            check(expr, self.problem.request, self.table)
            compile_program(expr, 1, self.table)
        except (ValidationError, RecursionError):
            return None
        return expr

    def sample(self, n: int, *, greedy: bool = False) -> list[tuple[Expr | None, float]]:
        """``n`` generations decoded together from the shared prompt: (program or None, log π).

        log π is the generation's log-probability under the model (temperature 1).
        """
        torch, model, t = self.torch, self.model, self.template
        cache = copy.deepcopy(self.prompt_cache)
        if n > 1:
            cache.batch_repeat_interleave(n)
        logits = self.first_logits.expand(n, -1)
        ids: list[list[int]] = [[] for _ in range(n)]
        logp = [0.0] * n
        alive = list(range(n))
        step = 0
        while True:
            log_probs = torch.log_softmax(logits, dim=-1)
            if greedy:
                picks = log_probs.argmax(dim=-1)
            else:
                probs = torch.softmax(logits / t.temperature, dim=-1)
                picks = torch.multinomial(probs, 1, generator=self.generator)[:, 0]
            step += 1
            keep, feed = [], []
            for slot, r in enumerate(alive):
                tok = int(picks[slot])
                logp[r] += float(log_probs[slot, tok])
                if tok in model.eos_ids:
                    continue
                ids[r].append(tok)
                if step < t.max_new_tokens and not t.cut(model.decode(ids[r]))[1]:
                    keep.append(slot)
                    feed.append(tok)
            if not keep:
                break
            if len(keep) < len(alive):
                cache.batch_select_indices(torch.tensor(keep))
            alive = [alive[s] for s in keep]
            logits, cache = model.forward(torch.tensor(feed)[:, None], cache)
            self.meter.decode(self.prompt_tokens, [step] * len(feed))
        out = []
        for r in range(n):
            text = t.cut(model.decode(ids[r]))[0]
            self.generations.append(text)
            out.append((self._program(text), logp[r]))
        return out


def solve_with_hf(
    strategy: str,
    model: HFModel,
    template: PromptTemplate,
    problem: Problem,
    *,
    budget: int,
    hardware,
    seed: int = 0,
    time_limit_s: float = math.inf,
    confidence: float = 0.95,
    prior: SuccessPrior | None = None,
    value_eflops: float = 1e12,
    table: Mapping[str, Primitive] | None = None,
) -> Attempt:
    """Run one sampling strategy with a Hugging Face model on one problem.

    Parameters
    ----------
    strategy : str
        One of :data:`HF_STRATEGIES`.
    budget : int
        Samples (ignored by ``greedy``).
    hardware : kairos.cost.Hardware
        The profile the eFLOPs and roofline times are priced on.
    seed : int
        Seeds the sampler (a ``torch.Generator``): the same seed gives the same generations.
    time_limit_s : float
        CPU seconds, checked between slices of samples.
    confidence, prior, value_eflops :
        As for :func:`kairos.search.neural.strategies.solve_with`.
    table : mapping, optional
        The primitives programs may use (default: the list DSL's).

    Raises
    ------
    ValidationError
        An unknown strategy, a budget or time limit <= 0, or a prompt that does
        not fit the model's context.
    """
    if strategy not in HF_STRATEGIES:
        raise ValidationError(
            "strategy", f"got {strategy!r}, expected one of {list(HF_STRATEGIES)}"
        )
    check_budget(budget, time_limit_s)
    r = HFRun(model, template, problem, hardware, seed, table or primitive_table(PRIMITIVES))
    if strategy == "greedy":
        ((expr, _),) = r.sample(1, greedy=True)
        ok = expr is not None and r.verify(expr)
        text = show(expr) if ok else ""
        return r.attempt("greedy", text, ok, 1, [r.checkpoint(1, text, ok)])
    return run_sampling(
        r, strategy, budget, time_limit_s, confidence, prior or SuccessPrior(), value_eflops
    )


class HFSolver(TaskSolver):
    """``kairos solve programs --hf-model DIR --hf-template FILE``: one model for every task.

    Parameters
    ----------
    model_dir, template_path : path-like
    strategy : str
        One of :data:`HF_STRATEGIES`.
    """

    def __init__(self, model_dir, template_path, strategy: str, *, seed: int = 0):
        from kairos.cost import get_hardware

        self.template = read_template(template_path)
        self.model = HFModel(model_dir)
        self.strategy, self.seed = strategy, seed
        self.hardware = get_hardware("cpu")
        self.table = primitive_table(PRIMITIVES)
        self.default_time_limit_s = DEFAULT_TIME_LIMIT_S

    def attempt(self, task: Task, *, holdout: int, budget: int, time_limit_s: float) -> Attempt:
        """The strategy's run on ``task`` with its last ``holdout`` examples hidden."""
        return solve_with_hf(
            self.strategy,
            self.model,
            self.template,
            Problem.of(task, holdout),
            budget=budget,
            hardware=self.hardware,
            seed=self.seed,
            time_limit_s=time_limit_s,
            table=self.table,
        )
