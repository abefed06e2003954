"""``xitt fmt``: the canonical layout of a .xitt file, from its syntax tree.

The rules, few enough to remember:

* one statement per line, single spaces around ``=``, ``@``, ``|``, ``+``, ``-``, ``vs``, ``to``,
  and after commas and colons; no space inside brackets;
* a run of adjacent ``let``/``model``/``tasks``/``similarity``/``data`` statements of one kind
  has its ``=`` aligned;
* a ``correlate`` longer than 100 characters continues on a second line at ``with``;
* comments are kept: a comment line stays where it is, a comment at the end of a
  statement stays at its end (comments inside a statement move above it); blank lines
  between statements collapse to one; numbers keep their spelling (``5e-4`` stays).

Formatting keeps the program: ``parse(fmt(x))`` has the shape of ``parse(x)``, and
``fmt(fmt(x)) == fmt(x)``. A file with syntax errors is not formatted (its errors are raised).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathlib import Path

from xitt.lang import ast
from xitt.lang.parser import parse, statement_lines
from xitt.lang.source import read_source

ALIGNED = (ast.Let, ast.Model, ast.Tasks, ast.Similarity, ast.Data)
WIDTH = 100
_COMMENT_OR_STRING = re.compile(r'"([^"\\\n]|\\.)*"|#[^\n]*')


@dataclass(frozen=True)
class _Line:
    """A statement as text: ``head`` is padded when aligned (``tasks english``), ``body`` follows."""

    head: str
    body: str
    kind: type | None  # the statement's class where it takes part in alignment


def fmt(text: str, filename: str = "<fmt>") -> str:
    """``text`` in canonical layout; raises ``ProgramError`` when it does not parse."""
    module = parse(text, filename)
    spans = statement_lines(text)
    source = text.split("\n")
    comments = _comments(text)
    out: list[str] = []
    run: list[tuple[int, _Line, str]] = []  # statements since the last thing between them
    used: set[int] = set()
    previous_end = 0

    def flush() -> None:
        width = max((len(line.head) for _, line, _ in run if line.kind is not None), default=0)
        for index, line, trailing in run:
            head = line.head.ljust(width) if line.kind is not None else line.head
            out[index] = _join(head, line.body) + trailing
        run.clear()

    for statement, (start, end) in zip(module.statements, spans):
        gap = _gap(source, comments, previous_end + 1, start - 1, used)
        inner = [n for n in range(start, end + 1) if n in comments and n not in used]
        used.update(inner)
        trailing = comments[end] if end in inner else None
        leading = [comments[n] for n in inner if n != end]
        if gap or leading:
            flush()
        out.extend(gap)
        out.extend(leading)
        line = _render(statement, text)
        if run and (run[-1][1].kind is not line.kind):
            flush()
        run.append((len(out), line, f"  {trailing}" if trailing else ""))
        out.append("")  # filled in by flush
        previous_end = max(previous_end, end)
    flush()
    out.extend(_gap(source, comments, previous_end + 1, len(source), used))
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out) + "\n" if out else ""


def format_file(path: str | Path, write: bool = True) -> bool:
    """Format one file in place (unless ``write`` is false); whether its text changes."""
    text = read_source(path)
    formatted = fmt(text, str(path))
    if formatted != text and write:
        Path(path).write_text(formatted, encoding="utf-8")
    return formatted != text


def _join(head: str, body: str) -> str:
    return f"{head} {body}" if body else head


def _comments(text: str) -> dict[int, str]:
    """Line number -> the comment on it (strings skipped, so a ``#`` in a string is no comment)."""
    found: dict[int, str] = {}
    for match in _COMMENT_OR_STRING.finditer(text):
        if match.group(0).startswith("#"):
            found[text.count("\n", 0, match.start()) + 1] = match.group(0).rstrip()
    return found


def _gap(source: list[str], comments: dict[int, str], first: int, last: int, used: set[int]) -> list[str]:
    """The comment lines and blank lines between two statements; runs of blanks become one."""
    lines: list[str] = []
    for number in range(first, last + 1):
        if number in comments and number not in used:
            used.add(number)
            lines.append(comments[number])
        elif number not in comments and not source[number - 1].strip() and (not lines or lines[-1]):
            lines.append("")
    return lines


# --- statements -------------------------------------------------------------------------


def _render(statement: ast.Statement, text: str) -> _Line:
    v = _Values(text)
    kind = type(statement) if isinstance(statement, ALIGNED) else None
    if isinstance(statement, ast.Experiment):
        return _Line(f"experiment {statement.name.text}", "", None)
    if isinstance(statement, ast.Import):
        return _Line(f"import {v.string(statement.path.value)}", "", None)
    if isinstance(statement, ast.Let):
        return _Line(f"let {statement.name.text}", f"= {v.value(statement.value)}", kind)
    if isinstance(statement, ast.World):
        return _Line(f"world {v.call(statement.call)}", "", None)
    if isinstance(statement, (ast.Model, ast.Similarity)):
        keyword = "model" if isinstance(statement, ast.Model) else "similarity"
        return _Line(f"{keyword} {statement.name.text}", f"= {v.call(statement.call)}", kind)
    if isinstance(statement, ast.Data):
        return _Line(f"data {statement.task.text}", f"= {v.call(statement.call)}", kind)
    if isinstance(statement, ast.Tasks):
        body = f"= {v.task_expr(statement.expr)}"
        if statement.eval is not None:
            body += f" train @ {v.languages(statement.train)} eval @ {v.languages(statement.eval)}"
        elif statement.train is not None:
            body += f" @ {v.languages(statement.train)}"
        return _Line(f"tasks {statement.name.text}", body, kind)
    if isinstance(statement, ast.Train):
        return _Line(f"train {v.call(statement.call)}", "", None)
    if isinstance(statement, ast.Seeds):
        return _Line(f"seeds {', '.join(v.value(s) for s in statement.values)}", "", None)
    if isinstance(statement, ast.Correlate):
        return _Line(_correlate(statement, v), "", None)
    if isinstance(statement, ast.Compare):
        return _Line(f"compare {statement.left.text} vs {statement.right.text}", "", None)
    if isinstance(statement, ast.Report):
        items = ", ".join(v.call(c) for c in statement.items)
        return _Line(f"report {items} to {v.string(statement.path.value)}", "", None)
    raise TypeError(f"no layout for {type(statement).__name__}")  # a new statement kind needs one here


def _correlate(statement: ast.Correlate, v: "_Values") -> str:
    head = f"correlate {', '.join(m.text for m in statement.methods)}({v.arguments(statement.arguments)})"
    if statement.per is not None:
        head += f" per {statement.per.text}"
    if not statement.settings:
        return head
    settings = f"with {', '.join(v.call(c) for c in statement.settings)}"
    one_line = f"{head} {settings}"
    return one_line if len(one_line) <= WIDTH else f"{head}\n    {settings}"


class _Values:
    """Values and expressions as text; numbers are read back from the source as written."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def value(self, node: ast.Value) -> str:
        if isinstance(node, ast.String):
            return self.string(node.value)
        if isinstance(node, ast.Number):
            return self.number(node)
        if isinstance(node, ast.Boolean):
            return "true" if node.value else "false"
        if isinstance(node, ast.Variable):
            return f"${node.name}"
        if isinstance(node, ast.Range):
            return f"{self.number(node.start)}..{self.number(node.end)}"
        if isinstance(node, ast.ListValue):
            return f"[{', '.join(self.value(i) for i in node.items)}]"
        return node.text

    def number(self, node: ast.Number) -> str:
        """The number as written (``5e-4``, ``1.0``), ``+`` dropped and ``E`` lower-cased."""
        loc = node.location
        written = self.lines[loc.line - 1][loc.column - 1 : loc.end_column - 1] if loc.end_column else ""
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", written):
            written = repr(node.value)  # not expected: every Number is one token
        return written.lstrip("+").replace("E", "e")

    @staticmethod
    def string(value: str) -> str:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{escaped}"'

    def call(self, call: ast.Call) -> str:
        return f"{call.name.text}({self.arguments(call.arguments)})" if call.arguments else call.name.text

    def arguments(self, arguments: tuple[ast.Argument, ...]) -> str:
        return ", ".join(self.argument(a) for a in arguments)

    def argument(self, argument: ast.Argument) -> str:
        value = self.value(argument.value)
        return f"{argument.name.text}: {value}" if argument.name is not None else value

    def languages(self, selection: ast.LanguageSelection) -> str:
        if selection.every:
            return "*"
        codes = [c.text for c in selection.codes]
        return codes[0] if len(codes) == 1 else "{" + ", ".join(codes) + "}"

    def task_expr(self, node: ast.TaskExpr) -> str:
        if isinstance(node, ast.SetOp):
            return f"{self.task_expr(node.left)} {node.op} {self.task_expr(node.right)}"
        if isinstance(node, ast.TaskSetRef):
            return node.name.text
        if isinstance(node, ast.TaskGroup):
            items = [i.name.text + (f" @ {self.languages(i.languages)}" if i.languages is not None else "") for i in node.items]
            if len(items) == 1 and node.items[0].languages is None:
                return f"{node.source.text}.{items[0]}"
            return f"{node.source.text}.{{{', '.join(items)}}}"
        inner = self.task_expr(node.expr) + (f" @ {self.languages(node.languages)}" if node.languages is not None else "")
        if isinstance(node, ast.TaskParen):
            return f"({inner})"
        rest = "".join(f", {self.argument(a)}" for a in node.arguments)
        return f"mix({inner}{rest})"
