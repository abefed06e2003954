"""Task set expressions -> resolved task sets: sources, task names, languages, set algebra, mixtures.

Kept apart from the checker because the algebra has rules of its own:

* ``a | b`` and ``a + b``: union, in written order, repeats dropped;
* ``a - b``: every task of ``b`` leaves ``a``; where both sides name languages, only those
  languages leave (``toy.nli @ * - toy.nli @ en`` is nli in every language but English);
* a trailing ``@ langs`` (or ``(expr @ langs)``) gives languages to the tasks that have none;
* ``mix(expr, sampling: ...)`` is one intermediate unit that trains on all its tasks at once;
* in a target set, ``train @ A eval @ B`` applies to every task; a task's own ``@`` narrows
  where it is evaluated;
* ``hub.{xnli, mnli}`` names registered real tasks (``xitt.tasks``); for them ``*`` means the
  task's own official languages, and a code must be one of those.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from xitt.errors import Location
from xitt.lang import ast
from xitt.lang.diagnostics import did_you_mean, join_choices, unknown_hint
from xitt.lang.program import MixRef, TaskRef, TaskSet
from xitt.models.params import Mixing
from xitt.signature import Signature
from xitt.tasks.registry import lookup as lookup_real
from xitt.tasks.registry import train_languages
from xitt.world.catalog import TASKS

REAL_SOURCE = "hub"  # the source name of the registered real tasks

MIX: Signature = Mixing.signature()


@dataclass(frozen=True)
class _Entry:
    """One task while a set is being built; ``languages`` None until a ``@`` gives them."""

    source: str
    task: str
    languages: tuple[str, ...] | None
    location: Location


@dataclass(frozen=True)
class _Mix:
    entries: tuple[_Entry, ...]
    params: dict
    location: Location


Error = Callable[[str, Location, str | None], None]
Bind = Callable[[ast.Call, Signature, str], dict[str, Any]]


class TaskSetBuilder:
    """Builds the program's task sets in order; a set may use the sets defined above it."""

    def __init__(self, error: Error, bind: Bind, world: str | None, languages: tuple[str, ...], all_sets: list[ast.Tasks]):
        self.error = error
        self.bind = bind
        self.world = world  # None when the world statement is missing or wrong: sources unchecked
        self.known = languages
        self.statements = {s.name.text: s for s in all_sets}
        self.sets: dict[str, TaskSet] = {}
        self.broken: set[str] = set()  # sets with errors: uses of them add no more errors

    def build(self, statement: ast.Tasks) -> TaskSet | None:
        role = "target" if statement.eval is not None else "intermediate"
        self.failed = False
        entries = self.expr(statement.expr, role, statement)
        if role == "target":
            refs = tuple(
                TaskRef(e.source, e.task, self.languages(statement.train, e, training=True) or (),
                        e.languages if e.languages is not None else (self.languages(statement.eval, e) or ()))
                for e in entries if isinstance(e, _Entry)
            )
        else:
            refs = tuple(self.intermediate_ref(e, statement.train) for e in entries)
        if not entries and not self.failed:
            self.error(f"task set '{statement.name.text}' is empty", statement.location, "a difference removed every task")
            self.failed = True
        if self.failed or any(r is None for r in refs):
            self.broken.add(statement.name.text)
            return None
        task_set = TaskSet(statement.name.text, role, refs, statement.location)
        self.sets[statement.name.text] = task_set
        return task_set

    def fail(self, message: str, location: Location, hint: str | None = None) -> None:
        self.failed = True
        self.error(message, location, hint)

    def intermediate_ref(self, entry, top: ast.LanguageSelection | None):
        if isinstance(entry, _Mix):
            return MixRef(tuple(TaskRef(e.source, e.task, e.languages) for e in entry.entries), Mixing.from_params(entry.params))
        languages = entry.languages if entry.languages is not None else self.languages(top, entry)
        if languages is None:
            self.fail(
                f"task '{entry.task}' has no languages",
                entry.location,
                "add `@ en` (or `@ *`, `@ {en, qaa}`) after it or at the end of the set",
            )
            return None
        return TaskRef(entry.source, entry.task, languages)

    # --- expressions ----------------------------------------------------------------------

    def expr(self, node: ast.TaskExpr, role: str, statement: ast.Tasks) -> list:
        if isinstance(node, ast.TaskGroup):
            return self.group(node)
        if isinstance(node, ast.TaskSetRef):
            return self.reference(node, role, statement)
        if isinstance(node, ast.TaskParen):
            return self.fill(self.expr(node.expr, role, statement), node.languages)
        if isinstance(node, ast.TaskMix):
            return self.mix(node, role, statement)
        left, right = self.expr(node.left, role, statement), self.expr(node.right, role, statement)
        if node.op == "-":
            return self.difference(left, right)
        return left + [e for e in right if not any(_same(e, x) for x in left)]

    def group(self, node: ast.TaskGroup) -> list:
        source = node.source
        if source.text != REAL_SOURCE and self.world is not None and source.text != self.world:
            self.fail(
                f"unknown task source '{source.text}'",
                source.location,
                unknown_hint(source.text, [self.world, REAL_SOURCE])
                + f" (the world declared as `world {self.world}(...)`, or `{REAL_SOURCE}` for registered real tasks)",
            )
            return []
        entries: list[_Entry] = []
        for item in node.items:
            name = item.name
            task = _real_name(name.text) if source.text == REAL_SOURCE else (name.text if name.text in TASKS else None)
            if task is None:
                self.fail(f"unknown task '{name.text}'", name.location, _task_hint(source.text, name.text))
            elif any(e.task == task for e in entries):
                self.fail(f"task '{name.text}' appears twice in this set", name.location, "remove one of them")
            else:
                entry = _Entry(source.text, task, None, name.location)
                entries.append(replace(entry, languages=self.languages(item.languages, entry)))
        return entries

    def reference(self, node: ast.TaskSetRef, role: str, statement: ast.Tasks) -> list:
        name = node.name.text
        if name in self.broken:
            self.failed = True
            return []
        found = self.sets.get(name)
        if found is None:
            later = self.statements.get(name)
            if name == statement.name.text:
                self.fail(f"task set '{name}' refers to itself", node.location, "a set is built from sets defined above it")
            elif later is not None:
                self.fail(f"task set '{name}' is defined later, on line {later.location.line}", node.location, "move its definition above this line")
            else:
                self.fail(f"unknown task set '{name}'", node.location, unknown_hint(name, self.sets, "task set"))
            return []
        if found.role != role:
            self.fail(
                f"'{name}' is {'a target' if found.role == 'target' else 'an intermediate'} set and cannot be part of {'a target' if role == 'target' else 'an intermediate'} set",
                node.location,
                "combine sets of the same kind",
            )
            return []
        if role == "target":
            return [_Entry(r.source, r.task, r.eval_languages, node.location) for r in found.tasks]
        return [
            _Mix(tuple(_Entry(t.source, t.task, t.train_languages, node.location) for t in r.tasks), r.mixing.to_params(), node.location)
            if isinstance(r, MixRef)
            else _Entry(r.source, r.task, r.train_languages, node.location)
            for r in found.tasks
        ]

    def mix(self, node: ast.TaskMix, role: str, statement: ast.Tasks) -> list:
        if role == "target":
            self.fail("mix(...) makes an intermediate unit; a target set cannot hold one", node.location, "train targets one at a time")
            return []
        inner = self.fill(self.expr(node.expr, role, statement), node.languages)
        if any(isinstance(e, _Mix) for e in inner):
            self.fail("a mix cannot hold another mix", node.location, "list the tasks of both in one mix(...)")
            return []
        entries = []
        for entry in inner:
            if entry.languages is None:
                self.fail(f"task '{entry.task}' in mix(...) has no languages", entry.location, "write mix(toy.{nli, qa} @ en, ...) or give each task its own @")
            else:
                entries.append(entry)
        call = ast.Call(ast.Name("mix", node.location), node.arguments, node.location)
        params = self.bind(call, MIX, "mix")
        written = {a.name.text for a in node.arguments if a.name is not None}
        if "temperature" in written and params["sampling"] != "temperature":
            self.fail("temperature applies only to `sampling: temperature`", node.location, "add `sampling: temperature` or remove the temperature")
        if len(inner) < 2 and not self.failed:
            self.fail("a mix needs at least two tasks", node.location, "a single task is trained on alone: drop the mix(...)")
        return [_Mix(tuple(entries), params, node.location)]

    def difference(self, left: list, right: list) -> list:
        result = []
        for entry in left:
            if isinstance(entry, _Mix):
                if not any(isinstance(r, _Mix) and _same(entry, r) for r in right):
                    result.append(entry)
                continue
            languages = entry.languages
            for r in right:
                if not isinstance(r, _Entry) or (r.source, r.task) != (entry.source, entry.task):
                    continue
                if r.languages is None or languages is None:
                    languages = ()
                else:
                    languages = tuple(code for code in languages if code not in r.languages)
            if languages is None or languages:
                result.append(replace(entry, languages=languages))
        return result

    def fill(self, entries: list, selection: ast.LanguageSelection | None) -> list:
        if selection is None:
            return entries
        return [replace(e, languages=self.languages(selection, e)) if isinstance(e, _Entry) and e.languages is None else e
                for e in entries]

    def languages(self, selection: ast.LanguageSelection | None, entry: _Entry | None = None,
                  training: bool = False) -> tuple[str, ...] | None:
        """The codes of a selection for one task: ``*`` is the world's languages, or a real
        task's own (a real target's training languages are those of the data its benchmark
        trains it on: XCOPA trains on English SIQA and COPA); a written code must be one of them."""
        if selection is None:
            return None
        real = entry is not None and entry.source == REAL_SOURCE
        known = _real_languages(entry.task, training) if real else self.known
        if selection.every:
            return known
        codes: list[str] = []
        for code in selection.codes:
            if code.text not in known and real and training and code.text in _real_languages(entry.task):
                self.fail(_trains_on(entry.task, code.text), code.location,
                          f"write `train @ {join_choices(known, 'or')}`; every language of the task is still "
                          "evaluated with `eval @ *`")
            elif code.text not in known:
                hint = (f"task '{entry.task}' has the languages {join_choices(known)}; '*' selects them all" if real
                        else _language_hint(code.text, known))
                self.fail(f"unknown language code '{code.text}'" + (f" for task '{entry.task}'" if real else ""),
                          code.location, hint)
            elif code.text in codes:
                self.fail(f"language '{code.text}' appears twice", code.location, "remove one of them")
            else:
                codes.append(code.text)
        return tuple(codes)


