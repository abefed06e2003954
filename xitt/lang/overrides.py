"""``--set train.target.lr=2e-5``: change a parameter without editing the file.

An override is parsed with the language's own value syntax (so ``--set train.target.lr=[1e-4,5e-4]``
is a sweep) and replaces, or adds, one argument before checking; the checker then validates
it like any written value. Overrides form a pseudo-file named ``--set`` (line N is the N-th
override), so their errors render with a caret like any other.

Paths: ``train.PHASE.PARAM``, ``world.PARAM``, ``model.PARAM``, ``similarity.NAME.PARAM``, ``seeds``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from xitt.errors import Location, ProgramError
from xitt.lang import ast
from xitt.lang.diagnostics import unknown_hint
from xitt.lang.parser import parse

SOURCE = "--set"
ROOTS = ("train", "world", "model", "similarity", "seeds")


def apply_overrides(module: ast.Module, overrides: Sequence[str]) -> tuple[ast.Module, list[ProgramError], dict[str, str]]:
    """The module with every override applied, the errors met, and the ``--set`` pseudo-source."""
    if not overrides:
        return module, [], {}
    errors: list[ProgramError] = []
    statements = list(module.statements)
    for line, text in enumerate(overrides, 1):
        try:
            statements = _apply(statements, text, line)
        except ProgramError as error:
            errors.append(error)
    return dataclasses.replace(module, statements=tuple(statements)), errors, {SOURCE: "\n".join(overrides)}


def _apply(statements: list, text: str, line: int) -> list:
    whole = Location(SOURCE, line, 1, len(text) + 1)
    path, sep, raw = text.partition("=")
    if not sep or not raw.strip():
        raise ProgramError(f"'{text}' is not an assignment", hint="write --set PATH=VALUE, like --set train.target.lr=2e-5", location=whole)
    value = _value(raw, line, len(path) + 2)
    parts = path.strip().split(".")
    root = parts[0]
    where = Location(SOURCE, line, 1, len(path) + 1)
    if root not in ROOTS:
        raise ProgramError(f"cannot set '{path}'", hint=unknown_hint(root, ROOTS), location=where)
    if root == "seeds" and len(parts) == 1:
        values = value.items if isinstance(value, ast.ListValue) else (value,)
        seeds = ast.Seeds(tuple(values), whole)
        return [s for s in statements if not isinstance(s, ast.Seeds)] + [seeds]
    expected = {"train": 3, "world": 2, "model": 2, "similarity": 3}.get(root, 1)
    if len(parts) != expected:
        shape = {"train": "train.PHASE.PARAM", "world": "world.PARAM", "model": "model.PARAM", "similarity": "similarity.NAME.PARAM", "seeds": "seeds"}[root]
        raise ProgramError(f"'{path}' should have the form {shape}", hint="like --set train.target.lr=2e-5", location=where)
    start = len(path.rstrip()) - len(parts[-1]) + 1
    argument = ast.Argument(ast.Name(parts[-1], Location(SOURCE, line, start, start + len(parts[-1]))), value, whole)
    for index, statement in enumerate(statements):
        call = _call_of(statement, root, parts)
        if call is not None:
            statements[index] = _with_argument(statement, call, argument)
            return statements
    if root == "train":  # a phase not written in the file: its defaults, plus this
        call = ast.Call(ast.Name(parts[1], where), (argument,), whole)
        return statements + [ast.Train(call, whole)]
    named = [s.name.text for s in statements if isinstance(s, ast.Similarity)]
    hint = unknown_hint(parts[1], named, "similarity") if root == "similarity" else f"the file has no '{root}' statement"
    raise ProgramError(f"nothing in the program matches '{path}'", hint=hint, location=where)


def _call_of(statement: Any, root: str, parts: list[str]) -> ast.Call | None:
    if root == "train" and isinstance(statement, ast.Train) and statement.call.name.text == parts[1]:
        return statement.call
    if root == "world" and isinstance(statement, ast.World):
        return statement.call
    if root == "model" and isinstance(statement, ast.Model):
        return statement.call
    if root == "similarity" and isinstance(statement, ast.Similarity) and statement.name.text == parts[1]:
        return statement.call
    return None


def _with_argument(statement: Any, call: ast.Call, argument: ast.Argument) -> Any:
    name = argument.name.text
    kept = tuple(a for a in call.arguments if a.name is None or a.name.text != name)
    return dataclasses.replace(statement, call=dataclasses.replace(call, arguments=(*kept, argument)))


def _value(raw: str, line: int, column: int) -> ast.Value:
    """``raw`` parsed as a value and located at ``line``/``column`` of the --set source."""
    prefix = "let v = "
    try:
        module = parse(prefix + raw, SOURCE)
    except ProgramError as error:
        loc = error.location
        shifted = Location(SOURCE, line, max(column, loc.column - len(prefix) + column - 1), None) if loc else None
        raise ProgramError(f"the value '{raw}' cannot be read: {error.message}", hint=error.hint, location=shifted) from None
    (let,) = module.statements
    return _shift(let.value, line, column - len(prefix) - 1)


def _shift(node: Any, line: int, offset: int) -> Any:
    if isinstance(node, Location):
        end = node.end_column + offset if node.end_column is not None else None
        return Location(SOURCE, line, node.column + offset, end)
    if isinstance(node, tuple):
        return tuple(_shift(n, line, offset) for n in node)
    if dataclasses.is_dataclass(node):
        return dataclasses.replace(node, **{f.name: _shift(getattr(node, f.name), line, offset) for f in dataclasses.fields(node)})
    return node
