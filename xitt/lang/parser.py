"""Text -> ``ast.Module``, with Lark kept inside this module.

The grammar lives in ``xitt/lang/xitt.lark`` (package data, so an installed xitt finds it;
``grammar/xitt.lark`` links to it) and reads as the language's reference. Lark's
tree becomes frozen AST dataclasses at once, and Lark's exceptions become ``ProgramError``s
worded for the person who wrote the file, so nothing downstream sees Lark.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from xitt.errors import Location, ProgramError, ProgramErrors
from xitt.lang import ast
from xitt.lang.diagnostics import attach_source, did_you_mean, join_choices

GRAMMAR = Path(__file__).resolve().parent / "xitt.lark"


@lru_cache(maxsize=1)
def _lark() -> Lark:
    """Built once per process: building the LALR tables is the slow part."""
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True, maybe_placeholders=True)


@lru_cache(maxsize=1)
def statement_keywords() -> tuple[str, ...]:
    """The words a statement may start with, read from the grammar itself."""
    lark = _lark()
    names = lark.parse_interactive("").accepts() - {"$END"}
    return tuple(sorted(lark.get_terminal(n).pattern.value for n in names))


MAX_SYNTAX_ERRORS = 20  # after this many, the rest of a file is mostly noise


def parse(text: str, filename: str) -> ast.Module:
    """Parse a whole file, or raise every syntax error found in one pass.

    After an error the statement holding it is blanked out (positions kept) and parsing
    starts again, so a file with three broken statements reports three errors.
    """
    errors: list[ProgramError] = []
    current = text
    tree = None
    while tree is None:
        try:
            tree = _tree(current)
        except UnexpectedInput as exc:
            error = _syntax_error(exc, current, filename)
            errors.append(error)
            line = error.location.line if error.location is not None else max(exc.line, 1)
            blanked = _blank_statement(current, line)
            if blanked == current or len(errors) >= MAX_SYNTAX_ERRORS:
                break
            current = blanked
        except RecursionError:
            errors.append(ProgramError("this file nests too deeply to read", hint="write fewer brackets inside brackets",
                                       location=Location(filename, 1, 1)))
            break
        except LarkError as exc:  # anything else Lark may raise: still a user-facing error
            errors.append(ProgramError(f"cannot parse this file: {exc}", location=Location(filename, 1, 1)))
            break
    if errors:
        raise attach_source(errors[0] if len(errors) == 1 else ProgramErrors(errors), text) from None
    try:
        statements = _ToAst(filename).transform(tree)
    except VisitError as exc:  # a bug in _ToAst, not in the user's file: keep the cause
        raise exc.orig_exc from None
    except RecursionError:
        error = ProgramError("this file nests too deeply to read", hint="write fewer brackets inside brackets",
                             location=Location(filename, 1, 1))
        raise attach_source(error, text) from None
    return ast.Module(filename=filename, text=text, statements=statements)


@lru_cache(maxsize=8)
def _tree(text: str):
    """Lark's tree of ``text``; kept for a few texts, as ``fmt`` and ``parse`` ask for the same one."""
    return _lark().parse(text)


def statement_lines(text: str) -> list[tuple[int, int]]:
    """The first and last line of each statement of a file that parses (for ``fmt``)."""
    return [(child.meta.line, child.meta.end_line) for child in _tree(text).children]


def _blank_statement(text: str, line: int) -> str:
    """``text`` with the statement around ``line`` replaced by spaces, newlines kept.

    A statement runs from a line that starts with a keyword to the next such line.
    """
    lines = text.split("\n")
    index = min(max(line - 1, 0), len(lines) - 1)
    start = index
    while start > 0 and not _starts_statement(lines[start]):
        start -= 1
    end = index + 1
    while end < len(lines) and not _starts_statement(lines[end]):
        end += 1
    blank = [" " * len(text_line) for text_line in lines[start:end]]
    return "\n".join(lines[:start] + blank + lines[end:])


