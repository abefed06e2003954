"""Imports and ``let`` definitions: many files -> one module with every ``$name`` replaced.

Scoping, in one rule: a ``let`` is visible from its line to the end of its file, and in
every file that imports that file (directly or through other imports), after the import.
A name is defined once in a whole program. Imports stay inside the experiment's directory
tree (the folder of the file given to xitt), so a program can read no other file; a file
imported twice along different paths is included once, and a cycle is an error.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from xitt.errors import Location, ProgramError, ProgramErrors
from xitt.lang import ast
from xitt.lang.diagnostics import unknown_hint
from xitt.lang.parser import parse
from xitt.lang.source import decode


@dataclass
class _Loaded:
    """One file, read once: what it defines for the files that import it."""

    exports: dict[str, ast.Let] = field(default_factory=dict)


class Expander:
    """Walks a file and its imports depth first, collecting errors instead of raising."""

    def __init__(self, root: Path | None):
        self.root = root  # None: the main text is not on disk, so it can import nothing
        self.errors: list[ProgramError] = []
        self.statements: list[ast.Statement] = []
        self.sources: dict[str, str] = {}
        self.loaded: dict[Path, _Loaded] = {}

    def error(self, message: str, location: Location, hint: str | None = None) -> None:
        self.errors.append(ProgramError(message, hint=hint, location=location))

    def module(self, module: ast.Module, path: Path | None, stack: tuple[Path, ...]) -> _Loaded:
        """Add ``module``'s statements (imports inlined where written) with lets replaced."""
        self.sources[module.filename] = module.text
        loaded = _Loaded()
        if path is not None:
            self.loaded[path] = loaded
        scope: dict[str, ast.Let] = {}
        later = {s.name.text: s for s in module.statements if isinstance(s, ast.Let)}
        for statement in module.statements:
            if isinstance(statement, ast.Import):
                child = self.import_(statement, path, stack)
                for name, let in (child.exports if child else {}).items():
                    self.define(scope, name, let, statement.location)
            elif isinstance(statement, ast.Let):
                value = self.replace(statement.value, scope, later)
                let = dataclasses.replace(statement, value=value)
                self.define(scope, statement.name.text, let, statement.name.location)
            else:
                self.statements.append(self.replace(statement, scope, later))
        loaded.exports.update(scope)
        return loaded

    def define(self, scope: dict[str, ast.Let], name: str, let: ast.Let, location: Location) -> None:
        first = scope.get(name)
        if first is None or first is let:
            scope[name] = let
            return
        where = f"{first.location.file}:{first.location.line}"
        self.error(f"'{name}' is already defined at {where}", location, "a name is defined once in a program; rename one of them")

    def import_(self, statement: ast.Import, importer: Path | None, stack: tuple[Path, ...]) -> _Loaded | None:
        text = statement.path.value
        where = statement.path.location
        hint = 'import a .xitt file by its path relative to this file, inside the experiment\'s folder: import "common.xitt"'
        if importer is None or self.root is None:
            self.error("this text is not a file on disk, so it cannot import", where, "save it as a .xitt file first")
            return None
        if PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or PureWindowsPath(text).drive:
            self.error(f"the import path '{text}' is absolute", where, hint)
            return None
        if not text.endswith(".xitt"):
            self.error(f"'{text}' is not a .xitt file", where, hint)
            return None
        target = (importer.parent / text).resolve()
        if not target.is_relative_to(self.root):
            self.error(f"the import '{text}' leaves the experiment's folder {self.root}", where, hint)
            return None
        if target in stack:
            cycle = " -> ".join(p.name for p in (*stack[stack.index(target):], target))
            self.error(f"import cycle: {cycle}", where, "move what both files need into a third file that both import")
            return None
        if target in self.loaded:
            return self.loaded[target]  # imported before along another path: included once
        try:
            source = decode(target)
        except FileNotFoundError:
            self.error(f"no such file: {text}", where, hint)
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.error(f"cannot read {text}: {exc}", where, "an imported file must be UTF-8 text")
            return None
        filename = str(Path(statement.location.file).parent / text) if not Path(statement.location.file).is_absolute() else str(target)
        try:
            module = parse(source, filename)
        except ProgramError as error:
            self.sources[filename] = source
            self.errors.extend(error.errors if isinstance(error, ProgramErrors) else [error])
            return None
        return self.module(module, target, (*stack, target))

    def replace(self, node: Any, scope: dict[str, ast.Let], later: dict[str, ast.Let]) -> Any:
        """``node`` with every ``$name`` replaced by its value, located at the use."""
        if isinstance(node, ast.Variable):
            let = scope.get(node.name)
            if let is not None:
                return _relocate(let.value, node.location)
            if node.name in later:
                self.error(f"${node.name} is used before its definition on line {later[node.name].location.line}", node.location, "move the let above its first use")
            else:
                self.error(f"unknown name ${node.name}", node.location, unknown_hint(node.name, scope, "let definition"))
            return node  # left in place: the checker skips it, its error is already reported
        if isinstance(node, tuple):
            items = tuple(self.replace(item, scope, later) for item in node)
            return node if all(a is b for a, b in zip(items, node)) else items
        if dataclasses.is_dataclass(node) and not isinstance(node, _LEAVES):
            changes = {}
            for f in dataclasses.fields(node):
                old = getattr(node, f.name)
                new = self.replace(old, scope, later)
                if new is not old:
                    changes[f.name] = new
            return dataclasses.replace(node, **changes) if changes else node  # unchanged nodes are kept, not copied
        return node


_LEAVES = (Location, ast.Name, ast.String, ast.Number, ast.Boolean)


def _relocate(node: Any, location: Location) -> Any:
    """A definition's value placed at its use, so errors about it point where it is used."""
    if isinstance(node, Location):
        return location
    if isinstance(node, tuple):
        return tuple(_relocate(item, location) for item in node)
    if dataclasses.is_dataclass(node):
        return dataclasses.replace(node, **{f.name: _relocate(getattr(node, f.name), location) for f in dataclasses.fields(node)})
    return node


def expand(module: ast.Module) -> tuple[ast.Module, list[ProgramError]]:
    """One module holding the statements of ``module`` and its imports, and the errors met."""
    path = Path(module.filename)
    on_disk = path.is_file()
    resolved = path.resolve() if on_disk else None
    expander = Expander(resolved.parent if resolved is not None else None)
    expander.module(module, resolved, (resolved,) if resolved is not None else ())
    sources = tuple((name, text) for name, text in expander.sources.items() if name != module.filename)
    merged = ast.Module(module.filename, module.text, tuple(expander.statements), sources)
    return merged, expander.errors
