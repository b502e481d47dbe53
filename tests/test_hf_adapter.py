"""The ``[hf]`` adapter end to end on a tiny, randomly initialised Llama built here (no download).

The model is 2 layers of width 32 over a byte-level tokenizer made in the
test; it writes noise, so these tests check the mechanics: seeding, pricing
against :mod:`kairos.cost`, verification of what a template extracts, and the
typed errors. They need the ``[hf]`` extra (CI installs it); without it,
deselect them with ``-m 'not hf'``.
"""

from __future__ import annotations

import json
import math
import sys

import pytest

from kairos.cost import Workload, estimate, get_hardware
from kairos.domains.programs.primitives import PRIMITIVES, primitive_table
from kairos.domains.programs.types import INT, tlist
from kairos.errors import InputFormatError, MissingDependencyError, ValidationError
from kairos.search.neural.hf import HF_STRATEGIES, HFModel, HFRun, solve_with_hf
from kairos.search.neural.hf_template import template_from_json
from kairos.search.neural.strategies import Problem

pytestmark = [pytest.mark.hf, pytest.mark.usefixtures("one_torch_thread")]

HW = get_hardware("cpu")
TABLE = primitive_table(PRIMITIVES)
TEMPLATE = {
    "format": "kairos-hf-template",
    "version": 1,
    "prompt": "f : {input_type} -> {output_type}\n{examples}f = ",
    "example": "f {input} = {output}\n",
    "program_prefix": "(lambda ",
    "stop": ["\n"],
    "max_new_tokens": 12,
}
IDENTITY = Problem(
    tlist(INT),
    tlist(INT),
    ((([1, 2],), [1, 2]), (([],), []), (([5, 4, 9],), [5, 4, 9])),
    (([7],), ([0, 3],)),
)
REVERSE = Problem(
    tlist(INT),
    tlist(INT),
    ((([1, 2],), [2, 1]), (([],), []), (([5, 4, 9],), [9, 4, 5])),
    (([7],),),
)


