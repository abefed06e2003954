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
from xitt.measures import inputs_of
from xitt.tasks.hub import cached_repo
from xitt.tasks.load import files_read, local
from xitt.models import KEY_NEUTRAL
from xitt.tasks.registry import get as real_task
from xitt.tasks.registry import selection_task, stages
from xitt.world.catalog import language_codes

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
    units: dict[str, dict] = field(default_factory=dict)
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


def _unit(ref: TaskRef | MixRef, all_languages: tuple[str, ...]) -> dict:
    """An intermediate unit: its label, and the params its training step carries."""
    if isinstance(ref, TaskRef):
        label = unit_label(ref, all_languages)
        return {"label": label, "task": ref.task, "languages": list(ref.train_languages)}
    sampling = ref.sampling if ref.sampling != "temperature" else f"temperature={format_value(ref.temperature)}"
    inner = ",".join(unit_label(t, all_languages) for t in ref.tasks)
    label = f"mix({inner})" if ref.sampling == "proportional" else f"mix[{sampling}]({inner})"
    tasks = [{"task": t.task, "languages": list(t.train_languages)} for t in ref.tasks]
    return {"label": label, "tasks": tasks, "sampling": ref.sampling, "temperature": float(ref.temperature)}


def _local(program: Program, task: str) -> dict | None:
    """The files a ``data TASK = local(...)`` statement names for a real task, as params:
    the path (absolute: relative paths are the experiment folder's) and split names."""
    found = next((spec for spec in program.data if spec.task == task), None)
    if found is None:
        return None
    path = found.path if Path(found.path).is_absolute() else str(Path(program.source_path).resolve().parent / found.path)
    return {"path": path, "splits": dict(found.splits)}


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
    given = _local(program, name) if name is not None else None
    if name is None or (given is not None and "{split}" not in given["path"] and "dev" not in given["splits"]):
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
    """The ``task.load`` steps of a program, one per (task, language, split), made once."""

    def __init__(self, program: Program, add, missing: frozenset = frozenset()):
        self.program, self.add, self.made, self.missing = program, add, set(), missing

    def step(self, task: str, language: str, split: str) -> str:
        step_id = f"data/{task}/{language}/{split}"
        if step_id not in self.made:
            self.made.add(step_id)
            given = _local(self.program, task)
            source = local(given["path"], splits=given["splits"]) if given else None
            read = tuple(str(path) for path in files_read(task, language, split, source))
            self.add(Step(step_id, "task.load", {"task": task, "language": language, "split": split, "local": given},
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


def _train_params(train: dict) -> dict:
    """A training step's params: parameters added since studies were cached stay out at their
    default (``KEY_NEUTRAL``), so that adding them changed no step's key."""
    return {name: value for name, value in train.items() if not (name in KEY_NEUTRAL and value == KEY_NEUTRAL[name])}


def _benchmark_train(train: dict, task: str, written: frozenset[str]) -> dict:
    """A real task's training params: epochs and max length the study did not write take the
    benchmark's (jiant's recipe: PAWS-X 5 epochs, POS and NER 10, QA 384 tokens); a written
    value always wins, even one equal to the language's default."""
    hyper = real_task(task).hyper
    filled = _train_params(train)
    for name, value in (("epochs", hyper.epochs), ("max_length", hyper.max_length)):
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


def compile_program(program: Program, coverage=None) -> Compiled:
    """The graph of ``program``. ``coverage`` (``coverage.restrict``) says which data is
    missing: its dev sets select nothing, and the gains step records what was left out."""
    all_languages = tuple(language_codes(program.world.params["languages"])) if program.world is not None else ()
    steps: list[Step] = []
    add = steps.append
    data = _Data(program, add, coverage.keys if coverage is not None else frozenset())

    if program.world is not None:
        add(Step("world", "world.generate", dict(program.world.params)))
    model = program.model
    if model.kind == "hf":
        encoder = f"checkpoint/{model.name}"
        params = _checkpoint(program, dict(model.params))
        add(Step(encoder, "model.hf", params, external=_checkpoint_files(params["name"])))
    else:
        add(Step("tokenizer", "model.tokenizer", {"vocab_size": model.params["vocab_size"]}, {"world": "world"}))
        encoder = f"pretrain/{model.name}"
        add(Step(encoder, "model.pretrain", dict(model.params), {"world": "world", "tokenizer": "tokenizer"}))

    units: dict[str, dict] = {}
    unit_data: dict[str, tuple[str, ...]] = {}
    unit_dev: dict[str, tuple[str, ...]] = {}  # real units' dev data, for select: best
    sets: dict[str, list[str]] = {}
    for task_set in program.sets("intermediate"):
        labels = []
        for ref in task_set.tasks:
            unit = _unit(ref, all_languages)
            units.setdefault(unit["label"], unit)
            labels.append(unit["label"])
            refs = ref.tasks if isinstance(ref, MixRef) else (ref,)
            unit_data[unit["label"]] = tuple(
                step for r in refs if r.source == REAL_SOURCE for step in data.training(r.task, r.train_languages, False))
            unit_dev[unit["label"]] = tuple(
                step for r in refs if r.source == REAL_SOURCE for step in data.selection(r.task, r.train_languages, False))
        sets[task_set.name] = labels

    points = grid(program)
    intermediate_points = {p.intermediate_label: p.intermediate for p in points}
    target_points = {p.target_label: p.target for p in points}
    for label, unit in units.items():
        for point, train in intermediate_points.items():
            for seed in program.seeds:
                params = {k: v for k, v in unit.items() if k != "label"}
                real = bool(unit_data[label]) and "task" in unit
                add(Step(
                    _path("intermediate", label, point, f"seed={seed}"),
                    "train.intermediate",
                    {**params, "train": _benchmark_train(train, unit["task"], program.written.get("intermediate", frozenset())) if real else _train_params(train), "seed": seed},
                    _inputs(program, encoder, unit_data[label], dev=unit_dev[label] if train["select"] == "best" else ()),
                ))

    targets = [ref for s in program.sets("target") for ref in s.tasks]
    families = {p.label: ([], [], []) for p in points}  # label -> runs, baselines, rows
    target_train: list[str] = []
    target_eval: list[str] = []
    for ref in targets:
        real = ref.source == REAL_SOURCE
        train_data = data.training(ref.task, ref.train_languages, True) if real else ()
        eval_data = data.evaluation(ref.task, ref.eval_languages) if real else ()
        dev_data = data.selection(ref.task, ref.train_languages, True) if real and train_data else ()
        protocol = real_task(ref.task).protocol if real else None
        # a retrieval target trained as XTREME-R's dual encoder says so (absent otherwise: no key changed)
        objective = {"objective": protocol.objective} if protocol and protocol.objective != "task" and train_data else {}
        target_train.extend(train_data)
        target_eval.extend(eval_data)
        for seed in program.seeds:
            for t_point, t_train in target_points.items():
                for source in (BASELINE, *units):
                    for i_point in ((None,) if source == BASELINE else intermediate_points):
                        upstream = encoder if source == BASELINE else _path("intermediate", source, i_point, f"seed={seed}")
                        add(Step(
                            _path("target", ref.task, source, i_point or "", t_point, f"seed={seed}"),
                            "train.target",
                            {
                                "task": ref.task,
                                "train_languages": list(ref.train_languages),
                                "eval_languages": list(ref.eval_languages),
                                "train": _benchmark_train(t_train, ref.task, program.written.get("target", frozenset())) if real else _train_params(t_train),
                                "seed": seed,
                                **objective,
                            },
                            _inputs(program, upstream, train_data, eval_data, dev_data if t_train["select"] == "best" else ()),
                        ))
            for point in points:
                runs, baselines, rows = families[point.label]
                baseline_index = len(baselines)
                baselines.append(_path("target", ref.task, BASELINE, point.target_label, f"seed={seed}"))
                for source in units:
                    rows.append({"intermediate": source, "target": ref.task, "seed": seed, "run": len(runs), "baseline": baseline_index})
                    runs.append(_path("target", ref.task, source, point.intermediate_label, point.target_label, f"seed={seed}"))

    for label, (runs, baselines, rows) in families.items():
        noted = {"coverage": coverage.to_json()} if coverage else {}  # only then: no key changes for complete data
        add(Step(_path("gains", label), "stats.gains", {"rows": rows, **noted}, {"runs": tuple(runs), "baselines": tuple(baselines)}))

    intermediates = list(units.values())
    target_specs = [
        {"label": ref.task, "task": ref.task, "languages": list(ref.train_languages), "eval_languages": list(ref.eval_languages)}
        for ref in targets
    ]
    # a real study's measures read the load steps: intermediates' and targets' training data, targets' evaluation data
    similarity_data = tuple(dict.fromkeys([*(step for steps in unit_data.values() for step in steps), *target_train]))
    similarity_eval = tuple(dict.fromkeys(target_eval))
    first_point = next(iter(intermediate_points))  # measures read the first grid point's trained encoders
    similarities: dict[str, str] = {}
    for spec in program.similarities:
        step_id = f"similarity/{spec.name}"
        needs = inputs_of(spec.measure, spec.params)
        inputs: dict = {**({"world": "world"} if program.world is not None else {}), **({"encoder": encoder} if "encoder" in needs else {})}
        inputs |= {name: steps for name, steps in (("data", similarity_data), ("eval", similarity_eval)) if steps}
        params = {**spec.params, "intermediates": intermediates, "targets": target_specs}
        if "intermediate_models" in needs:  # unit-major, then seed: the order the op reads them in
            inputs["intermediate_models"] = tuple(_path("intermediate", u, first_point, f"seed={s}") for u in units for s in program.seeds)
            params["seeds"] = list(program.seeds)
        add(Step(step_id, f"similarity.{spec.measure}", params, inputs))
        similarities[spec.name] = step_id

    result: list[Family] = []
    for point in points:
        correlations = []
        for index, corr in enumerate(program.correlations):
            step_id = _path(f"correlate/{index + 1}", point.label)
            add(Step(
                step_id,
                "stats.correlate",
                {
                    "methods": list(corr.methods),
                    "similarities": list(corr.similarities),
                    "per": corr.per,
                    "settings": dict(corr.settings),
                    "sets": sets,
                    "compare": [[c.left, c.right] for c in program.comparisons],
                },
                {"gains": _path("gains", point.label), "similarities": tuple(similarities[name] for name in corr.similarities)},
            ))
            correlations.append(step_id)
        result.append(Family(point.label, _path("gains", point.label), tuple(correlations)))

    first = result[0]
    return Compiled(
        program.name, Graph(tuple(steps)), first.gains, similarities, first.correlations, sets, program.report, units, tuple(result),
        coverage,
    )
