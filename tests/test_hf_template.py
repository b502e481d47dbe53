"""The Hugging Face adapter's prompt-to-program template: rendering, extraction, typed errors."""

from __future__ import annotations

import json

import pytest

from kairos.domains.programs.types import BOOL, INT, tlist
from kairos.errors import InputFormatError, ValidationError
from kairos.search.neural.hf_template import (
    PromptTemplate,
    first_sexpr,
    read_template,
    template_from_json,
)

GOOD = {
    "format": "kairos-hf-template",
    "version": 1,
    "prompt": "f : {input_type} -> {output_type} ({num_examples} examples)\n{examples}f = ",
    "example": "f {input} = {output}\n",
    "program_prefix": "(lambda ",
    "stop": ["\n"],
    "max_new_tokens": 16,
}


def test_a_template_renders_the_shown_examples_as_json():
    t = template_from_json(GOOD)
    text = t.render(tlist(INT), BOOL, [(([1, 2],), True), (([],), False)])
    assert text == (
        "f : list(int) -> bool (2 examples)\nf [1, 2] = true\nf [] = false\nf = (lambda "
    )
    assert t.stop == ("\n",) and t.extract == "sexpr" and t.temperature == 1.0


def test_literal_braces_are_doubled():
    t = template_from_json({**GOOD, "prompt": "{{json}} {examples}"})
    assert t.render(INT, INT, [((1,), 2)]).startswith("{json} f 1 = 2\n")


@pytest.mark.parametrize(
    ("rule", "stop", "generation", "program"),
    [
        (
            "sexpr",
            [],
            "(map (lambda (+ $0 1)) $0)) trailing",
            "(lambda (map (lambda (+ $0 1)) $0))",
        ),
        ("sexpr", [], "unclosed (", None),
        ("sexpr", [], "$0)\n(lambda 1)", "(lambda $0)"),
        ("sexpr", ["\n"], "(car\n $0))", None),
        ("line", [], "$0)\nsecond line", "(lambda $0)"),
    ],
)
def test_the_program_is_extracted_from_prefix_plus_generation(rule, stop, generation, program):
    t = template_from_json({**GOOD, "extract": rule, "stop": stop})
    assert t.program_text(generation) == program


def test_regex_extraction_uses_the_program_group_when_there_is_one():
    t = template_from_json(
        {**GOOD, "program_prefix": "", "extract": "regex", "pattern": r"ANSWER: (?P<program>.*)"}
    )
    assert t.program_text("think... ANSWER: (lambda $0)\nmore") == "(lambda $0)"
    assert t.program_text("no answer") is None
    t = template_from_json({**GOOD, "extract": "regex", "pattern": r"\(lambda \$\d\)"})
    assert t.program_text("$3) x") == "(lambda $3)"


def test_generation_is_cut_at_the_first_stop_string():
    t = template_from_json({**GOOD, "stop": ["END", "\n"]})
    assert t.cut("abc\nxEND") == ("abc", True)
    assert t.cut("abc") == ("abc", False)
    assert first_sexpr("x (a (b) c) (d)") == "(a (b) c)"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "other"}, "format"),
        ({"version": 2}, "version"),
        ({"promt": "typo"}, "promt"),
        ({"prompt": None}, "prompt"),
        ({"prompt": "no examples here"}, "prompt"),
        ({"prompt": "{examples} {task_name}"}, "prompt"),
        ({"prompt": "{examples:>10}"}, "prompt"),
        ({"prompt": "{examples} {"}, "prompt"),
        ({"example": "{input} only"}, "example"),
        ({"example": 3}, "example"),
        ({"stop": "\n"}, "stop"),
        ({"stop": [""]}, "stop"),
        ({"extract": "json"}, "extract"),
        ({"extract": "regex"}, "pattern"),
        ({"extract": "regex", "pattern": "(unclosed"}, "pattern"),
        ({"pattern": "x"}, "pattern"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"max_new_tokens": 2.5}, "max_new_tokens"),
        ({"temperature": 0}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
    ],
)
def test_a_bad_template_names_the_file_and_field(tmp_path, change, field):
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationError) as err:
        read_template(path)
    assert err.value.field == f"{path}:{field}"


def test_template_file_errors_are_typed(tmp_path):
    with pytest.raises(InputFormatError, match=r"missing\.json"):
        read_template(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "kairos-hf-template",\n  "prompt": oops\n}')
    with pytest.raises(InputFormatError) as err:
        read_template(bad)
    assert err.value.line == 3
    bad.write_text("[1, 2]")
    with pytest.raises(ValidationError, match="expected a JSON object"):
        read_template(bad)


def test_the_dataclass_validates_too():
    with pytest.raises(ValidationError, match="max_new_tokens"):
        PromptTemplate(prompt="{examples}", example="{input}{output}", max_new_tokens=-1)
