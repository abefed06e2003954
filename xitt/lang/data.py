"""``data xnli = local("data/xnli/xnli.{split}.tsv")``: a registered real task's files.

The one construct that names files anywhere (the experiment's folder or outside it), so
that a reader of a program sees every file the study reads: imports and report paths stay
inside the folder, and nothing else in the language names a file.
"""

from __future__ import annotations

import re
import string
from typing import Any, Callable

from xitt.errors import Location
from xitt.lang import ast
from xitt.lang.diagnostics import join_choices, unknown_hint
from xitt.lang.program import DataSpec
from xitt.tasks.load import SPLITS
from xitt.tasks.registry import SCORED_METRICS, get, lookup, names, stages

DATA_KINDS = ("local",)
PLACEHOLDERS = ("language", "code", "split")

Error = Callable[[str, Location, "str | None"], None]


def _named(statements: list[ast.Tasks]) -> list[tuple[ast.Tasks, ast.Name]]:
    """Every ``hub.NAME`` a task set writes, with its statement, in written order."""
    found: list[tuple[ast.Tasks, ast.Name]] = []

    def walk(statement: ast.Tasks, node: ast.TaskExpr) -> None:
        if isinstance(node, ast.TaskGroup) and node.source.text == "hub":
            found.extend((statement, item.name) for item in node.items)
        elif isinstance(node, (ast.TaskParen, ast.TaskMix)):
            walk(statement, node.expr)
        elif isinstance(node, ast.SetOp):
            walk(statement, node.left)
            walk(statement, node.right)

    for statement in statements:
        walk(statement, statement.expr)
    return found


def used_real_tasks(statements: list[ast.Tasks]) -> set[str]:
    """The canonical names of the real tasks (``hub.NAME``) that task sets name, and of the
    tasks those read as training data (their benchmark stages, a union's parts)."""
    used = {t.name for t in (lookup(name.text) for _, name in _named(statements)) if t is not None}
    # a task is also read as another's training data: XNLI trains on MNLI, ANLI+ pools its parts
    return used | {stage for name in used for stage in (*stages(get(name)), *get(name).parts)}


def check_targets(statements: list[ast.Tasks], data: tuple[DataSpec, ...], error: Error) -> None:
    """What can be known of real targets before training: each is scored by a metric xitt
    computes, and a target read from local files has its training stages' files declared
    too when no task set names them (XCOPA's SIQA and COPA: unnamed, they would be read
    from the hub, which a study of local files usually cannot reach)."""
    declared = {spec.task for spec in data}
    named = {t.name for t in (lookup(n.text) for _, n in _named(statements)) if t is not None}
    for statement, name in _named([s for s in statements if s.eval is not None]):
        task = lookup(name.text)
        if task is None or task.protocol is None:
            continue
        if task.info.metric not in SCORED_METRICS:
            error(f"target '{task.name}' is scored by {task.info.metric}, which xitt does not compute", name.location,
                  f"xitt computes {join_choices(SCORED_METRICS)}; leave this target out")
        unnamed = [stage for stage in stages(task) if stage != task.name and stage not in named | declared]
        if task.name in declared and unnamed:
            listed = ", then ".join(stages(task))
            error(f"target '{task.name}' trains on {listed} (its benchmark's protocol), but "
                  f"{join_choices([repr(s) for s in unnamed], 'and')} {'has' if len(unnamed) == 1 else 'have'} "
                  "no data statement", name.location,
                  "declare their files too: " + "; ".join(f"data {s} = {_example(s)}"
                                                          for s in unnamed))


def check_data(statements: list[ast.Data], used: set[str], error: Error, value: Callable[[ast.Value], Any]) -> tuple[DataSpec, ...]:
    """``data TASK = local("path", dev: "dev_2k")`` -> specs; every problem reported."""
    specs: dict[str, DataSpec] = {}
    for statement in statements:
        spec = _one(statement, used, error, value)
        if spec is None:
            continue
        if spec.task in specs:
            first = specs[spec.task].location
            error(f"the files of '{spec.task}' are already declared on line {first.line}", statement.task.location,
                  "keep one data statement per task")
            continue
        specs[spec.task] = spec
    return tuple(specs.values())


def _one(statement: ast.Data, used: set[str], error: Error, value: Callable[[ast.Value], Any]) -> DataSpec | None:
    name, call = statement.task, statement.call
    info = lookup(name.text)
    ok = True
    if info is None:
        error(f"unknown real task '{name.text}'", name.location, unknown_hint(name.text, names()))
        ok = False
    elif info.name not in used:
        error(f"'{name.text}' has files declared but no task set uses it", name.location,
              f"use it in a task set (hub.{info.name}) or remove this line")
        ok = False
    if call.name.text not in DATA_KINDS:
        error(f"unknown data kind '{call.name.text}'", call.name.location, unknown_hint(call.name.text, DATA_KINDS))
        return None
    path: str | None = None
    splits: dict[str, str] = {}
    for argument in call.arguments:
        if argument.name is None:
            if path is not None:
                error("local(...) takes one path", argument.location, 'name split files by keyword: local("data/x.{split}", dev: "dev_2k")')
                ok = False
                continue
            path = _string(argument.value, "the path", error, value)
            ok = ok and path is not None
        elif argument.name.text not in SPLITS:
            error(f"unknown parameter '{argument.name.text}' of local", argument.name.location, unknown_hint(argument.name.text, SPLITS))
            ok = False
        elif argument.name.text in splits:
            error(f"split '{argument.name.text}' is given twice", argument.name.location, "keep one of them")
            ok = False
        else:
            renamed = _string(argument.value, f"split '{argument.name.text}'", error, value)
            if renamed is None:
                ok = False
            else:
                splits[argument.name.text] = renamed
    if path is None:
        if ok:
            error("local(...) needs a path", call.location, 'write local("data/xnli/xnli.{split}.tsv")')
        return None
    problem = _placeholder_problem(path)
    if problem is not None:
        error(problem, _first_argument(call).value.location, f"a path may use {join_choices(['{' + p + '}' for p in PLACEHOLDERS], 'and')}")
        return None
    if not ok or info is None:
        return None
    return DataSpec(info.name, call.name.text, path, tuple(sorted(splits.items())), statement.location)


def _first_argument(call: ast.Call) -> ast.Argument:
    return next(a for a in call.arguments if a.name is None)


def _string(node: ast.Value, what: str, error: Error, value: Callable[[ast.Value], Any]) -> str | None:
    text = value(node)
    if text is None:
        return None
    if not isinstance(node, ast.String) or not text.strip():
        error(f"{what} is a non-empty string in double quotes", node.location, 'like local("data/xnli/xnli.{split}.tsv")')
        return None
    return text


def _placeholder_problem(path: str) -> str | None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(path) if f is not None]
    except ValueError:
        return f"the path '{path}' has an unmatched brace"
    for field in fields:
        if field not in PLACEHOLDERS or re.search(r"[!:\[.]", field):
            return f"unknown placeholder '{{{field}}}' in the path"
    return None


def _example(task: str) -> str:
    """A task's documented local path, without its explanation: ``local("data/copa/{split}.jsonl")``."""
    return get(task).source.local_example.split("  ")[0] or 'local("...")'
