"""Checked program -> graph of steps.

Step ids are readable (``target/nli/paraphrase@en/seed=1``) and stable; keys come from the
engine. Intermediate units are deduplicated across task sets: ``nli@en`` in two sets is
one unit, trained once. The no-intermediate baseline is implied for every target and seed.

A sweep (``train target(lr: [1e-4, 5e-4])``) makes a grid; every grid point is a family of
its own steps, named by the swept values (``target/pos/nli@en/lr=1e-4/seed=1``, then
``gains/lr=1e-4`` and ``correlate/1/lr=1e-4``). Without sweeps the ids are exactly those
of a single-point program, so caches stay valid.

Registered real tasks (``hub.xnli``) read their data through ``task.load`` steps, one per
task, language and split (``data/xnli/de/test``), shared by every step that reads them; a
real target trains on its benchmark's stages (XNLI on MNLI, XCOPA on SIQA then COPA).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from xitt.engine.graph import Graph, Step
from xitt.lang.program import MixRef, Program, ReportSpec, TaskRef
from xitt.measures import BY_NAME as MEASURES
from xitt.measures.declare import ENCODER, INTERMEDIATE_MODELS
from xitt.models.params import PretrainSettings, TokenizerSettings, TrainSettings
from xitt.study import (Compared, CorrelateStep, GainRow, GainsStep, IntermediateStep, LoadStep, LocalFiles, Mixture,
                        SimilarityStep, Target, TargetStep, Task, Unit)
from xitt.tasks.hub import cached_repo
from xitt.tasks.load import files_read, local
from xitt.tasks.registry import get as real_task
from xitt.tasks.registry import selection_task, stages
from xitt.world.catalog import language_codes
from xitt.world.config import WorldConfig

BASELINE = "none"
REAL_SOURCE = "hub"


@dataclass(frozen=True)
class GridPoint:
    """One combination of swept values: each phase's training parameters and its id part."""

    intermediate: dict
    target: dict
    intermediate_label: str  # "lr=1e-4" or "" where nothing is swept
    target_label: str

    @property
    def label(self) -> str:
        return "/".join(p for p in (self.intermediate_label, self.target_label) if p)


@dataclass(frozen=True)
class Family:
    """The results of one grid point: its gains step and correlation steps."""

    label: str
    gains: str
    correlations: tuple[str, ...]


@dataclass(frozen=True)
class Compiled:
    """The graph plus where its results are, for the report layer."""

    name: str
    graph: Graph
    gains: str
    similarities: dict[str, str]  # similarity name -> step id
    correlations: tuple[str, ...]
    sets: dict[str, list[str]]  # intermediate set name -> its unit labels
    report: ReportSpec | None = None
    units: dict[str, Unit] = field(default_factory=dict)
    families: tuple[Family, ...] = ()  # one per grid point; the first is ``gains``/``correlations``
    coverage: object = None  # coverage.Coverage: the data known to be missing, and what it left out


def unit_label(ref: TaskRef, all_languages: tuple[str, ...]) -> str:
    """``nli@en``, ``nli@*`` (every language of the world) or ``nli@en+qaa``."""
    langs = ref.train_languages
    written = "*" if set(langs) == set(all_languages) and len(langs) > 1 else "+".join(langs)
    return f"{ref.task}@{written}"