def _starts_statement(line: str) -> bool:
    match = re.match(r"\s*([A-Za-z_]+)(.?)", line)
    if match is None or match.group(1) not in statement_keywords():
        return False
    rest = line[match.end(1):].lstrip()
    return not (match.group(1) == "train" and rest.startswith("@"))  # `train @ en`: part of a target set


# --- tree -> AST --------------------------------------------------------------------------


def _token_location(filename: str, token: Token) -> Location:
    return Location(filename, token.line, token.column, token.end_column)


_ESCAPES = {"n": "\n", "t": "\t"}


def _decode_string(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw[1:-1])


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


class _ToAst(Transformer):
    """One method per grammar rule (or alias), each ``(meta, children)`` -> an ``ast`` node."""

    __visit_tokens__ = False  # tokens stay tokens; the rule methods read them

    def __init__(self, filename: str):
        super().__init__()
        self.filename = filename

    def _call_userfunc(self, tree, new_children=None):
        """Call the rule's method with the node's positions. Lark's ``v_args(meta=True)``
        does the same but builds a wrapper per call, which was a third of parse time."""
        children = new_children if new_children is not None else tree.children
        return getattr(self, tree.data)(tree.meta, children)

    def _loc(self, meta) -> Location:
        end = meta.end_column if getattr(meta, "end_line", None) == meta.line else None
        return Location(self.filename, meta.line, meta.column, end)

    def _name(self, token: Token) -> ast.Name:
        return ast.Name(str(token), _token_location(self.filename, token))

    # statements
    def start(self, meta, children):
        return tuple(children)

    def experiment(self, meta, children):
        return ast.Experiment(self._name(children[0]), self._loc(meta))

    def world(self, meta, children):
        return ast.World(self._call(children, meta), self._loc(meta))

    def model(self, meta, children):
        name, kind, *rest = children
        location = self._loc(meta)  # the call spans from the kind to the end of the statement
        call_location = Location(self.filename, kind.line, kind.column, location.end_column)
        return ast.Model(self._name(name), ast.Call(self._name(kind), rest[0] if rest else (), call_location), location)

    def import_(self, meta, children):
        token = children[0]
        return ast.Import(ast.String(_decode_string(token), _token_location(self.filename, token)), self._loc(meta))

    def let(self, meta, children):
        name, value = children
        return ast.Let(self._name(name), value, self._loc(meta))

    def unplaced_tasks(self, meta, children):
        name, expr = children
        return ast.Tasks(self._name(name), expr, None, None, self._loc(meta))

    def intermediate_tasks(self, meta, children):
        name, expr, languages = children
        return ast.Tasks(self._name(name), expr, languages, None, self._loc(meta))

    def target_tasks(self, meta, children):
        name, expr, train, evaluate = children
        return ast.Tasks(self._name(name), expr, train, evaluate, self._loc(meta))

    def train(self, meta, children):
        return ast.Train(self._call(children, meta), self._loc(meta))

    def seeds(self, meta, children):
        return ast.Seeds(tuple(children), self._loc(meta))

    def similarity(self, meta, children):
        name, kind, *rest = children
        location = self._loc(meta)
        call_location = Location(self.filename, kind.line, kind.column, location.end_column)
        return ast.Similarity(self._name(name), ast.Call(self._name(kind), rest[0] if rest else (), call_location), location)

    def correlate(self, meta, children):
        methods, arguments, *rest = children
        per = next((c for c in rest if isinstance(c, ast.Name)), None)
        settings = next((c for c in rest if isinstance(c, tuple)), ())
        return ast.Correlate(methods, arguments, per, settings, self._loc(meta))

    def compare(self, meta, children):
        left, right = children
        return ast.Compare(self._name(left), self._name(right), self._loc(meta))

    def report(self, meta, children):
        *items, path = children
        return ast.Report(tuple(items), ast.String(_decode_string(path), _token_location(self.filename, path)), self._loc(meta))

    def data(self, meta, children):
        task, kind, *rest = children
        location = self._loc(meta)
        call_location = Location(self.filename, kind.line, kind.column, location.end_column)
        return ast.Data(self._name(task), ast.Call(self._name(kind), rest[0] if rest else (), call_location), location)

    # task expressions
    def task_expr(self, meta, children):
        expr = children[0]
        for op, term in zip(children[1::2], children[2::2]):
            location = Location(self.filename, expr.location.line, expr.location.column, term.location.end_column)
            expr = ast.SetOp(str(op), expr, term, location)
        return expr

    def task_group(self, meta, children):
        source, *items = children
        return ast.TaskGroup(self._name(source), tuple(items), self._loc(meta))

    def task_single(self, meta, children):
        source, task = children
        return ast.TaskGroup(self._name(source), (ast.TaskItem(self._name(task), None),), self._loc(meta))

    def task_set_ref(self, meta, children):
        return ast.TaskSetRef(self._name(children[0]), self._loc(meta))

    def task_paren(self, meta, children):
        expr, *rest = children
        return ast.TaskParen(expr, rest[0] if rest else None, self._loc(meta))

    def task_mix(self, meta, children):
        expr, *rest = children
        languages = next((c for c in rest if isinstance(c, ast.LanguageSelection)), None)
        arguments = tuple(c for c in rest if isinstance(c, ast.Argument))
        return ast.TaskMix(expr, languages, arguments, self._loc(meta))

    def task_item(self, meta, children):
        name, *rest = children
        return ast.TaskItem(self._name(name), rest[0] if rest else None)

    def language_one(self, meta, children):
        return ast.LanguageSelection((self._name(children[0]),), False, self._loc(meta))

    def language_all(self, meta, children):
        return ast.LanguageSelection((), True, self._loc(meta))

    def language_group(self, meta, children):
        return ast.LanguageSelection(children[0], False, self._loc(meta))

    def per(self, meta, children):
        return self._name(children[0])

    def settings(self, meta, children):
        return tuple(children)

    def names(self, meta, children):
        return tuple(self._name(t) for t in children)

    def call(self, meta, children):
        return self._call(children, meta)

    def _call(self, children, meta) -> ast.Call:
        name, *rest = children
        return ast.Call(self._name(name), rest[0] if rest else (), self._loc(meta))

    def arguments(self, meta, children):
        return tuple(c for c in children if c is not None)

    def keyword_argument(self, meta, children):
        name, value = children
        return ast.Argument(self._name(name), value, self._loc(meta))

    def positional_argument(self, meta, children):
        return ast.Argument(None, children[0], self._loc(meta))

    # values
    def string(self, meta, children):
        return ast.String(_decode_string(children[0]), self._loc(meta))

    def number(self, meta, children):
        return ast.Number(_number(children[0]), self._loc(meta))

    def range(self, meta, children):
        start, end = (ast.Number(_number(t), _token_location(self.filename, t)) for t in children)
        return ast.Range(start, end, self._loc(meta))

    def variable(self, meta, children):
        return ast.Variable(str(children[0])[1:], self._loc(meta))

    def true(self, meta, children):
        return ast.Boolean(True, self._loc(meta))

    def false(self, meta, children):
        return ast.Boolean(False, self._loc(meta))

    def reference(self, meta, children):
        return ast.Reference(tuple(self._name(t) for t in children), self._loc(meta))

    def list(self, meta, children):
        return ast.ListValue(tuple(c for c in children if c is not None), self._loc(meta))


