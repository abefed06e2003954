"""Which data of a real study is there before anything runs, and the study that runs on it.

``plan`` lists every (task, language, split) whose data is known to be missing: a local
file that is not there, or a task with no hub copy and no ``data`` statement (whether a hub
dataset can be reached is only known when its step runs). ``run`` then trains and scores
what the rest allows, and the report says what was left out:

- a target language whose evaluation data is missing leaves the target's languages (its
  score averages the languages that loaded);
- a target whose training data is missing does not run;
- an intermediate unit loses the languages it has no training data in (a mixture, the
  tasks left with none), and does not run when nothing is left;
- a missing dev set means the last weights are kept.

``run --all-or-nothing`` makes any missing data an error before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from xitt.compile.compiler import evaluation_keys, local_files, selection_keys, training_keys
from xitt.compile.compiler import unit_of
from xitt.errors import UserError
from xitt.lang.program import MixRef, Program, TaskRef

Key = tuple[str, str, str]  # task, language, split
Probe = Callable[[str, str, str], "str | None"]  # why (task, language, split) cannot load, None when it may
REAL_SOURCE = "hub"


@dataclass(frozen=True)
class Missing:
    """One (task, language, split) that cannot load, and why."""

    task: str
    language: str
    split: str
    reason: str

    @property
    def key(self) -> Key:
        return (self.task, self.language, self.split)

    def to_json(self) -> dict:
        return {"task": self.task, "language": self.language, "split": self.split, "reason": self.reason}


@dataclass(frozen=True)
class Coverage:
    """What is missing, and what the study leaves out because of it (JSON-able notes)."""

    missing: tuple[Missing, ...] = ()
    targets: dict = field(default_factory=dict)  # target -> {"status", "languages", "missing", "why"}
    units: dict = field(default_factory=dict)  # unit label -> {"status", "missing", "why"}
    selection: dict = field(default_factory=dict)  # "target xnli" / "unit mnli@en" -> missing dev keys

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset(m.key for m in self.missing)

    def __bool__(self) -> bool:
        return bool(self.missing)

    @property
    def count(self) -> str:
        """``1 piece of data``, ``7 pieces of data``."""
        return f"{len(self.missing)} piece{'s' if len(self.missing) != 1 else ''} of data"

    def to_json(self) -> dict:
        return {"missing": [m.to_json() for m in self.missing], "targets": self.targets, "units": self.units,
                "selection": self.selection}

    def error(self, experiment: str) -> UserError:
        """``--all-or-nothing``: every missing piece in one paragraph."""
        listed = "; ".join(f"{m.task} {m.language} {m.split} ({m.reason})" for m in self.missing)
        return UserError(f"study {experiment} is missing {self.count}: {listed}",
                         hint="point the data statements at the files, or run without --all-or-nothing to run "
                              "on what is there (`xitt plan` lists what each missing piece leaves out)")


def data_probe(program: Program) -> Probe:
    """The probe of a program's real tasks: each task's ``data`` statement, else the hub."""
    from xitt.tasks.load import local, unavailable

    def probe(task: str, language: str, split: str) -> str | None:
        given = local_files(program, task)
        return unavailable(task, language, split, local(given.path, splits=dict(given.splits)) if given else None)

    return probe


def restrict(program: Program, probe: Probe) -> tuple[Program, Coverage]:
    """The program narrowed to the data that is there, and what was left out."""
    found: dict[Key, Missing | None] = {}

    def absent(keys) -> list[Key]:
        for key in keys:
            if key not in found:
                reason = probe(*key)
                found[key] = Missing(*key, reason) if reason is not None else None
        return [key for key in keys if found[key] is not None]

    notes: dict[str, dict] = {"target": {}, "intermediate": {}}
    selection: dict = {}
    sets = []
    for task_set in program.task_sets:
        narrow = _narrow_target if task_set.role == "target" else _narrow_unit
        kept = []
        for ref in task_set.tasks:
            narrowed, note = narrow(ref, absent, selection, program)
            if note:
                notes[task_set.role][ref.task if task_set.role == "target" else _label(ref)] = note
            if narrowed is not None:
                kept.append(narrowed)
        sets.append(replace(task_set, tasks=tuple(kept)))
    _one_file_for_several_languages(program, found)
    coverage = Coverage(tuple(m for m in found.values() if m is not None), notes["target"], notes["intermediate"], selection)
    for role, what in (("intermediate", "intermediate task"), ("target", "target")):
        if not any(s.tasks for s in sets if s.role == role):
            listed = "; ".join(f"{m.task} {m.language} {m.split}: {m.reason}" for m in coverage.missing)
            raise UserError(f"study {program.name} cannot run: no {what} has its data ({listed})",
                            hint="point the data statements at the files (docs/tasks.md, \"Local files\")")
    return replace(program, task_sets=tuple(sets)), coverage


def _one_file_for_several_languages(program: Program, requested) -> None:
    """A task whose release keeps each language in its own files (its documented path names
    `{language}` or `{code}`), pointed at by a `local(...)` path that names neither, would read
    the same file as every language's data: an error before anything runs, not English test
    data scored as Japanese."""
    from xitt.tasks.load import files_read, local
    from xitt.tasks.registry import get

    readers: dict[tuple, list[str]] = {}
    for task, language, split in requested:
        given = local_files(program, task)
        example = get(task).source.local_example
        if given is None or not ("{language}" in example or "{code}" in example):
            continue
        files = tuple(files_read(task, language, split, local(given.path, splits=dict(given.splits))))
        readers.setdefault((task, split, files), []).append(language)
    for (task, split, files), languages in readers.items():
        if len(languages) > 1 and files:
            raise UserError(
                f"data {task}: every language would read the same file ({files[0]}) for its {split} split: "
                f"{', '.join(sorted(languages))}; {task} keeps each language in its own files",
                hint=f"write {{language}} (or {{code}}) in the path where the language goes, e.g. {get(task).source.local_example}")


def _label(ref: TaskRef | MixRef) -> str:
    """The unit's label as the study names it (``mnli@en``, ``mix(...)``) before narrowing."""
    return unit_of(ref, ())[0]