def _same(a, b) -> bool:
    if isinstance(a, _Entry) and isinstance(b, _Entry):
        return (a.source, a.task, a.languages) == (b.source, b.task, b.languages)
    if isinstance(a, _Mix) and isinstance(b, _Mix):
        return [(e.task, e.languages) for e in a.entries] == [(e.task, e.languages) for e in b.entries] and a.params == b.params
    return False


def _real_name(name: str) -> str | None:
    task = lookup_real(name)
    return task.name if task is not None else None


def _real_languages(name: str, training: bool = False) -> tuple[str, ...]:
    task = lookup_real(name)
    if task is None:
        return ()
    if training and task.protocol is not None:
        return train_languages(task)
    return task.languages


def _trains_on(name: str, code: str) -> str:
    """Why a real target cannot train in a language it has: its benchmark trains it on
    other tasks' data, which that language lacks ("XNLI trains on English MNLI")."""
    from xitt.tasks.registry import stages

    task = lookup_real(name)
    languages = train_languages(task)
    where = "English" if languages == ("en",) else f"its languages {join_choices(languages)} of"
    data = ", then ".join(n.upper() for n in stages(task))
    return f"{task.name.upper()} trains on {where} {data} (its benchmark's protocol), which has no '{code}' data"


def _task_hint(source: str, name: str) -> str:
    if source != REAL_SOURCE:
        return unknown_hint(name, TASKS)
    from xitt.tasks.registry import names

    return unknown_hint(name, names()) + " (docs/tasks.md lists every registered task)"


def _language_hint(code: str, known: tuple[str, ...]) -> str:
    listed = join_choices(known)
    close = did_you_mean(code, known)
    if close is not None:
        return f"did you mean '{close}'? this world's languages are {listed}"
    return f"this world's languages are {listed}; '*' selects them all"