# --- Lark exceptions -> ProgramError --------------------------------------------------------

# what a terminal is called in a message, for those whose text is not what the user types
_TERMINAL_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": 'a string in double quotes ("...")',
    "VARIABLE": "a $name",
    "SETOP": "'|', '+' or '-'",
    "$END": "the end of the file",
}
_VALUE_START = {"NUMBER", "STRING", "LSQB"}
_VALUE_HINT = (
    "a value is a number (3, 5e-4), a string in double quotes, true or false, a name, "
    "a list like [a, b], a range like 1..3, or a $name defined by let"
)


def _syntax_error(exc: UnexpectedInput, text: str, filename: str) -> ProgramError:
    if isinstance(exc, UnexpectedCharacters):
        return _unexpected_character(exc, text, filename)
    if isinstance(exc, UnexpectedToken):
        return _unexpected_token(exc, text, filename)
    if isinstance(exc, UnexpectedEOF):
        return _unexpected_end(set(exc.expected or ()), text, filename)
    return ProgramError("this line cannot be parsed", location=Location(filename, exc.line or 1, exc.column or 1))


def _unexpected_character(exc: UnexpectedCharacters, text: str, filename: str) -> ProgramError:
    char = text[exc.pos_in_stream]
    line_end = text.find("\n", exc.pos_in_stream)
    line_end = len(text) if line_end < 0 else line_end
    if char == '"':
        width = len(text[exc.pos_in_stream:line_end].rstrip("\r"))
        return ProgramError(
            "this string is not closed",
            hint='end it with " on the same line; a string cannot span lines',
            location=Location(filename, exc.line, exc.column, exc.column + max(width, 1)),
        )
    return _stray(char, Location(filename, exc.line, exc.column, exc.column + 1), exc.allowed or set())


