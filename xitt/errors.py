"""Errors a user can cause. Every layer raises these; only the CLI renders them.

Kept free of imports so that any layer, the engine included, may use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in a source file something is: 1-based line and column."""

    file: str
    line: int
    column: int
    end_column: int | None = None


class UserError(Exception):
    """A mistake the user can fix: printed as one paragraph, never as a traceback.

    `location`, when given, lets the CLI show the source line with a caret.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location


class ProgramError(UserError):
    """The .xitt file is wrong (syntax, unknown name, bad parameter): exit code 2."""

    exit_code = 2


class ProgramErrors(ProgramError):
    """Several program errors found in one pass, reported together."""

    def __init__(self, errors: list[ProgramError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