def _selects(program: Program, phase: str) -> bool:
    """Whether a phase selects its weights on dev data (``select: best``), so needs it."""
    return program.train[phase].get("select") == "best"


def _describe(keys: list[Key]) -> list[str]:
    return [f"{task} {language} {split}" for task, language, split in keys]


def _narrow_unit(ref: TaskRef | MixRef, absent, selection: dict, program: Program):
    """An intermediate unit narrowed to the languages it has training data in."""
    parts = ref.tasks if isinstance(ref, MixRef) else (ref,)
    kept, lost = [], []
    for part in parts:
        if part.source != REAL_SOURCE:
            kept.append(part)
            continue
        languages = []
        for language in part.train_languages:
            gone = absent(training_keys(part.task, (language,), False))
            lost.extend(gone)
            if not gone:
                languages.append(language)
        if languages:
            kept.append(replace(part, train_languages=tuple(languages)))
            dev = absent(selection_keys(program, part.task, languages, False)) if _selects(program, "intermediate") else []
            if dev:
                selection[f"unit {_label(ref)}"] = _describe(dev)
    if not lost:
        return ref, None
    note = {"missing": _describe(lost)}
    if not kept:
        return None, {**note, "status": "not run", "why": "no training data"}
    narrowed = replace(ref, tasks=tuple(kept)) if isinstance(ref, MixRef) else kept[0]
    return narrowed, {**note, "status": "partial", "why": "trained on the languages whose data loaded"}


def _narrow_target(ref: TaskRef, absent, selection: dict, program: Program):
    """A target narrowed to the evaluation languages whose data is there; None when its
    training data or every evaluation language is missing."""
    if ref.source != REAL_SOURCE:
        return ref, None
    training = absent(training_keys(ref.task, ref.train_languages, True))
    if training:
        return None, {"status": "not run", "why": "its training data is missing", "missing": _describe(training),
                      "languages": []}
    languages, lost = [], []
    for language in ref.eval_languages:
        gone = absent(evaluation_keys(ref.task, (language,)))
        lost.extend(gone)
        if not gone:
            languages.append(language)
    dev = absent(selection_keys(program, ref.task, ref.train_languages, True)) if _selects(program, "target") else []
    if dev:
        selection[f"target {ref.task}"] = _describe(dev)
    if not lost:
        return ref, None
    note = {"missing": _describe(lost), "languages": languages}
    if not languages:
        return None, {**note, "status": "not run", "why": "no evaluation data loaded"}
    return replace(ref, eval_languages=tuple(languages)), {
        **note, "status": "partial", "why": f"scored on {len(languages)} of {len(ref.eval_languages)} languages"}