def _stray(char: str, where: Location, allowed: set[str]) -> ProgramError:
    """A character that cannot start any token here, worded for what people usually meant."""
    if char in "-/":
        hint = 'a name with "-" or "/" in it, like a hub id, is written as a string: hf("xlm-roberta-large")'
    elif char in "'`":
        hint = 'strings are written in double quotes: "..."'
    else:
        hint = f"expected {_describe(allowed)} here" if allowed else "names are letters, digits and '_'; text goes in double quotes"
    shown = repr(char) if char.isprintable() and char != " " else f"U+{ord(char):04X}"
    return ProgramError(f"unexpected character {shown}", hint=hint, location=where)


def _unexpected_token(exc: UnexpectedToken, text: str, filename: str) -> ProgramError:
    token = exc.token
    expected = _exact_expected(exc)
    if token.type == "$END":
        return _unexpected_end(expected, text, filename)
    previous = _previous_token(text, token.start_pos)
    if token.type == "SETOP" and "SETOP" not in expected:  # `hf(xlm-roberta)`: not set algebra
        return _stray(str(token), _token_location(filename, token), expected)
    if _keyword_terminals() <= expected and token.type == "NAME":
        return _not_a_statement(token, previous, filename)
    wanted = "a value" if _VALUE_START <= expected else _describe(expected)
    if previous is not None and _first_on_line(text, token) and str(token) in statement_keywords():
        return _unfinished_statement(token, previous, wanted, filename)
    if previous is not None and previous.type == "TRAIN" and _first_on_line(text, previous) and token.type != "AT":
        before = _previous_token(text, previous.start_pos)
        if before is not None:
            return _task_set_without_languages(previous, before, filename)
    where = _token_location(filename, token)
    if previous is None:
        return ProgramError(f"unexpected {_show(token)}", hint=f"expected {wanted} here", location=where)
    if _VALUE_START <= expected:
        return ProgramError(f"expected a value after '{previous}'", hint=_VALUE_HINT, location=where)
    return ProgramError(f"unexpected {_show(token)}", hint=f"expected {wanted} after '{previous}'", location=where)


def _not_a_statement(token: Token, previous: Token | None, filename: str) -> ProgramError:
    """Something other than a keyword where a statement starts: often a misspelt keyword."""
    keywords = statement_keywords()
    close = did_you_mean(str(token), keywords)
    hint = f"did you mean '{close}'?" if close else f"a statement starts with one of: {', '.join(keywords)}"
    if previous is not None and previous.line == token.line:
        hint += f"; the statement before ends at '{previous}'"
    return ProgramError(
        f"unexpected {_show(token)}: a statement must start with a keyword",
        hint=hint,
        location=_token_location(filename, token),
    )


