"""What an op's version covers: the normalised source of its module and of every module of its
package (and of ``xitt``) that it imports, transitively, found from the import statements.

Normalised means parsed: ``ast.dump`` of the module with its docstrings removed, so that
comments, docstrings, blank lines and layout change nothing, and any change of what the
code does changes the hash. Imports are read wherever they are written (ops import heavy
modules inside their functions). Only what a module names is followed: ``from a.b import c``
follows ``a.b`` (and ``a.b.c`` when it is a module), not the package ``a`` that Python also
runs on the way, whose ``__init__`` is registration glue (``xitt/ops/__init__.py`` imports
every op module; following it would tie every op to every other). The engine's own modules
(``xitt/engine/``: keys, store, scheduler) are not followed: they compute no result. Nothing
is imported to find out.

Parsing the whole package takes about half a second, so each file's hash and imports are
remembered in a small JSON file under the user's cache directory, by path, size and mtime.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from xitt.engine.keys import hash_bytes, hash_struct

FOLLOWED = ("xitt",)  # top-level packages whose modules an op's version follows (besides the op's own)
# Not followed: the engine itself, which keys, stores and schedules steps but computes no
# result; following it would re-run every study after any change of the cache machinery.
UNFOLLOWED = ("xitt.engine",)
CACHE_ENV = "XITT_CACHE_DIR"
FORMAT = 3  # bump when normalised() or imported_names() change: cached entries of other formats are redone


@dataclass(frozen=True)
class CodeVersion:
    """An op's version: a short hash over ``files``, each a module's path (``xitt/models/loop.py``)
    and the hash of its normalised source."""

    version: str
    files: Mapping[str, str]


def normalised(source: str) -> str:
    """``ast.dump`` of ``source`` without docstrings (no line numbers, no comments, no layout)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or ([] if isinstance(node, ast.Module) else [ast.Pass()])
    return ast.dump(tree)


def imported_names(source: str, module: str, is_package: bool) -> set[str]:
    """Every module name the source imports (absolute, relative resolved), and ``pkg.name``
    for ``from pkg import name`` (kept by the caller only if such a module exists)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names if alias.name != "*")
    return {n for n in names if n}


def module_file(name: str, roots: Iterable[Path]) -> Path | None:
    """The file of module ``name`` under one of ``roots`` (``a/b.py`` or ``a/b/__init__.py``)."""
    relative = Path(*name.split("."))
    for root in roots:
        for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


class _FileCache:
    """Each file's normalised hash and imported names, by path, size and mtime; kept on disk."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list] = {}
        self.dirty = False
        if path is not None:
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}

    def get(self, file: Path, module: str) -> tuple[str, list[str]]:
        stat = file.stat()
        stamp = [stat.st_size, stat.st_mtime_ns, module, FORMAT]
        found = self.entries.get(str(file))
        if found and found[:4] == stamp:
            return found[4], found[5]
        source = file.read_text(encoding="utf-8")
        digest = hash_bytes(normalised(source).encode("utf-8"))
        names = sorted(imported_names(source, module, file.name == "__init__.py"))
        self.entries[str(file)] = [*stamp, digest, names]
        self.dirty = True
        return digest, names

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".code-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.entries, out)
            os.replace(temp, self.path)
            self.dirty = False
        except OSError:
            pass  # a read-only home: the hashes are recomputed next time, nothing is lost


def _cache_file() -> Path | None:
    base = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xitt" / "code-hashes.json" if base else None


_CACHE: _FileCache | None = None


def _cache() -> _FileCache:
    global _CACHE
    if _CACHE is None:
        _CACHE = _FileCache(_cache_file())
    return _CACHE


def _roots() -> tuple[Path, ...]:
    """Where modules are looked for: first the folder the running ``xitt`` package was
    imported from (an editable install is found through an import hook, not through
    ``sys.path``, and the current directory must not decide what is hashed), then sys.path
    entries (a copy of the package on PYTHONPATH is what is hashed, as it is what runs)."""
    package = Path(sys.modules[__name__.split(".")[0]].__file__).resolve().parent.parent
    return (package, *(Path(p or ".").resolve() for p in sys.path if not p.endswith(".zip")))


@lru_cache(maxsize=None)
def code_version(seeds: tuple[tuple[str, str], ...]) -> CodeVersion:
    """The version of an op defined in ``seeds`` (module name and file: the op's own module
    first, then any helper's): a hash over every module they import transitively within
    ``xitt`` and their own top-level packages."""
    roots = _roots()
    followed = set(FOLLOWED) | {name.split(".")[0] for name, _ in seeds}
    files: dict[str, str] = {}
    seen: set[str] = set()
    todo: list[str] = []
    for name, file in seeds:
        seen.add(name)
        if not file or not Path(file).is_file():  # defined where no source is kept (an interactive session)
            files[name] = "no source"
            continue
        digest, names = _cache().get(Path(file), name)
        files[_display(name, Path(file))] = digest
        todo.extend(names)
    while todo:
        name = todo.pop()
        if name in seen or name.split(".")[0] not in followed or _unfollowed(name):
            continue
        seen.add(name)
        file = module_file(name, roots)
        if file is None:
            continue  # "from pkg import function": not a module
        digest, names = _cache().get(file, name)
        files[_display(name, file)] = digest
        todo.extend(n for n in names if n not in seen)
    _cache().save()
    return CodeVersion(hash_struct(sorted(files.items()))[:16], dict(sorted(files.items())))


def _unfollowed(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in UNFOLLOWED)


def _display(name: str, file: Path) -> str:
    """``xitt/models/loop.py``: the module's path from its top-level package (a script's file name)."""
    if name == "__main__":
        return file.name
    parts = name.split(".")
    return "/".join(parts) + ("/__init__.py" if file.name == "__init__.py" else ".py")


def forget() -> None:
    """Drop the versions computed in this process (the files' hashes stay cached by mtime)."""
    code_version.cache_clear()


def changed_files(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The files whose hash differs, or that one side lacks, in path order."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