def save_tiny_llama(path, **config):
    """A random 2-layer Llama and a byte-level tokenizer (256 bytes + <eos>), saved to ``path``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab = {c: i for i, c in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    vocab["<eos>"] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        eos_token_id=vocab["<eos>"],
        **config,
    )
    LlamaForCausalLM(cfg).save_pretrained(path)
    PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>").save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def model(model_dir):
    return HFModel(model_dir)


def template(**change):
    return template_from_json({**TEMPLATE, **change}, "t.json")


def test_the_priced_shape_is_the_loaded_models(model):
    spec = model.spec
    assert (spec.hidden_size, spec.num_layers, spec.num_heads, spec.num_kv_heads) == (32, 2, 4, 2)
    assert (spec.head_dim, spec.intermediate_size, spec.vocab_size) == (8, 64, 257)
    assert model.num_params == spec.num_params == sum(p.numel() for p in model.net.parameters())


def test_sampling_is_seeded(model):
    def generations(seed, greedy=False):
        r = HFRun(model, template(), REVERSE, HW, seed, TABLE)
        r.sample(4, greedy=greedy)
        return r.generations

    assert generations(3) == generations(3)
    assert generations(3) != generations(4)
    assert generations(3, greedy=True) == generations(4, greedy=True)
    a = solve_with_hf("sample", model, template(), REVERSE, budget=8, hardware=HW, seed=5)
    b = solve_with_hf("sample", model, template(), REVERSE, budget=8, hardware=HW, seed=5)
    assert (a.program, a.units, a.rows, a.eflops) == (b.program, b.units, b.rows, b.eflops)


def test_cost_is_kairos_cost_on_the_models_config(model):
    t = template()
    a = solve_with_hf("greedy", model, t, REVERSE, budget=1, hardware=HW)
    prompt = t.render(REVERSE.input_type, REVERSE.output_type, REVERSE.shown)
    assert a.prompt_tokens == len(model.tokenizer(prompt)["input_ids"]) > 20
    # greedy: one prefill, then one decode call per generated token after the first
    assert 0 < a.rows < t.max_new_tokens
    cost = estimate(model.spec, Workload.of(prompt_tokens=a.prompt_tokens, gen_tokens=a.rows), HW)
    assert math.isclose(a.eflops, cost.eflops, rel_tol=1e-9)
    assert a.cpu_s > 0 and a.roofline_s > 0
    s = solve_with_hf("sample", model, t, REVERSE, budget=8, hardware=HW, seed=1)
    assert s.units == 8 and s.rows > a.rows and s.eflops > a.eflops


def test_only_verified_programs_are_answers(model):
    # The prefix holds a whole program: whatever the model adds, "(lambda $0)" is extracted.
    given = template(program_prefix="(lambda $0) ")
    for strategy in HF_STRATEGIES:
        a = solve_with_hf(strategy, model, given, IDENTITY, budget=8, hardware=HW, seed=2)
        assert (a.program, a.solved) == ("(lambda $0)", True), strategy
        a = solve_with_hf(strategy, model, given, REVERSE, budget=8, hardware=HW, seed=2)
        # vote has no verifier: its answer is the majority, checked but not required to pass
        assert (a.program, a.solved) == ("(lambda $0)" if strategy == "vote" else "", False)
        assert 1 <= a.units <= 8


def test_adaptive_stops_once_the_answers_agree(model):
    given = template(program_prefix="(lambda $0) ")
    a = solve_with_hf("adaptive", model, given, IDENTITY, budget=64, hardware=HW, seed=2)
    assert a.solved and a.units < 64


@pytest.mark.parametrize(
    ("strategy", "budget", "field"),
    [("sample", 0, "budget"), ("vote", -3, "budget"), ("lts", 8, "strategy")],
)
def test_bad_runs_are_typed_errors(model, strategy, budget, field):
    with pytest.raises(ValidationError) as err:
        solve_with_hf(strategy, model, template(), REVERSE, budget=budget, hardware=HW)
    assert err.value.field == field
    with pytest.raises(ValidationError, match="time_limit_s"):
        solve_with_hf("sample", model, template(), REVERSE, budget=4, hardware=HW, time_limit_s=0)


def test_a_prompt_that_does_not_fit_the_context_is_refused(model):
    with pytest.raises(ValidationError) as err:
        solve_with_hf("greedy", model, template(max_new_tokens=250), REVERSE, budget=1, hardware=HW)
    assert err.value.field == "t.json:max_new_tokens"


def _copy_with_config(model_dir, dest, edit):
    import shutil

    shutil.copytree(model_dir, dest)
    cfg = json.loads((dest / "config.json").read_text())
    edit(cfg)
    (dest / "config.json").write_text(json.dumps(cfg))
    return dest


def test_model_folder_errors_name_the_file_and_field(model_dir, tmp_path):
    with pytest.raises(InputFormatError, match="not a folder"):
        HFModel(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFormatError) as err:
        HFModel(tmp_path / "empty")
    assert err.value.path.endswith("config.json") and "missing" in str(err.value)
    bad = _copy_with_config(model_dir, tmp_path / "bad", lambda c: None)
    (bad / "config.json").write_text('{\n "hidden_size": 32,\n "vocab_size": }')
    with pytest.raises(InputFormatError) as err:
        HFModel(bad)
    assert err.value.line == 3
    gone = _copy_with_config(model_dir, tmp_path / "gone", lambda c: c.pop("hidden_size"))
    with pytest.raises(ValidationError) as err:
        HFModel(gone)
    assert err.value.field == f"{gone / 'config.json'}:hidden_size"
    wrong = _copy_with_config(
        model_dir, tmp_path / "wrong", lambda c: c.update(num_attention_heads="four")
    )
    with pytest.raises(ValidationError) as err:
        HFModel(wrong)
    assert err.value.field == f"{wrong / 'config.json'}:num_attention_heads"


def test_weights_kairos_cost_cannot_price_are_refused(tmp_path):
    path = save_tiny_llama(tmp_path / "biased", mlp_bias=True)  # MLP biases: not in ModelSpec
    with pytest.raises(ValidationError) as err:
        HFModel(path)
    assert err.value.field.endswith("config.json:model_type") and "parameters" in str(err.value)


def test_without_transformers_the_error_says_what_to_install(model_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'kairos\[hf\]'"):
        HFModel(model_dir)


def test_solve_programs_with_an_hf_model(model_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kairos.cli import main

    tasks = [
        {
            "name": "identity",
            "type": {"input": "list-of-int", "output": "list-of-int"},
            "examples": [{"i": x, "o": x} for x in ([1, 2], [], [5, 4, 9], [7])],
        }
    ]
    (tmp_path / "t.json").write_text(json.dumps(tasks))
    (tmp_path / "tpl.json").write_text(json.dumps({**TEMPLATE, "program_prefix": "(lambda $0) "}))
    monkeypatch.chdir(tmp_path)
    argv = [
        "solve", "programs", "--levels", "t.json", "--holdout", "1", "--hf-model", str(model_dir),
        "--hf-template", "tpl.json", "--strategy", "adaptive", "--budget", "8", "--json",
        "--out", "run",
    ]  # fmt: skip
    with CliRunner().isolation() as (out, err, _):
        with pytest.raises(SystemExit) as code:
            main(argv)
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert code.value.code == 0, stderr
    summary = json.loads(stdout)
    assert (summary["problems"], summary["solved"], summary["generalized"]) == (1, 1, 1)
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["config"]["hf_model"] == str(model_dir) and run["seed"] == 0