def format_value(value) -> str:
    """A swept value as it reads in a step id: ``1e-4`` rather than ``0.0001``; stable."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        plain = repr(value)
        mantissa, exponent = f"{value:e}".split("e")
        short = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
        return short if len(short) < len(plain) else plain
    return str(value)


def grid(program: Program) -> list[GridPoint]:
    """Every combination of swept values, in written order; one point when nothing is swept."""
    swept = [(phase, name) for phase, params in program.sweeps.items() for name in params]
    names = [name for _, name in swept]

    def key(phase: str, name: str) -> str:
        return name if names.count(name) == 1 else f"{phase}.{name}"

    def points(phase: str) -> list[tuple[dict, str]]:
        sweeps = program.sweeps.get(phase, {})
        result = []
        for values in itertools.product(*sweeps.values()):
            params = {**program.train[phase], **dict(zip(sweeps, values))}
            result.append((params, "/".join(f"{key(phase, n)}={format_value(v)}" for n, v in zip(sweeps, values))))
        return result

    return [GridPoint(ip, tp, il, tl) for (ip, il), (tp, tl) in itertools.product(points("intermediate"), points("target"))]


def _path(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def unit_of(ref: TaskRef | MixRef, all_languages: tuple[str, ...]) -> tuple[str, Unit]:
    """An intermediate unit and its label: ``nli@en``, ``mix(nli@en,qa@en)``,
    ``mix[temperature=2.0](...)``."""
    if isinstance(ref, TaskRef):
        return unit_label(ref, all_languages), Task(ref.task, ref.train_languages)
    mixing = ref.mixing
    sampling = mixing.sampling if mixing.sampling != "temperature" else f"temperature={format_value(mixing.temperature)}"
    inner = ",".join(unit_label(t, all_languages) for t in ref.tasks)
    label = f"mix({inner})" if mixing.sampling == "proportional" else f"mix[{sampling}]({inner})"
    return label, Mixture(tuple(Task(t.task, t.train_languages) for t in ref.tasks), mixing)


def _target_of(ref: TaskRef) -> Target:
    return Target(ref.task, ref.train_languages, ref.eval_languages)


def local_files(program: Program, task: str) -> LocalFiles | None:
    """The files a ``data TASK = local(...)`` statement names for a real task: the path
    (absolute: relative paths are the experiment folder's) and split names."""
    found = next((spec for spec in program.data if spec.task == task), None)
    if found is None:
        return None
    path = found.path if Path(found.path).is_absolute() else str(Path(program.source_path).resolve().parent / found.path)
    return LocalFiles(path, tuple(found.splits))


def _checkpoint(program: Program, params: dict) -> dict:
    """``hf("ckpt")`` naming a directory in the experiment's folder reads that directory
    (as an absolute path, like ``data`` paths), wherever xitt is run from; else a hub id."""
    folder = Path(program.source_path).resolve().parent / params["name"]
    return {**params, "name": str(folder)} if folder.is_dir() else params


def _checkpoint_files(name: str) -> tuple[str, ...]:
    """What ``hf(name)`` reads, for fingerprints: the checkpoint directory, or the hub cache's
    copy of the model (none when it is not cached: the step says so when it runs)."""
    if Path(name).is_dir():
        return (str(Path(name).resolve()),)
    return tuple(str(path) for path in cached_repo(name, "model"))


def selection_keys(program: Program, task: str, languages, target: bool) -> list[tuple[str, str, str]]:
    """The dev data that selects a real training step's weights (``select: best``), as
    (task, language, split): the English dev set of the task ``selection_task`` names (a
    target's own, or its last stage's; an intermediate task's own, English where it trains
    on English). None where the files give no dev split (a local path without ``{split}``
    or ``dev:``)."""
    name = selection_task(real_task(task))
    given = local_files(program, name) if name is not None else None
    if name is None or (given is not None and "{split}" not in given.path and "dev" not in dict(given.splits)):
        return []
    found = [language for language in languages if language in real_task(name).languages]
    if not target and "en" in found:
        found = ["en"]
    return [(name, language, "dev") for language in found]


def training_keys(task: str, languages, target: bool) -> list[tuple[str, str, str]]:
    """The training data of a real task, as (task, language, split): a target's benchmark
    stages, in order (none for retrieval scored untrained), an intermediate task's own (a
    union's parts)."""
    spec = real_task(task)
    names = stages(spec) if target else (spec.parts or (task,))
    return [(name, language, "train") for name in names for language in languages]


def evaluation_keys(task: str, languages) -> list[tuple[str, str, str]]:
    """A target's evaluation data per language, as (task, language, split); BUCC's dev split
    beside its test split (its mining threshold is tuned on dev, language by language)."""
    spec = real_task(task)
    split = spec.protocol.eval_split if spec.protocol else "test"
    tuned = (spec.protocol.dev_split,) if spec.protocol and spec.info.metric == "retrieval_f1" else ()
    return [(task, language, s) for language in languages for s in (*tuned, split)]


class _Data:
    """The ``task.load`` steps of a program, one per (task, language, split), made once; the
    steps made since the last ``take`` wait there, so a phase puts them before their readers."""

    def __init__(self, program: Program, missing: frozenset = frozenset()):
        self.program, self.made, self.missing, self.pending = program, set(), missing, []

    def add(self, step: Step) -> None:
        self.pending.append(step)

    def take(self) -> list[Step]:
        taken, self.pending = self.pending, []
        return taken

    def step(self, task: str, language: str, split: str) -> str:
        step_id = f"data/{task}/{language}/{split}"
        if step_id not in self.made:
            self.made.add(step_id)
            given = local_files(self.program, task)
            source = local(given.path, splits=dict(given.splits)) if given else None
            read = tuple(str(path) for path in files_read(task, language, split, source))
            self.add(Step(step_id, "task.load", LoadStep(task, language, split, given).to_json(),
                          external=read))
        return step_id

    def training(self, task: str, languages, target: bool) -> tuple[str, ...]:
        return tuple(self.step(*key) for key in training_keys(task, languages, target))

    def selection(self, task: str, languages, target: bool) -> tuple[str, ...]:
        """The load steps of ``selection_keys`` whose data is there (a missing dev set: the
        last weights are kept)."""
        return tuple(self.step(*key) for key in selection_keys(self.program, task, languages, target)
                     if key not in self.missing)

    def evaluation(self, task: str, languages) -> tuple[str, ...]:
        return tuple(self.step(*key) for key in evaluation_keys(task, languages))


def _benchmark_train(train: dict, task: str, written: frozenset[str]) -> dict:
    """A real task's training params: learning rate, epochs and max length the study did not
    write take the benchmark's (jiant's recipe: lr 1e-5, PAWS-X 5 epochs, POS and NER 10, QA
    384 tokens), not the toy world's defaults; a written value always wins, even one equal to
    the language's default."""
    hyper = real_task(task).hyper
    filled = dict(train)
    for name, value in (("lr", hyper.lr), ("epochs", hyper.epochs), ("max_length", hyper.max_length)):
        if name not in written and value:
            filled[name] = int(value) if float(value).is_integer() else value
    return filled


def _inputs(program: Program, upstream: str, data: tuple[str, ...] = (), evaluation: tuple[str, ...] = (),
            dev: tuple[str, ...] = ()) -> dict:
    """A training step's inputs: its encoder, and the world or the real data it reads
    (``data`` to train on, ``dev`` to select the weights on, ``eval`` to score)."""
    inputs: dict = {"encoder": upstream}
    if program.world is not None:
        inputs["world"] = "world"
    if data:
        inputs["data"] = data
    if dev:
        inputs["dev"] = dev
    if evaluation:
        inputs["eval"] = evaluation
    return inputs


@dataclass
class _Intermediates:
    """What the intermediate phase leaves to the others: units by label, each unit's real
    training and dev data (load step ids), and the intermediate sets' unit labels."""

    units: dict[str, Unit] = field(default_factory=dict)
    data: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dev: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Targets:
    """What the target phase leaves to the others: the targets, each grid point's gain rows
    (runs, baselines, rows), and the targets' real training and evaluation data."""

    refs: list[TaskRef]
    families: dict[str, tuple[list, list, list]]
    train: list[str] = field(default_factory=list)
    eval: list[str] = field(default_factory=list)


def compile_program(program: Program, coverage=None) -> Compiled:
    """The graph of ``program``, phase by phase. ``coverage`` (``coverage.restrict``) says
    which data is missing: its dev sets select nothing, and the gains step records what was
    left out."""
    data = _Data(program, coverage.keys if coverage is not None else frozenset())
    points = grid(program)
    phase1, encoder = _phase1(program)
    intermediates = _units(program, data)
    intermediate = [*data.take(), *_intermediate(program, intermediates, encoder, points)]
    target, targets = _target(program, data, intermediates, encoder, points)
    gains = _gains(targets, coverage)
    similarity, similarities = _similarity(program, intermediates, targets, encoder, points)
    correlation, families = _correlation(program, intermediates, similarities, points)
    first = families[0]
    graph = Graph(tuple([*phase1, *intermediate, *target, *gains, *similarity, *correlation]))
    return Compiled(program.name, graph, first.gains, similarities, first.correlations, intermediates.sets, program.report,
                    intermediates.units, tuple(families), coverage)


def _phase1(program: Program) -> tuple[list[Step], str]:
    """Phase 1: the world, and the encoder (a hub checkpoint, or a tokenizer and a tiny MLM
    pretrained on the world); the steps and the encoder's step id."""
    steps = []
    if program.world is not None:
        steps.append(Step("world", "world.generate", WorldConfig.from_params(program.world.params).to_json()))
    model = program.model
    if model.kind == "hf":
        encoder = f"checkpoint/{model.name}"
        params = _checkpoint(program, dict(model.params))
        return [*steps, Step(encoder, "model.hf", params, external=_checkpoint_files(params["name"]))], encoder
    settings = PretrainSettings.from_params(model.params)
    encoder = f"pretrain/{model.name}"
    steps.append(Step("tokenizer", "model.tokenizer", TokenizerSettings(settings.vocab_size).to_json(), {"world": "world"}))
    steps.append(Step(encoder, "model.pretrain", settings.to_json(), {"world": "world", "tokenizer": "tokenizer"}))
    return steps, encoder


def _units(program: Program, data: _Data) -> _Intermediates:
    """The intermediate units of every intermediate set, deduplicated by label, and the real
    data each reads (its load steps wait in ``data``)."""
    all_languages = tuple(language_codes(program.world.params["languages"])) if program.world is not None else ()
    found = _Intermediates()
    for task_set in program.sets("intermediate"):
        labels = []
        for ref in task_set.tasks:
            label, unit = unit_of(ref, all_languages)
            found.units.setdefault(label, unit)
            labels.append(label)
            refs = [r for r in (ref.tasks if isinstance(ref, MixRef) else (ref,)) if r.source == REAL_SOURCE]
            found.data[label] = tuple(step for r in refs for step in data.training(r.task, r.train_languages, False))
            found.dev[label] = tuple(step for r in refs for step in data.selection(r.task, r.train_languages, False))
        found.sets[task_set.name] = labels
    return found


def _intermediate(program: Program, found: _Intermediates, encoder: str, points: list[GridPoint]) -> list[Step]:
    """Phase 2: each unit trained at each grid point's intermediate settings, for each seed."""
    steps = []
    written = program.written.get("intermediate", frozenset())
    for label, unit in found.units.items():
        for point, train in {p.intermediate_label: p.intermediate for p in points}.items():
            real = bool(found.data[label]) and isinstance(unit, Task)
            settings = _benchmark_train(train, unit.task, written) if real else train
            dev = found.dev[label] if train["select"] == "best" else ()
            for seed in program.seeds:
                steps.append(Step(
                    _path("intermediate", label, point, f"seed={seed}"),
                    "train.intermediate",
                    IntermediateStep(unit, TrainSettings.from_params(settings, seed=seed), seed).to_json(),
                    _inputs(program, encoder, found.data[label], dev=dev),
                ))
    return steps


def _target(program: Program, data: _Data, found: _Intermediates, encoder: str,
            points: list[GridPoint]) -> tuple[list[Step], _Targets]:
    """Phase 3: each target fine-tuned in English and scored zero-shot, after no intermediate
    (the baseline) and after each unit, at each grid point, for each seed; with the gain rows
    that compare them."""
    steps: list[Step] = []
    targets = _Targets([ref for s in program.sets("target") for ref in s.tasks], {p.label: ([], [], []) for p in points})
    intermediate_points = list(dict.fromkeys(p.intermediate_label for p in points))
    target_points = {p.target_label: p.target for p in points}
    written = program.written.get("target", frozenset())
    for ref in targets.refs:
        real = ref.source == REAL_SOURCE
        train_data = data.training(ref.task, ref.train_languages, True) if real else ()
        eval_data = data.evaluation(ref.task, ref.eval_languages) if real else ()
        dev_data = data.selection(ref.task, ref.train_languages, True) if real and train_data else ()
        protocol = real_task(ref.task).protocol if real else None
        # a retrieval target trained as XTREME-R's dual encoder says so (absent otherwise: no key changed)
        objective = protocol.objective if protocol and train_data else "task"
        targets.train.extend(train_data)
        targets.eval.extend(eval_data)
        steps.extend(data.take())
        for seed in program.seeds:
            for t_point, t_train in target_points.items():
                settings = _benchmark_train(t_train, ref.task, written) if real else t_train
                params = TargetStep(_target_of(ref), TrainSettings.from_params(settings, seed=seed), seed, objective).to_json()
                dev = dev_data if t_train["select"] == "best" else ()
                for source in (BASELINE, *found.units):
                    for i_point in ((None,) if source == BASELINE else intermediate_points):
                        upstream = encoder if source == BASELINE else _path("intermediate", source, i_point, f"seed={seed}")
                        steps.append(Step(_path("target", ref.task, source, i_point or "", t_point, f"seed={seed}"),
                                          "train.target", params, _inputs(program, upstream, train_data, eval_data, dev)))
            for point in points:
                runs, baselines, rows = targets.families[point.label]
                baseline_index = len(baselines)
                baselines.append(_path("target", ref.task, BASELINE, point.target_label, f"seed={seed}"))
                for source in found.units:
                    rows.append(GainRow(source, ref.task, seed, len(runs), baseline_index))
                    runs.append(_path("target", ref.task, source, point.intermediate_label, point.target_label, f"seed={seed}"))
    return steps, targets


def _gains(targets: _Targets, coverage) -> list[Step]:
    """One gains step per grid point: each run against its baseline."""
    noted = coverage.to_json() if coverage else None  # only then: no key changes for complete data
    return [Step(_path("gains", label), "stats.gains", GainsStep(tuple(rows), noted).to_json(),
                 {"runs": tuple(runs), "baselines": tuple(baselines)})
            for label, (runs, baselines, rows) in targets.families.items()]


def _similarity(program: Program, found: _Intermediates, targets: _Targets, encoder: str,
                points: list[GridPoint]) -> tuple[list[Step], dict[str, str]]:
    """One step per similarity statement, its op and inputs from the measure's declaration;
    model-level measures read the first grid point's trained encoders. The steps, and each
    similarity's step id by name."""
    rows = tuple(Compared(label, unit) for label, unit in found.units.items())
    columns = tuple(Compared(ref.task, _target_of(ref)) for ref in targets.refs)
    # a real study's measures read the load steps: intermediates' and targets' training data, targets' evaluation data
    real_data = tuple(dict.fromkeys([*(step for steps in found.data.values() for step in steps), *targets.train]))
    real_eval = tuple(dict.fromkeys(targets.eval))
    first_point = points[0].intermediate_label
    steps, similarities = [], {}
    for spec in program.similarities:
        measure = MEASURES[spec.measure]
        measure_params = measure.params.from_params(spec.params)
        needs = measure.inputs_of(measure_params)
        inputs: dict = {**({"world": "world"} if program.world is not None else {}), **({"encoder": encoder} if ENCODER in needs else {})}
        inputs |= {name: ids for name, ids in (("data", real_data), ("eval", real_eval)) if ids}
        seeds = None
        if INTERMEDIATE_MODELS in needs:  # unit-major, then seed: the order the op reads them in
            inputs["intermediate_models"] = tuple(_path("intermediate", u, first_point, f"seed={s}") for u in found.units for s in program.seeds)
            seeds = tuple(program.seeds)
        similarities[spec.name] = f"similarity/{spec.name}"
        steps.append(Step(similarities[spec.name], measure.op, SimilarityStep(measure_params, rows, columns, seeds).to_json(), inputs))
    return steps, similarities


def _correlation(program: Program, found: _Intermediates, similarities: dict[str, str],
                 points: list[GridPoint]) -> tuple[list[Step], list[Family]]:
    """Each correlate statement at each grid point: similarities against that point's gains."""
    steps, families = [], []
    compare = tuple((c.left, c.right) for c in program.comparisons)
    for point in points:
        correlations = []
        for index, corr in enumerate(program.correlations):
            step_id = _path(f"correlate/{index + 1}", point.label)
            steps.append(Step(
                step_id,
                "stats.correlate",
                CorrelateStep(corr.methods, corr.similarities, corr.per, corr.settings, found.sets, compare).to_json(),
                {"gains": _path("gains", point.label), "similarities": tuple(similarities[name] for name in corr.similarities)},
            ))
            correlations.append(step_id)
        if program.comparisons and not program.correlations:  # `compare` alone: the sets' gains, paired by target and language
            step_id = _path("compare", point.label)
            steps.append(Step(step_id, "stats.correlate", CorrelateStep((), (), "target", {}, found.sets, compare).to_json(),
                              {"gains": _path("gains", point.label), "similarities": ()}))
            correlations.append(step_id)
        families.append(Family(point.label, _path("gains", point.label), tuple(correlations)))
    return steps, families