def _unfinished_statement(token: Token, previous: Token, wanted: str, filename: str) -> ProgramError:
    """``world toy(languages: 4`` and then a new statement: point at where the line ends."""
    return ProgramError(
        f"expected {wanted} after '{previous}'",
        hint=f"the statement is not finished when line {token.line} starts a new one with '{token}'",
        location=_after(filename, previous),
    )


def _task_set_without_languages(train: Token, before: Token, filename: str) -> ProgramError:
    """``tasks a = toy.{nli}`` with no ``@``, then ``train intermediate(...)``: the set
    swallowed the next line's ``train`` as the start of ``train @ .. eval @ ..``."""
    return ProgramError(
        f"expected '@' and languages after '{before}'",
        hint=f"write `@ en` for intermediate tasks or `train @ en eval @ *` for target tasks; "
        f"line {train.line} is read as the rest of this task set",
        location=_after(filename, before),
    )


def _after(filename: str, token: Token) -> Location:
    """The column just after ``token``: where something is missing."""
    return Location(filename, token.end_line, token.end_column, token.end_column + 1)


def _unexpected_end(expected: set[str], text: str, filename: str) -> ProgramError:
    last = _previous_token(text, len(text))
    if last is None:
        return ProgramError("the file ends unexpectedly", location=Location(filename, 1, 1))
    wanted = "a value" if _VALUE_START <= expected else _describe(expected)
    return ProgramError(
        f"the file ends in the middle of a statement: expected {wanted} after '{last}'",
        hint=_VALUE_HINT if _VALUE_START <= expected else "finish the statement, or remove it",
        location=_after(filename, last),
    )


def _exact_expected(exc: UnexpectedToken) -> set[str]:
    """What would really be accepted here. Lark's ``expected`` is a merged LALR lookahead
    set and may list tokens that are wrong at this point (``]`` after a keyword value)."""
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except LarkError:
            pass
    return set(exc.expected or ())


@lru_cache(maxsize=1)
def _keyword_terminals() -> frozenset[str]:
    """Lark's names for the statement keywords (``WORLD``, ``MODEL``, ...)."""
    keywords = statement_keywords()
    return frozenset(t.name for t in _lark().terminals if t.pattern.type == "str" and t.pattern.value in keywords)


def _previous_token(text: str, position: int) -> Token | None:
    """The last token that ends before ``position``: what the user wrote just before."""
    last = None
    try:
        for token in _lark().lex(text[:position]):
            last = token
    except LarkError:
        pass
    return last


def _first_on_line(text: str, token: Token) -> bool:
    line_start = text.rfind("\n", 0, token.start_pos) + 1
    return text[line_start:token.start_pos].strip() == ""


def _show(token: Token) -> str:
    if token.type == "STRING":
        return f"string {token}"
    if token.type == "NUMBER":
        return f"number {token}"
    if token.type == "NAME":
        return f"name '{token}'"
    return f"'{token}'"


def _describe(terminals: set[str]) -> str:
    """``{'COMMA', 'RPAR'}`` -> ``"',' or ')'"``: terminal names in the user's terms."""
    lark = _lark()
    keywords = _keyword_terminals()
    words: list[str] = []
    if keywords and keywords <= terminals:
        terminals = terminals - keywords
        words.append("a new statement")
    for name in sorted(terminals):
        if name in _TERMINAL_WORDS:
            words.append(_TERMINAL_WORDS[name])
            continue
        try:
            pattern = lark.get_terminal(name).pattern
        except KeyError:
            continue
        words.append(f"'{pattern.value}'" if pattern.type == "str" else f"'{name.lower()}'")
    words.sort(key=lambda w: (not w.startswith("'"), w))
    return join_choices(words, "or") if words else "something else"
