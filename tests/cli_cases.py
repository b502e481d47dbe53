"""The table of bad ``kairos`` invocations (issue 11) and one runner shared by the tests and
``bench/robustness.py``.

Each :class:`Case` is one invocation a careless or hostile user might type:
every command crossed with bad paths, bad numbers and bad choices. A case
expects either a typed error (exit 2, one line on stderr naming ``culprit``)
or, for inputs that used to run away (``expect="ok"``), a quick success.
``protect`` names files the command must leave as they were (a data-loss
check). Cases that could hang, eat memory or crash the interpreter run in a
subprocess under a time and memory limit; the rest run in-process through the
real entry point, :func:`kairos.cli.main`.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# the kairos the subprocess cases run (bench/robustness.py --src points it at another checkout)
SRC = Path(os.environ.get("KAIROS_CASES_SRC", Path(__file__).resolve().parents[1] / "src"))
TIMEOUT_S = 60.0  # per subprocess case
MEMORY_LIMIT_BYTES = 4 * 2**30  # per subprocess case

OUTCOMES = ("typed", "ok", "traceback", "crash", "silent", "hang", "data_loss", "bad_message")


@dataclass(frozen=True)
class Case:
    """One invocation; ``{x}`` in ``args`` is replaced by the path ``x`` under the case folder.

    Attributes
    ----------
    name : str
    args : tuple of str
    culprit : str
        What the one error line must name (a flag, file or field); unused when ``expect="ok"``.
    setup : callable(folder) or None
        Makes the files the case needs.
    protect : tuple of str
        Files (relative to the case folder) that must be unchanged afterwards.
    subprocess : bool
        Run in a subprocess with a time and memory limit (hang, memory and crash classes).
    expect : str
        ``"error"`` (a typed error) or ``"ok"`` (exit 0).
    """

    name: str
    args: tuple[str, ...]
    culprit: str = ""
    setup: Callable[[Path], None] | None = None
    protect: tuple[str, ...] = ()
    subprocess: bool = False
    expect: str = "error"


@dataclass(frozen=True)
class Outcome:
    """What a case did: its class (one of :data:`OUTCOMES`), exit code, error line, seconds."""

    case: str
    kind: str
    exit_code: int | None
    message: str
    seconds: float


# --- data the cases use ------------------------------------------------------------------------


def _data(name: str) -> str:
    from kairos.data import data_path

    return str(data_path(name))


STP = "stp/demo_3x3.txt"
SOKOBAN = "boxoban/train_000_first60.txt"


def _write(rel: str, content: str | bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return make


def _all(*makers: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        for m in makers:
            m(folder)

    return make


def _symlink(link: str, target: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / target).write_text("the link's target\n")
        (folder / link).symlink_to(folder / target)

    return make


def _trained_run(folder: Path) -> None:
    """A finished `train` run folder (a tiny one: two 3x3 puzzles), made in-process."""
    from kairos.domains.stp import read_instances
    from kairos.learn.bootstrap import BootstrapConfig, run_bootstrap
    from kairos.runfolder import RunFolder

    problems = read_instances(_data(STP))[:2]
    config = BootstrapConfig(domain="stp", initial_budget=2000, jobs=1)
    RunFolder.create(folder / "run", command="train", config={"levels": [_data(STP)]}, seed=0)
    run_bootstrap(problems, folder / "run", config)


def _csv(rows: list[tuple[float, float]], header: str = "x,y") -> str:
    return header + "\n" + "".join(f"{a},{b}\n" for a, b in rows)


GOOD_XY = _csv([(10**k, 3.0 * 10 ** (-0.3 * k) + 0.01 * k) for k in range(1, 9)])
PROGRAM_TASKS = (
    '[{"name": "inc", "type": {"input": "list-of-int", "output": "list-of-int"}, '
    '"examples": [{"i": [1, 2], "o": [2, 3]}, {"i": [5], "o": [6]}]}]'
)
MIXTRAL = (
    '{"hidden_size":4096,"intermediate_size":14336,"max_position_embeddings":32768,'
    '"num_attention_heads":32,"num_experts_per_tok":2,"num_hidden_layers":32,'
    '"num_key_value_heads":8,"num_local_experts":8,"vocab_size":32000%s}'
)


def cases() -> list[Case]:
    """The whole table."""
    stp, box = _data(STP), _data(SOKOBAN)
    c: list[Case] = []

    # --- solve -----------------------------------------------------------------------------
    c += [
        Case("solve: missing levels file", ("solve", "stp", "--levels", "{nope.txt}"), "nope.txt"),
        Case("solve: levels is a folder", ("solve", "stp", "--levels", "{.}"), "not a regular"),
        Case(
            "solve: levels /dev/zero",
            ("solve", "stp", "--levels", "/dev/zero"),
            "/dev/zero",
            subprocess=True,
        ),
        Case(
            "solve: binary levels",
            ("solve", "sokoban", "--levels", "{b.bin}"),
            "b.bin",
            setup=_write("b.bin", bytes(range(256)) * 4),
        ),
        Case(
            "solve: 200 KB sliding-tile line",
            ("solve", "stp", "--levels", "{long.txt}"),
            "long.txt:1",
            setup=_write("long.txt", "3 " + "x" * 200_000 + "\n"),
        ),
        Case("solve: --budget 0", ("solve", "stp", "--levels", stp, "--budget", "0"), "budget"),
        Case(
            "solve: --deadlocks not a mode",
            ("solve", "sokoban", "--levels", box, "--deadlocks", "maybe"),
            "--deadlocks",
        ),
        Case(
            "solve: --heuristic-weight negative",
            ("solve", "sokoban", "--levels", box, "--algo", "phs", "--heuristic-weight", "-1"),
            "--heuristic-weight",
        ),
        Case(
            "solve: --heuristic-weight nan",
            ("solve", "sokoban", "--levels", box, "--algo", "phs", "--heuristic-weight", "nan"),
            "--heuristic-weight",
        ),
        Case(
            "solve: --heuristic neither a name nor a file",
            ("solve", "sokoban", "--levels", box, "--algo", "phs", "--heuristic", "nosuch"),
            "nosuch",
        ),
        Case(
            "solve: --heuristic file is garbage",
            ("solve", "sokoban", "--levels", box, "--algo", "phs", "--heuristic", "{h.kheu}"),
            "h.kheu",
            setup=_write("h.kheu", bytes(range(256))),
        ),
        Case(
            "train: --contexts not a set",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--contexts", "nonsense"),
            "--contexts",
        ),
        Case(
            "train: --min-new-fraction above 1",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--min-new-fraction", "1.5"),
            "--min-new-fraction",
        ),
        Case(
            "train: --max-budget below --budget",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--max-budget", "0"),
            "--max-budget",
        ),
        Case(
            "train-heuristic: a domain without distance-to-go features",
            ("train-heuristic", "stp", "--levels", stp, "--policy", "boxoban-cm", "-o", "{h.kheu}"),
            "stp",
        ),
        Case(
            "train-heuristic: --levels file is garbage",
            (
                "train-heuristic",
                "sokoban",
                "--levels",
                "{x.txt}",
                "--policy",
                "boxoban-cm",
                "-o",
                "{h.kheu}",
            ),
            "x.txt",
            setup=_write("x.txt", "garbage\n"),
        ),
        Case(
            "train: --fit-max-iter 0",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--fit-max-iter", "0"),
            "--fit-max-iter",
        ),
        Case(
            "train: --fit-method not a method",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--fit-method", "newton"),
            "--fit-method",
        ),
        Case(
            "solve: --budget 10**12, one job",
            ("solve", "stp", "--levels", stp, "--budget", str(10**12), "--jobs", "1"),
            "budget",
        ),
        Case(
            "solve: --budget abc", ("solve", "stp", "--levels", stp, "--budget", "abc"), "--budget"
        ),
        Case("solve: --jobs 0", ("solve", "stp", "--levels", stp, "--jobs", "0"), "--jobs"),
        Case("solve: --algo foo", ("solve", "stp", "--levels", stp, "--algo", "foo"), "--algo"),
        Case("solve: unknown domain", ("solve", "chess", "--levels", stp), "chess"),
        Case(
            "solve: --policy missing file",
            ("solve", "stp", "--levels", stp, "--policy", "{nope.kpol}"),
            "nope.kpol",
        ),
        Case(
            "solve: --policy /dev/zero",
            ("solve", "stp", "--levels", stp, "--policy", "/dev/zero"),
            "/dev/zero",
            subprocess=True,
        ),
        Case(
            "solve: --results is a folder",
            ("solve", "stp", "--levels", stp, "--results", "{.}", "--out", "{run}"),
            "is a folder",
        ),
        Case(
            "solve: --results under a file",
            ("solve", "stp", "--levels", stp, "--results", "{f.txt}/r.csv", "--out", "{run}"),
            "f.txt",
            setup=_write("f.txt", "x\n"),
        ),
        Case(
            "solve: --out is a file",
            ("solve", "stp", "--levels", stp, "--out", "{f.txt}"),
            "f.txt",
            setup=_write("f.txt", "x\n"),
            protect=("f.txt",),
        ),
    ]
    # --- train -----------------------------------------------------------------------------
    c += [
        Case(
            "train: existing run without --resume",
            ("train", "stp", "--levels", stp, "--out", "{run}", "--jobs", "1"),
            "--resume",
            setup=_trained_run,
            protect=("run/policy.kpol", "run/checkpoint.kbst"),
        ),
        Case(
            "train: --resume without checkpoint",
            ("train", "stp", "--levels", stp, "--out", "{empty}", "--resume"),
            "--resume",
        ),
        Case(
            "train: --limit 0",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--limit", "0"),
            "--limit",
        ),
        Case(
            "train: levels /dev/zero",
            ("train", "stp", "--levels", "/dev/zero", "--out", "{r}"),
            "/dev/zero",
            subprocess=True,
        ),
        Case(
            "train: --objective foo",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--objective", "foo"),
            "--objective",
        ),
        Case(
            "train: --policy-kind foo",
            ("train", "stp", "--levels", stp, "--out", "{r}", "--policy-kind", "foo"),
            "--policy-kind",
        ),
    ]
    # --- compress / decompress / info / bench compress ---------------------------------------
    c += [
        Case("compress: missing input", ("compress", "{nope}", "-o", "{a.kz}"), "nope"),
        Case("compress: input is a folder", ("compress", "{.}", "-o", "{a.kz}"), "not a regular"),
        Case(
            "compress: /dev/zero",
            ("compress", "/dev/zero", "-o", "{a.kz}"),
            "/dev/zero",
            subprocess=True,
        ),
        Case(
            "compress: -o exists",
            ("compress", "{in.txt}", "-o", "{old.kz}"),
            "--force",
            setup=_all(_write("in.txt", "hello\n"), _write("old.kz", "precious\n")),
            protect=("old.kz",),
        ),
        Case(
            "compress: -o is a link (with --force)",
            ("compress", "{in.txt}", "-o", "{link}", "--force"),
            "symbolic link",
            setup=_all(_write("in.txt", "hello\n"), _symlink("link", "target.txt")),
            protect=("link", "target.txt"),
        ),
        Case(
            "compress: -o is a folder",
            ("compress", "{in.txt}", "-o", "{.}"),
            "folder",
            setup=_write("in.txt", "hello\n"),
        ),
        Case(
            "compress: -o under a file",
            ("compress", "{in.txt}", "-o", "{in.txt}/a.kz"),
            "in.txt",
            setup=_write("in.txt", "hello\n"),
        ),
        Case(
            "compress: -o empty",
            ("compress", "{in.txt}", "-o", ""),
            "empty",
            setup=_write("in.txt", "hello\n"),
        ),
        Case(
            "compress: --model foo",
            ("compress", "{in.txt}", "-o", "{a.kz}", "--compressor", "foo"),
            "--compressor",
            setup=_write("in.txt", "hello\n"),
        ),
        Case(
            "decompress: not a .kz",
            ("decompress", "{in.txt}", "-o", "{out}"),
            "in.txt",
            setup=_write("in.txt", "hello\n"),
        ),
        Case(
            "decompress: 4-byte file",
            ("decompress", "{m.kz}", "-o", "{out}"),
            "m.kz",
            setup=_write("m.kz", b"KZIP"),
        ),
        Case(
            "decompress: /dev/zero",
            ("decompress", "/dev/zero", "-o", "{out}"),
            "/dev/zero",
            subprocess=True,
        ),
        Case(
            "decompress: -o exists",
            ("decompress", "{in.txt}", "-o", "{old}"),
            "--force",
            setup=_all(_write("in.txt", "hello\n"), _write("old", "precious\n")),
            protect=("old",),
        ),
        Case("info: missing file", ("info", "{nope}", "{nope2}"), "nope"),
        Case(
            "info: --model foo",
            ("info", "{a}", "{a}", "--compressor", "foo"),
            "--compressor",
            setup=_write("a", "x"),
        ),
        Case(
            "bench compress: --compressors ,",
            ("bench", "compress", "{a}", "--compressors", ",", "--out", "{r}"),
            "--compressors",
            setup=_write("a", "x"),
        ),
        Case(
            "bench compress: --compressors foo",
            ("bench", "compress", "{a}", "--compressors", "foo"),
            "--compressors",
            setup=_write("a", "x"),
        ),
        Case(
            "bench compress: missing file", ("bench", "compress", "{nope}", "--out", "{r}"), "nope"
        ),
    ]
    # --- cost ------------------------------------------------------------------------------
    q = ("cost", "--model", "qwen3-8b")
    c += [
        Case("cost: no --model", ("cost",), "--model"),
        Case(
            "cost: --model /dev/zero",
            ("cost", "--model", "/dev/zero"),
            "/dev/zero",
            subprocess=True,
        ),
        Case("cost: --model unknown", ("cost", "--model", "nope"), "model"),
        Case(
            "cost: --model not JSON",
            ("cost", "--model", "{c.json}"),
            "c.json",
            setup=_write("c.json", "{oops"),
        ),
        Case(
            "cost: unknown expert field",
            ("cost", "--model", "{moe.json}"),
            "n_shared_experts",
            setup=_write("moe.json", MIXTRAL % ',"n_shared_experts":2'),
        ),
        Case("cost: --gen abc", (*q, "--gen", "abc"), "gen"),
        Case("cost: --gen 0", (*q, "--gen", "0"), "gen"),
        Case("cost: --gen 1e26", (*q, "--gen", "1e26"), "gen"),
        Case("cost: --gen 10**26", (*q, "--gen", str(10**26)), "gen"),
        Case(
            "cost: --gen 1e9 is priced at once",
            (*q, "--gen", str(10**9), "--json"),
            subprocess=True,
            expect="ok",
        ),
        Case("cost: --prompt -1", (*q, "--prompt", "-1"), "prompt"),
        Case("cost: --samples 0", (*q, "--samples", "0"), "samples"),
        Case("cost: --sparse bad", (*q, "--sparse", "topk:x"), "sparse"),
        Case("cost: --hardware nope", (*q, "--hardware", "nope"), "hardware"),
        Case(
            "cost: --out is a file",
            (*q, "--out", "{f}"),
            "f",
            setup=_write("f", "x\n"),
            protect=("f",),
        ),
        Case("cost frontier: missing table", ("cost", "frontier", "{nope.csv}"), "nope.csv"),
        Case(
            "cost frontier: --mode foo", ("cost", "frontier", "{nope.csv}", "--mode", "foo"), "mode"
        ),
    ]
    # --- fit -------------------------------------------------------------------------------
    c += [
        Case("fit: missing table", ("fit", "{nope.csv}", "--out", "{r}"), "nope.csv"),
        Case("fit: /dev/zero", ("fit", "/dev/zero", "--out", "{r}"), "/dev/zero", subprocess=True),
        Case(
            "fit: all x equal",
            ("fit", "{t.csv}", "--out", "{r}"),
            "unidentifiable",
            setup=_write("t.csv", _csv([(5, 1.0 + k) for k in range(10)])),
        ),
        Case(
            "fit: ten identical rows",
            ("fit", "{t.csv}", "--out", "{r}"),
            "unidentifiable",
            setup=_write("t.csv", _csv([(5, 2.0)] * 10)),
        ),
        Case(
            "fit: constant y",
            ("fit", "{t.csv}", "--out", "{r}"),
            "zero variance",
            setup=_write("t.csv", _csv([(10**k, 2.0) for k in range(1, 9)])),
        ),
        Case(
            "fit: --compare, all x equal",
            ("fit", "{t.csv}", "--compare", "power,saturating", "--out", "{r}"),
            "unidentifiable",
            setup=_write("t.csv", _csv([(5, 1.0 + k) for k in range(10)])),
        ),
        Case(
            "fit: bad cell after blank lines",
            ("fit", "{t.csv}", "--out", "{r}"),
            "t.csv:5",
            setup=_write("t.csv", "x,y\n1,2\n\n\n2,oops\n"),
        ),
        Case(
            "fit: --law foo",
            ("fit", "{t.csv}", "--law", "foo", "--out", "{r}"),
            "foo",
            setup=_write("t.csv", GOOD_XY),
        ),
        Case(
            "fit: --resamples -1",
            ("fit", "{t.csv}", "--resamples", "-1", "--out", "{r}"),
            "--resamples",
            setup=_write("t.csv", GOOD_XY),
        ),
        Case(
            "fit: --level 2",
            ("fit", "{t.csv}", "--level", "2", "--out", "{r}"),
            "--level",
            setup=_write("t.csv", GOOD_XY),
        ),
        Case(
            "fit: --x missing column",
            ("fit", "{t.csv}", "--x", "N", "--out", "{r}"),
            "N",
            setup=_write("t.csv", GOOD_XY),
        ),
        Case(
            "fit: y = 1e308 is fitted and drawn",
            ("fit", "{t.csv}", "--out", "{r}"),
            setup=_write("t.csv", _csv([(2**k, 1e308 if k < 4 else 1.7e308) for k in range(5)])),
            expect="ok",
        ),
    ]
    # --- allocate / audit / speedup --------------------------------------------------------
    alloc = ("allocate", "stp", "--levels", stp, "--train-levels", stp)
    c += [
        Case("allocate: --budget 0", (*alloc, "--budget", "0"), "--budget"),
        Case("allocate: --value -1", (*alloc, "--value", "-1"), "--value"),
        Case(
            "allocate: missing levels",
            ("allocate", "stp", "--levels", "{nope}", "--train-levels", stp),
            "nope",
        ),
        Case(
            "allocate: sokoban levels as stp",
            ("allocate", "stp", "--levels", box, "--train-levels", stp),
            "train_000_first60.txt",
        ),
        Case("audit: not a run folder", ("audit", "{.}"), "allocation.csv"),
        Case(
            "audit: short row in repeats.csv",
            ("audit", "{.}"),
            "repeats.csv",
            setup=_all(
                _write(
                    "allocation.csv",
                    "method,problem,outcome,expansions,difficulty\nindex,a,solved,10,3\n",
                ),
                _write("repeats.csv", "problem,first_expansions,second_expansions\na,10\n"),
            ),
        ),
        Case(
            "audit: binary allocation.csv",
            ("audit", "{.}"),
            "allocation.csv",
            setup=_all(
                _write("allocation.csv", bytes(range(256)) * 8),
                _write("repeats.csv", "problem,first_expansions,second_expansions\n"),
            ),
        ),
        Case("speedup: not a train run", ("speedup", "{.}", "--levels", stp), "run.json"),
    ]
    # --- generate / compare / executors -------------------------------------------------------
    gen = ("generate", "stp", "--seed", "0", "-o", "{g.txt}")
    c += [
        Case("generate: --size 1", (*gen, "--size", "1"), "--size"),
        Case("generate: --moves -5", (*gen, "--moves", "-5"), "--moves"),
        Case("generate: --count 0", (*gen, "--count", "0"), "--count"),
        Case(
            "generate: -o exists",
            (*gen, "--count", "2"),
            "g.txt",
            setup=_write("g.txt", "keep\n"),
            protect=("g.txt",),
        ),
        Case("compare: not run folders", ("compare", "{a}", "{b}"), "results.csv"),
        Case(
            "compare: -o exists",
            ("compare", "{a}", "{b}", "-o", "{c.csv}"),
            "c.csv",
            setup=_write("c.csv", "keep\n"),
            protect=("c.csv",),
        ),
        Case(
            "solve: --executor foo",
            ("solve", "stp", "--levels", stp, "--executor", "foo"),
            "--executor",
        ),
    ]
    # --- program synthesis: task files, policies, strategies ------------------------------------
    tasks = _write("t.json", PROGRAM_TASKS)
    prog = ("solve", "programs", "--levels", "{t.json}")
    c += [
        Case(
            "solve programs: task without a name",
            ("solve", "programs", "--levels", "{bad.json}"),
            "name",
            setup=_write("bad.json", '[{"name": 3}]'),
        ),
        Case("solve programs: --holdout -1", (*prog, "--holdout", "-1"), "holdout", setup=tasks),
        Case(
            "solve programs: --strategy foo",
            (*prog, "--policy", "list-transformer", "--strategy", "foo"),
            "--strategy",
            setup=tasks,
        ),
        Case(
            "solve programs: --strategy with a grammar prior",
            (*prog, "--policy", "list-dsl", "--strategy", "lts"),
            "--strategy",
            setup=tasks,
        ),
    ]
    tpl = _write(
        "tpl.json",
        '{"format": "kairos-hf-template", "version": 1, "prompt": "{examples}", '
        '"example": "{input} {output}"}',
    )
    hf = ("--hf-model", "{m}", "--hf-template", "{tpl.json}")
    c += [
        Case(
            "solve programs: --hf-model without --hf-template",
            (*prog, "--hf-model", "{m}"),
            "--hf-model",
            setup=_all(tasks, _write("m/config.json", "{}")),
        ),
        Case(
            "solve programs: --hf-template without --hf-model",
            (*prog, "--hf-template", "{tpl.json}"),
            "--hf-template",
            setup=_all(tasks, tpl),
        ),
        Case(
            "solve programs: --hf-model not a folder",
            (*prog, *hf),
            "/m: not a folder",
            setup=_all(tasks, tpl),
        ),
        Case(
            "solve programs: --hf-model folder without config.json",
            (*prog, *hf),
            "config.json",
            setup=_all(tasks, tpl, _write("m/weights.bin", b"")),
        ),
        Case(
            "solve programs: --hf-model with malformed config.json",
            (*prog, *hf),
            "config.json",
            setup=_all(tasks, tpl, _write("m/config.json", '{"hidden_size": ')),
        ),
        Case(
            "solve programs: --hf-model config.json without hidden_size",
            (*prog, *hf),
            "hidden_size",
            setup=_all(tasks, tpl, _write("m/config.json", '{"num_hidden_layers": 2}')),
        ),
        Case(
            "solve programs: --hf-template without {examples}",
            (*prog, *hf),
            "prompt",
            setup=_all(
                tasks,
                _write(
                    "tpl.json",
                    '{"format": "kairos-hf-template", '
                    '"version": 1, "prompt": "x", "example": "{input}{output}"}',
                ),
            ),
        ),
        Case(
            "solve stp: --hf-model",
            ("solve", "stp", "--levels", stp, *hf),
            "--hf-model",
            setup=tpl,
        ),
    ]
    for suffix in (".kprog", ".ktpr", ".kgram"):
        c.append(
            Case(
                f"solve programs: garbage {suffix} policy",
                (*prog, "--policy", f"{{p{suffix}}}"),
                f"p{suffix}",
                setup=_all(tasks, _write(f"p{suffix}", b"garbage\n")),
            )
        )
    return c


# --- running ------------------------------------------------------------------------------------


def _fill(args: tuple[str, ...], folder: Path) -> list[str]:
    out = []
    for a in args:
        if "{" in a:
            head, _, rest = a.partition("{")
            name, _, tail = rest.partition("}")
            a = head + str(folder / name) + tail
        out.append(a)
    return out


def _digests(folder: Path, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        path = folder / name
        kind = "link:" + os.readlink(path) if path.is_symlink() else "file:"
        body = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        out[name] = kind + hashlib.sha256(body).hexdigest()
    return out


def _in_process(argv: list[str], folder: Path) -> tuple[int | None, str, str]:
    """Run :func:`kairos.cli.main` on ``argv`` with captured streams, cwd ``folder``."""
    from typer.testing import CliRunner

    from kairos.cli import main

    cwd, saved_argv = os.getcwd(), sys.argv
    os.chdir(folder)
    sys.argv = ["kairos", *argv]  # main() reads the command line, as the console script does
    code: int | None
    try:
        with CliRunner().isolation() as (out, err, _):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # the class this table exists to catch
                import traceback

                sys.stderr.write(traceback.format_exc())
                code = None
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    finally:
        os.chdir(cwd)
        sys.argv = saved_argv
    return code, stdout, stderr


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _in_subprocess(argv: list[str], folder: Path) -> tuple[int | None, str, str, bool]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "NUMBA_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from kairos.cli import main; main()", *argv],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return None, "", err, True
    return done.returncode, done.stdout, done.stderr, False


def run_case(case: Case, folder: Path) -> Outcome:
    """Run one case in ``folder`` (made empty by the caller) and classify what happened."""
    folder.mkdir(parents=True, exist_ok=True)
    if case.setup is not None:
        case.setup(folder)
    before = _digests(folder, case.protect)
    argv = _fill(case.args, folder)
    t0 = time.perf_counter()
    hung = False
    if case.subprocess:
        code, _, stderr, hung = _in_subprocess(argv, folder)
    else:
        code, _, stderr = _in_process(argv, folder)
    seconds = time.perf_counter() - t0
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    message = errors[0] if errors else stderr.strip().splitlines()[-1] if stderr.strip() else ""
    if hung:
        kind = "hang"
    elif "Traceback (most recent call last)" in stderr or code is None:
        kind = "traceback"
    elif code < 0 or code > 128:
        kind = "crash"
    elif _digests(folder, case.protect) != before:
        kind = "data_loss"
    elif case.expect == "ok":
        kind = "ok" if code == 0 else "bad_message"
    elif code == 0:
        kind = "silent"
    elif code == 2 and len(errors) == 1 and case.culprit in errors[0] and len(errors[0]) < 600:
        kind = "typed"
    else:
        kind = "bad_message"
    return Outcome(case.name, kind, code, message, round(seconds, 3))


def expected_kind(case: Case) -> str:
    """The outcome a robust kairos gives: ``typed`` for bad input, ``ok`` for the rest."""
    return "ok" if case.expect == "ok" else "typed"
