"""The list-task reader: DreamCoder's JSON, typed errors, held-out examples, the generator."""

import json
import re

import pytest

from kairos.domains.programs import generate_tasks, read_tasks, tasks_from_json, write_tasks
from kairos.domains.programs.primitives import MAX_INT, MAX_LIST
from kairos.domains.programs.types import BOOL, INT, tlist
from kairos.errors import InputFormatError, ValidationError
from tests.programs.conftest import DEV_TASKS

GOOD = {
    "name": "t",
    "type": {"input": "list-of-int", "output": "int"},
    "examples": [{"i": [1], "o": 1}],
}


def _bad(**change):
    task = json.loads(json.dumps(GOOD))
    for key, value in change.items():
        if key.startswith("type_"):
            task["type"][key[5:]] = value
        else:
            task[key] = value
    return [task]


@pytest.mark.skipif(not DEV_TASKS.exists(), reason="shared development data not present")
def test_the_217_development_tasks_load():
    tasks = read_tasks(DEV_TASKS)
    assert len(tasks) == 217
    assert {t.input_type for t in tasks} == {tlist(INT), INT}
    assert {t.output_type for t in tasks} == {tlist(INT), INT, BOOL, tlist(BOOL)}
    assert all(len(t.examples) == 15 for t in tasks)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"not": "a list"}, "JSON list"),
        (_bad(name=""), "'name'"),
        (_bad(type="int"), "'type'"),
        (_bad(type_input="list-of-strings"), "'type.input'"),
        (_bad(examples=[]), "'examples'"),
        (_bad(examples=[{"i": [1]}]), "'examples[0]'"),
        (_bad(examples=[{"i": [1], "o": True}]), "'examples[0].o'"),
        (_bad(examples=[{"i": 3, "o": 1}]), "'examples[0].i'"),
        (_bad(examples=[{"i": [MAX_INT + 1], "o": 1}]), "exceeds the limit"),
        (_bad(examples=[{"i": [0] * (MAX_LIST + 1), "o": 1}]), "exceeds the limit"),
        ([GOOD, GOOD], "duplicate"),
    ],
)
def test_malformed_tasks_are_typed_errors_naming_task_and_field(data, field):
    with pytest.raises(InputFormatError, match=re.escape(field)) as err:
        tasks_from_json(data, "f.json")
    assert "f.json" in str(err.value)


def test_not_json_gives_the_line(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[\n{"name": \n')
    with pytest.raises(InputFormatError, match=r"t.json:\d+: not valid JSON"):
        read_tasks(path)
    with pytest.raises(InputFormatError, match="cannot read"):
        read_tasks(tmp_path / "missing.json")


def test_holdout_hides_the_last_examples():
    (task,) = tasks_from_json([{**GOOD, "examples": [{"i": [k], "o": k} for k in range(4)]}])
    shown, hidden = task.split(1)
    assert [o for _, o in shown] == [0, 1, 2] and [o for _, o in hidden] == [3]
    with pytest.raises(ValidationError, match="holdout"):
        task.split(4)
    with pytest.raises(ValidationError, match="holdout"):
        task.split(-1)


def test_generator_is_seeded_and_its_tasks_round_trip(tmp_path):
    a = generate_tasks(3, seed=3)
    assert [(t.examples, p) for t, p in a] == [
        (t.examples, p) for t, p in generate_tasks(3, seed=3)
    ]
    assert [p for _, p in a] != [p for _, p in generate_tasks(3, seed=4)]
    path = tmp_path / "gen.json"
    write_tasks(path, [t for t, _ in a])
    assert read_tasks(path) == [t for t, _ in a]
