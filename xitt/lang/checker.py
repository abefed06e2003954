"""``ast.Module`` -> ``Program``: resolve every name, validate every value, expand ``*``.

All errors of a file are collected in one pass and raised together, sorted by position,
so a user fixes a file in one go rather than one error per run. Each error points at the
offending token and carries a hint (a close name, or the valid choices).
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Sequence

from xitt.errors import Location, ProgramError, ProgramErrors
from xitt.lang import ast
from xitt.lang.data import check_data, check_targets, used_real_tasks
from xitt.lang.diagnostics import attach_source, did_you_mean, join_choices, unknown_hint
from xitt.lang.loader import expand
from xitt.lang.overrides import apply_overrides
from xitt.lang.tasksets import REAL_SOURCE, TaskSetBuilder
from xitt.lang.program import (
    CompareSpec,
    CorrelateSpec,
    ModelSpec,
    Program,
    ReportSpec,
    SimilaritySpec,
    TaskSet,
    WorldSpec,
)
from xitt.measures import MEASURES
from xitt.models import MODELS, TRAIN
from xitt.signature import Param, Signature, with_defaults
from xitt.stats import METHODS, SETTINGS
from xitt.world.catalog import MAX_LANGUAGES, TASKS, language_codes
from xitt.world.config import WorldConfig

WORLD_KINDS = ("toy",)
PHASES = ("intermediate", "target")
PER = ("target", "language", "pooled")
OUTCOMES = ("gain",)
REPORT_ITEMS = ("table", "heatmap", "scatter")
DEFAULT_SEEDS = (1,)

# written in the hint when a required statement is missing
_EXAMPLES = {
    "experiment": "experiment quickstart",
    "world": "world toy(languages: 4, seed: 7)",
    "model": "model base = toy_mlm(layers: 2, hidden: 64)",
    "intermediate": "tasks english = toy.{nli, paraphrase} @ en",
    "target": "tasks targets = toy.{pos, ner} train @ en eval @ *",
}


def check(module: ast.Module, overrides: Sequence[str] = ()) -> Program:
    """The checked program, or every error of the file and its imports at once.

    ``overrides`` are ``--set`` assignments (``train.target.lr=2e-5``), applied before checking.
    """
    expanded, errors = expand(module)
    expanded, override_errors, sources = apply_overrides(expanded, overrides)
    checker = _Checker(expanded)
    checker.errors[:0] = errors + override_errors
    program = checker.run()
    if checker.errors:
        files = [module.filename, *(name for name, _ in expanded.sources), *sources]
        errors = sorted(checker.errors, key=lambda e: _position(e, files))
        error = errors[0] if len(errors) == 1 else ProgramErrors(errors)
        raise attach_source(error, {module.filename: module.text, **dict(expanded.sources), **sources})
    assert program is not None
    return program


def _sources(node: ast.TaskExpr) -> set[str]:
    """The task sources a task expression names (``toy``, ``hub``)."""
    if isinstance(node, ast.TaskGroup):
        return {node.source.text}
    if isinstance(node, (ast.TaskParen, ast.TaskMix)):
        return _sources(node.expr)
    if isinstance(node, ast.SetOp):
        return _sources(node.left) | _sources(node.right)
    return set()


def _position(error: ProgramError, files: list[str]) -> tuple[int, int, int]:
    loc = error.location
    if loc is None:
        return (-1, 0, 0)
    return (files.index(loc.file) if loc.file in files else len(files), loc.line, loc.column)


class _Checker:
    """One pass over a module; ``errors`` fills up instead of raising at the first one."""

    def __init__(self, module: ast.Module):
        self.module = module
        self.by_kind: dict[type, list] | None = None
        self.errors: list[ProgramError] = []
        self.seen: set[tuple[str, Location | None]] = set()
        self.world_is_wrong = False  # then every possible language code is accepted

    def error(self, message: str, location: Location | None, hint: str | None = None) -> None:
        """Record an error once: one bad code in ``toy.{nli, pos} @ xx`` is one error, not two."""
        if (message, location) in self.seen:
            return
        self.seen.add((message, location))
        self.errors.append(ProgramError(message, hint=hint, location=location))

    def of(self, kind: type) -> list:
        """The statements of one kind, in order (indexed once: large files ask often)."""
        if self.by_kind is None:
            self.by_kind = {}
            for statement in self.module.statements:
                self.by_kind.setdefault(type(statement), []).append(statement)
        return list(self.by_kind.get(kind, ()))

    def run(self) -> Program | None:
        experiment = self.single(self.of(ast.Experiment), "experiment")
        world = self.world(self.single(self.of(ast.World), "world", required=self.needs_world()))
        model = self.model(self.single(self.of(ast.Model), "model"))
        task_sets = self.task_sets(world)
        train, sweeps, written = self.train()
        seeds = self.seeds(self.single(self.of(ast.Seeds), "seeds", required=False))
        similarities = self.similarities()
        correlations = tuple(self.correlate(s, similarities) for s in self.of(ast.Correlate))
        comparisons = tuple(self.compare(s) for s in self.of(ast.Compare))
        report = self.report(self.single(self.of(ast.Report), "report", required=False), similarities)
        data = check_data(self.of(ast.Data), used_real_tasks(self.of(ast.Tasks)), self.error, self.value)
        check_targets(self.of(ast.Tasks), data, self.error)
        roles = {"target" if s.eval is not None else "intermediate" for s in self.of(ast.Tasks)}
        for role in PHASES:
            if role not in roles:
                self.missing(role, f"no {role} task set is declared: a program needs at least one")
        if self.errors or experiment is None or (world is None and self.needs_world()) or model is None:
            return None
        return Program(
            name=experiment.name.text,
            source_path=self.module.filename,
            world=world,
            model=model,
            task_sets=tuple(task_sets.values()),
            train=train,
            seeds=seeds,
            similarities=tuple(similarities.values()),
            correlations=tuple(c for c in correlations if c is not None),
            comparisons=tuple(c for c in comparisons if c is not None),
            report=report,
            sweeps=sweeps,
            data=data,
            written=written,
        )

    # --- statements that appear once ------------------------------------------------------

    def single(self, statements: list, keyword: str, required: bool = True):
        """The one statement of a kind; a second one is an error pointing at it."""
        if not statements:
            if required:
                self.missing(keyword, f"no '{keyword}' statement: a program needs one")
            return None
        first = statements[0]
        for extra in statements[1:]:
            self.error(
                f"a second '{keyword}' statement: a program has only one",
                extra.location,
                f"remove this one or the one on line {first.location.line}",
            )
        return first

    def needs_world(self) -> bool:
        """Whether anything uses the toy world: a toy model, or a task not from `hub`.
        A study of registered real tasks on a hub checkpoint needs none."""
        models = self.of(ast.Model)
        if not models or models[0].call.name.text != "hf":
            return True
        return any(_sources(s.expr) - {REAL_SOURCE} for s in self.of(ast.Tasks))

    def missing(self, what: str, message: str) -> None:
        self.error(message, Location(self.module.filename, 1, 1), f"add a line like `{_EXAMPLES[what]}`")

    def world(self, statement: ast.World | None) -> WorldSpec | None:
        if statement is None:
            return None
        call = statement.call
        if call.name.text not in WORLD_KINDS:
            self.error(
                f"unknown world '{call.name.text}'",
                call.name.location,
                unknown_hint(call.name.text, WORLD_KINDS),
            )
            return None
        errors = len(self.errors)
        params = self.bind(call, WorldConfig.signature(), f"world {call.name.text}")
        self.world_is_wrong = len(self.errors) > errors
        return WorldSpec(call.name.text, call.name.text, params, statement.location)

    def model(self, statement: ast.Model | None) -> ModelSpec | None:
        if statement is None:
            return None
        call = statement.call
        if call.name.text not in MODELS:
            self.error(f"unknown model kind '{call.name.text}'", call.name.location, unknown_hint(call.name.text, MODELS))
            return None
        params = self.bind(call, MODELS[call.name.text], call.name.text)
        if call.name.text == "hf" and not params.get("name") and not any(a.name is None for a in call.arguments):
            self.error("hf(...) needs a checkpoint", call.location, 'write a hub id or a local directory: hf("xlm-roberta-large")')
        if call.name.text == "hf" and isinstance(params.get("name"), str):
            self.checkpoint_path(params["name"], next((a.value for a in call.arguments), call).location)
        return ModelSpec(statement.name.text, call.name.text, params, statement.location)

    # --- task sets ------------------------------------------------------------------------

    def task_sets(self, world: WorldSpec | None) -> dict[str, TaskSet]:
        statements = self.of(ast.Tasks)
        builder = TaskSetBuilder(self.error, self.bind, world.name if world is not None else None, self.world_languages(world), statements)
        sets: dict[str, TaskSet] = {}
        seen: dict[str, ast.Tasks] = {}
        for statement in statements:
            name = statement.name.text
            if name in seen:
                self.error(
                    f"task set '{name}' is already defined on line {seen[name].location.line}",
                    statement.name.location,
                    "give this set another name",
                )
                continue
            seen[name] = statement
            task_set = builder.build(statement)
            if task_set is not None:
                sets[name] = task_set
        return sets

    def world_languages(self, world: WorldSpec | None) -> tuple[str, ...]:
        """The world's language codes; all possible codes when the world itself is wrong,
        so that one mistake does not cause a flood of unknown-language errors."""
        if world is None or self.world_is_wrong:
            return tuple(language_codes(MAX_LANGUAGES))
        return tuple(language_codes(world.params["languages"]))

    # --- training and seeds ---------------------------------------------------------------

    def train(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, tuple]], dict[str, frozenset[str]]]:
        """Each phase's parameters (a sweep's first value), its sweeps, and the names of the
        parameters written (in the file or by ``--set``): those win over a task's defaults."""
        given: dict[str, dict[str, Any]] = {}
        written: dict[str, frozenset[str]] = {}
        sweeps: dict[str, dict[str, tuple]] = {}
        lines: dict[str, int] = {}
        for statement in self.of(ast.Train):
            phase = statement.call.name
            if phase.text not in PHASES:
                self.error(f"unknown training phase '{phase.text}'", phase.location, unknown_hint(phase.text, PHASES))
                continue
            if phase.text in lines:
                self.error(
                    f"'train {phase.text}' is already set on line {lines[phase.text]}",
                    phase.location,
                    "merge the two into one statement",
                )
                continue
            lines[phase.text] = statement.location.line
            swept: dict[str, tuple] = {}
            given[phase.text] = self.bind(statement.call, TRAIN, f"train {phase.text}", swept)
            written[phase.text] = frozenset(a.name.text for a in statement.call.arguments if a.name is not None)
            if swept:
                sweeps[phase.text] = swept
        phases = {phase: given.get(phase) or with_defaults(TRAIN, {}) for phase in PHASES}
        return phases, sweeps, {phase: written.get(phase, frozenset()) for phase in PHASES}

    def seeds(self, statement: ast.Seeds | None) -> tuple[int, ...]:
        if statement is None:
            return DEFAULT_SEEDS
        seeds: list[int] = []
        numbers: list[ast.Number] = []
        for value in statement.values:
            if isinstance(value, ast.Range) and self.value(value) is not None:
                numbers += [ast.Number(n, value.location) for n in range(value.start.value, value.end.value + 1)]
            elif isinstance(value, ast.ListValue):
                numbers += [v for v in value.items if isinstance(v, ast.Number)]
            elif isinstance(value, ast.Number):
                numbers.append(value)
            elif not isinstance(value, (ast.Range, ast.Variable)):
                self.error("a seed is a whole number", value.location, "write seeds like `seeds 1, 2, 3` or `seeds 1..3`")
        for number in numbers:
            if not isinstance(number.value, int) or number.value < 0:
                self.error(f"a seed is a whole number of 0 or more, not {number.value}", number.location, "write seeds like `seeds 1, 2, 3`")
            elif number.value in seeds:
                self.error(f"seed {number.value} appears twice", number.location, "each seed runs every step once; remove the repeat")
            else:
                seeds.append(number.value)
        return tuple(seeds)

    # --- similarities and statistics ------------------------------------------------------

    def similarities(self) -> dict[str, SimilaritySpec]:
        specs: dict[str, SimilaritySpec] = {}
        lines: dict[str, int] = {}
        for statement in self.of(ast.Similarity):
            name, call = statement.name.text, statement.call
            if name in lines:
                self.error(
                    f"similarity '{name}' is already defined on line {lines[name]}",
                    statement.name.location,
                    "give this similarity another name",
                )
                continue
            lines[name] = statement.location.line
            if call.name.text not in MEASURES:
                self.error(f"unknown similarity measure '{call.name.text}'", call.name.location, unknown_hint(call.name.text, MEASURES))
                continue
            params = self.bind(call, MEASURES[call.name.text], call.name.text)
            specs[name] = SimilaritySpec(name, call.name.text, params, statement.location)
        return specs

    def correlate(self, statement: ast.Correlate, similarities: dict[str, SimilaritySpec]) -> CorrelateSpec | None:
        errors = len(self.errors)
        methods: list[str] = []
        for method in statement.methods:
            if method.text not in METHODS:
                self.error(f"unknown correlation method '{method.text}'", method.location, unknown_hint(method.text, METHODS))
            elif method.text in methods:
                self.error(f"method '{method.text}' appears twice", method.location, "remove one of them")
            else:
                methods.append(method.text)
        names, outcomes = self.correlate_arguments(statement, similarities)
        written = any(isinstance(a.value, ast.Reference) and a.value.parts[0].text == "similarity" for a in statement.arguments)
        if not written:
            self.error(
                "correlate needs at least one similarity",
                statement.location,
                "name them in the parentheses: correlate spearman(similarity.*, gain)",
            )
        per = statement.per.text if statement.per is not None else "target"
        if statement.per is not None and per not in PER:
            self.error(f"unknown grouping 'per {per}'", statement.per.location, unknown_hint(per, PER))
        settings = self.settings(statement.settings)
        if len(self.errors) > errors:
            return None
        return CorrelateSpec(tuple(methods), tuple(names), outcomes[0] if outcomes else "gain", per, settings, statement.location)

    def correlate_arguments(self, statement: ast.Correlate, similarities: dict[str, SimilaritySpec]) -> tuple[list[str], list[str]]:
        names: list[str] = []
        outcomes: list[str] = []
        for argument in statement.arguments:
            if argument.name is not None or not isinstance(argument.value, ast.Reference):
                self.error(
                    "correlate takes similarities and an outcome, not a parameter",
                    argument.location,
                    "write correlate spearman(similarity.*, gain) and put settings after `with`",
                )
                continue
            reference = argument.value
            if reference.parts[0].text == "similarity":
                for name in self.similarity_names(reference, similarities):
                    if name not in names:
                        names.append(name)
            elif len(reference.parts) == 1 and reference.text in OUTCOMES:
                if outcomes:
                    self.error("correlate takes one outcome", reference.location, f"keep one of {join_choices(OUTCOMES, 'or')}")
                outcomes.append(reference.text)
            else:
                self.error(f"unknown name '{reference.text}' in correlate", reference.location, self.reference_hint(reference, similarities))
        return names, outcomes

    def similarity_names(self, reference: ast.Reference, similarities: dict[str, SimilaritySpec]) -> list[str]:
        """``similarity.*`` -> every similarity in declaration order; ``similarity.x`` -> [x]."""
        if len(reference.parts) != 2:
            self.error(
                f"'{reference.text}' is not a similarity",
                reference.location,
                "refer to one similarity as similarity.NAME, or to all as similarity.*",
            )
            return []
        declared = [s.name.text for s in self.of(ast.Similarity)]  # some may have errors of their own
        part = reference.parts[1]
        if part.text == "*":
            if not declared:
                self.error("similarity.* matches nothing: no similarity is declared", reference.location, "add a line like `similarity text = text_embedding()`")
            return list(similarities)
        if part.text not in declared:
            self.error(f"unknown similarity '{part.text}'", part.location, unknown_hint(part.text, declared, "similarity"))
        return [part.text] if part.text in similarities else []

    def reference_hint(self, reference: ast.Reference, similarities: dict[str, SimilaritySpec]) -> str:
        word = reference.parts[0].text
        choices = ["similarity", *OUTCOMES, *similarities]
        close = did_you_mean(word, choices)
        if close in similarities:
            return f"did you mean 'similarity.{close}'?"
        if close is not None:
            return f"did you mean '{close}'?"
        return "write similarities as similarity.NAME or similarity.*, and the outcome as 'gain'"

    def settings(self, calls: tuple[ast.Call, ...]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        for call in calls:
            name = call.name.text
            if name not in SETTINGS:
                self.error(f"unknown setting '{name}'", call.name.location, unknown_hint(name, SETTINGS))
                continue
            if name in settings:
                self.error(f"setting '{name}' is given twice", call.name.location, "keep one of them")
                continue
            params = self.bind(call, SETTINGS[name], name)
            settings[name] = next(iter(params.values())) if len(params) == 1 else params
        return settings

    def compare(self, statement: ast.Compare) -> CompareSpec | None:
        declared = {s.name.text for s in self.of(ast.Tasks)}
        intermediate = [s.name.text for s in self.of(ast.Tasks) if s.eval is None]
        ok = True
        for side in (statement.left, statement.right):
            if side.text not in declared:
                self.error(f"unknown task set '{side.text}'", side.location, unknown_hint(side.text, intermediate, "intermediate task set"))
                ok = False
            elif side.text not in intermediate:
                self.error(
                    f"'{side.text}' is a target set; compare takes two intermediate task sets",
                    side.location,
                    f"the intermediate sets are {join_choices([repr(n) for n in intermediate]) or 'not declared yet'}",
                )
                ok = False
        if ok and statement.left.text == statement.right.text:
            self.error(f"'{statement.left.text}' is compared with itself", statement.right.location, "compare two different intermediate task sets")
            ok = False
        return CompareSpec(statement.left.text, statement.right.text, statement.location) if ok else None

    # --- report ---------------------------------------------------------------------------

    def report(self, statement: ast.Report | None, similarities: dict[str, SimilaritySpec]) -> ReportSpec | None:
        if statement is None:
            return None
        errors = len(self.errors)
        items: list[tuple[str, dict[str, Any]]] = []
        for call in statement.items:
            if call.name.text not in REPORT_ITEMS:
                self.error(f"unknown report item '{call.name.text}'", call.name.location, unknown_hint(call.name.text, REPORT_ITEMS))
                continue
            args: list[str] = []
            for argument in call.arguments:
                value = argument.value
                if argument.name is not None or not isinstance(value, ast.Reference):
                    self.error(
                        f"{call.name.text}(...) takes what to show, like gain or similarity.*",
                        argument.location,
                        f"write {call.name.text}(gain) or {call.name.text}(similarity.*, gain)",
                    )
                elif value.parts[0].text == "similarity":
                    args += [f"similarity.{n}" for n in self.similarity_names(value, similarities)]
                elif value.text in OUTCOMES:
                    args.append(value.text)
                else:
                    self.error(f"unknown name '{value.text}' in report", value.location, self.reference_hint(value, similarities))
            items.append((call.name.text, {"args": args} if args else {}))
        self.report_path(statement.path)
        if len(self.errors) > errors:
            return None
        return ReportSpec(tuple(items), statement.path.value, statement.location)

    def checkpoint_path(self, name: str, location: Location) -> None:
        """A local checkpoint stays inside the experiment's directory, like every file a
        program reads other than declared ``data``; a hub id (``org/name``) is not a path."""
        hint = "give a hub id, or put the checkpoint (or a link to it) inside the experiment's folder"
        if name.startswith("~") or PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
            self.error(f"the checkpoint path '{name}' is outside the experiment's folder", location, hint)
        elif ".." in PurePosixPath(name.replace("\\", "/")).parts:
            self.error(f"the checkpoint path '{name}' leaves the experiment's folder", location, hint)

    def report_path(self, path: ast.String) -> None:
        """A report stays inside the experiment's directory: relative, no ``..``."""
        text = path.value
        hint = 'use a relative path inside the experiment\'s directory, like "reports/quickstart"'
        if not text.strip():
            self.error("the report path is empty", path.location, hint)
        elif PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or PureWindowsPath(text).drive:
            self.error(f"the report path '{text}' is absolute", path.location, hint)
        elif ".." in PurePosixPath(text.replace("\\", "/")).parts:
            self.error(f"the report path '{text}' leaves the experiment's directory", path.location, hint)

    # --- parameters -----------------------------------------------------------------------

    def bind(self, call: ast.Call, signature: Signature, what: str, sweeps: dict[str, tuple] | None = None) -> dict[str, Any]:
        """Check a call's arguments against a signature; the full parameters, defaults filled.

        A positional argument is accepted only where the signature has exactly one
        parameter (``hf("xlm-roberta-large")``, ``permutation(1000)``). Where ``sweeps`` is
        given, a list (or range) of values is a sweep: each value is checked, the first one
        goes into the parameters and all of them into ``sweeps``.
        """
        given: dict[str, Any] = {}
        for argument in call.arguments:
            if argument.name is None:
                if len(signature) != 1:
                    example = next(iter(signature), "name")
                    self.error(
                        f"{what} takes its parameters by name",
                        argument.location,
                        f"write `{example}: value`; parameters: {join_choices(signature)}",
                    )
                    continue
                name, location = next(iter(signature)), argument.location
            else:
                name, location = argument.name.text, argument.name.location
                if name not in signature:
                    hint = unknown_hint(name, signature, "parameter") if signature else f"{what} takes no parameters"
                    self.error(f"unknown parameter '{name}' of {what}", location, hint)
                    continue
            if name in given:
                self.error(f"parameter '{name}' of {what} is given twice", location, "keep one of them")
                continue
            value = self.value(argument.value)
            if value is None:
                continue
            param = signature[name]
            if isinstance(value, list) and not isinstance(param.default, list):
                if sweeps is None:
                    self.error(
                        f"parameter '{name}' of {what} takes one value, not a list",
                        argument.value.location,
                        "a list where one value goes is a sweep, and sweeps are written in train statements: "
                        "train target(lr: [1e-4, 5e-4])",
                    )
                    continue
                values = self.sweep(name, param, value, argument.value, what)
                if values:
                    sweeps[name] = values
                    given[name] = values[0]
                continue
            problem = param.problem(value)
            if problem is not None:
                self.error(f"parameter '{name}' of {what} {problem}", argument.value.location, _param_hint(name, param))
                continue
            given[name] = value
        return with_defaults(signature, given)

    def sweep(self, name: str, param: Param, values: list, node: ast.Value, what: str) -> tuple:
        """The checked values of a sweep, each widened like a single value would be."""
        items = node.items if isinstance(node, ast.ListValue) else (node,) * len(values)
        if not values:
            self.error(f"the sweep of '{name}' of {what} is empty", node.location, "write at least one value: lr: [1e-4, 5e-4]")
            return ()
        checked: list = []
        for value, item in zip(values, items):
            problem = "is a list inside a sweep" if isinstance(value, list) else param.problem(value)
            if problem is not None:
                self.error(f"parameter '{name}' of {what} {problem}", item.location, _param_hint(name, param))
                continue
            value = with_defaults({name: param}, {name: value})[name]
            if value in checked:
                self.error(f"{value!r} appears twice in the sweep of '{name}'", item.location, "remove the repeat")
                continue
            checked.append(value)
        return tuple(checked) if len(checked) == len(values) else ()

    def value(self, value: ast.Value) -> Any:
        """An AST value as plain JSON-able data; None (with an error) for a dotted name."""
        if isinstance(value, (ast.String, ast.Number, ast.Boolean)):
            return value.value
        if isinstance(value, ast.Variable):
            return None  # unknown $name: reported by the loader
        if isinstance(value, ast.Range):
            start, end = value.start.value, value.end.value
            if not isinstance(start, int) or not isinstance(end, int):
                self.error(f"a range is of whole numbers, not {start}..{end}", value.location, "write it like 1..3")
                return None
            if end < start:
                self.error(f"the range {start}..{end} is empty: it counts up from {start}", value.location, f"write {end}..{start}")
                return None
            if end - start >= 10_000:
                self.error(f"the range {start}..{end} has more than 10000 values", value.location, "sweep over fewer values")
                return None
            return list(range(start, end + 1))
        if isinstance(value, ast.ListValue):
            items = [self.value(v) for v in value.items]
            return None if any(i is None for i in items) else items
        if len(value.parts) == 1 and value.parts[0].text != "*":
            return value.parts[0].text  # a bare word: `pool: mean`
        self.error(f"'{value.text}' is a reference, not a value", value.location, "write a number, a string, true or false, or a word")
        return None


def _param_hint(name: str, param: Param) -> str:
    """What the parameter accepts, in one line: ``layers: an integer from 1 to 24 (default 2)``."""
    kind = {bool: "true or false", int: "an integer", float: "a number", str: "a word or string"}.get(type(param.default), "a value")
    if param.choices is not None:
        accepts = f"one of {join_choices(map(str, param.choices), 'or')}"
    elif param.minimum is not None and param.maximum is not None:
        accepts = f"{kind} from {_num(param.minimum)} to {_num(param.maximum)}"
    elif param.minimum is not None:
        accepts = f"{kind} of at least {_num(param.minimum)}"
    elif param.maximum is not None:
        accepts = f"{kind} of at most {_num(param.maximum)}"
    else:
        accepts = kind
    default = str(param.default).lower() if isinstance(param.default, bool) else repr(param.default) if isinstance(param.default, str) else param.default
    text = f"{name} takes {accepts} (default {default})"
    return f"{text}: {param.help}" if param.help else text


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
