"""How program errors are worded and shown: suggestions, choice lists, and the rendering
``path:line:col: error: cause`` + source line (coloured by the Pygments lexer) + caret + hint.

Kept apart from the parser and checker so every error of the language reads the same.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pygments.token import Token
from rich.console import Console
from rich.text import Text

from xitt.errors import Location, ProgramError, ProgramErrors
from xitt.lang.source import decode, source_lines

_SOURCE = "source"  # attribute of a ProgramError holding its file's text, for rendering


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to a misspelt ``word``, or None when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def join_choices(words: Iterable[str], conjunction: str = "and") -> str:
    """``['a', 'b', 'c']`` -> ``"a, b and c"``."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def unknown_hint(word: str, choices: Iterable[str], what: str = "") -> str:
    """"did you mean 'x'?" when one choice is close, else the list of valid choices."""
    choices = list(choices)
    close = did_you_mean(word, choices)
    if close is not None:
        return f"did you mean '{close}'?"
    if not choices:
        return f"no {what or 'choice'} is declared yet"
    listed = join_choices([f"'{c}'" for c in choices], "or")
    return f"choose {listed}" if len(choices) <= 2 else f"choose one of {listed}"


def attach_source(error: ProgramError, text: str | dict[str, str]) -> ProgramError:
    """Keep the text of each error's file on it, so it renders even when not on disk.

    ``text`` is one file's text, or file name -> text when errors span imported files.
    """
    for one in (error, *getattr(error, "errors", ())):
        if isinstance(text, str):
            setattr(one, _SOURCE, text)
        elif one.location is not None and one.location.file in text:
            setattr(one, _SOURCE, text[one.location.file])
    return error


def render_error(error: ProgramError, console: Console) -> None:
    """Print every error of ``error`` as a compiler would, then a count when there are several."""
    errors = error.errors if isinstance(error, ProgramErrors) else [error]
    for one in errors:
        _render_one(one, console)
    if len(errors) > 1:
        console.print(Text(f"{len(errors)} errors", style="bold red"))


def _render_one(error: ProgramError, console: Console) -> None:
    location = error.location
    head = Text()
    if location is not None:
        head.append(f"{location.file}:{location.line}:{location.column}: ", style="bold")
    head.append("error: ", style="bold red")
    head.append(error.message, style="bold")
    console.print(head, soft_wrap=True)
    line = _source_line(error, location) if location is not None else None
    if line is not None:
        console.print(highlight_line(line), soft_wrap=True)
        console.print(Text(_caret(line, location), style="bold green"), soft_wrap=True)
    if error.hint:
        hint = Text("hint: ", style="bold cyan")
        hint.append(error.hint)
        console.print(hint, soft_wrap=True)


_STYLES = (  # most specific first: Keyword.Constant before Keyword
    (Token.Keyword.Constant, "cyan"),
    (Token.Keyword, "bold magenta"),
    (Token.Comment, "dim"),
    (Token.String, "green"),
    (Token.Number, "cyan"),
    (Token.Name.Variable, "yellow"),
    (Token.Name.Function, "blue"),
    (Token.Operator, "bold"),
)


def highlight_line(line: str) -> Text:
    """One source line coloured by the .xitt Pygments lexer (plain where colour is off)."""
    text = Text()
    for _, kind, value in _lexer().get_tokens_unprocessed(line):
        style = next((s for parent, s in _STYLES if kind in parent), "")
        text.append(value, style=style)
    return text


@lru_cache(maxsize=1)
def _lexer():
    from xitt.lang.highlight import XittLexer

    return XittLexer(stripnl=False, ensurenl=False)


def _caret(line: str, location: Location) -> str:
    """``^~~~`` under the columns of the location; tabs kept so the caret lines up."""
    start = max(location.column - 1, 0)
    pad = "".join("\t" if c == "\t" else " " for c in line[:start]).ljust(start)
    width = 1
    if location.end_column is not None and location.end_column > location.column:
        width = min(location.end_column - location.column, max(len(line) - start, 1))
    return pad + "^" + "~" * (width - 1)


def _source_line(error: ProgramError, location: Location) -> str | None:
    text = getattr(error, _SOURCE, None)
    if text is None:
        try:
            text = decode(Path(location.file))
        except (OSError, UnicodeDecodeError):
            return None
    lines = source_lines(text)
    if not 1 <= location.line <= len(lines):
        return None
    return lines[location.line - 1]
