"""Checked program -> graph of steps.

Step ids are readable (``target/nli/paraphrase@en/seed=1``) and stable; keys come from the
engine. Intermediate units are deduplicated across task sets: ``nli@en`` in two sets is
one unit, trained once. The no-intermediate baseline is implied for every target and seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xitt.engine.graph import Graph, Step
from xitt.errors import ProgramError
from xitt.lang.program import Program, ReportSpec, TaskRef
from xitt.measures import MODEL_BASED
from xitt.world.catalog import language_codes

BASELINE = "none"


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


def unit_label(ref: TaskRef, all_languages: tuple[str, ...]) -> str:
    """``nli@en``, ``nli@*`` (every language of the world) or ``nli@en+qaa``."""
    langs = ref.train_languages
    written = "*" if set(langs) == set(all_languages) and len(langs) > 1 else "+".join(langs)
    return f"{ref.task}@{written}"


def compile_program(program: Program) -> Compiled:
    all_languages = tuple(language_codes(program.world.params["languages"]))
    steps: list[Step] = []
    add = steps.append

    add(Step("world", "world.generate", dict(program.world.params)))
    model = program.model
    if model.kind != "toy_mlm":
        raise ProgramError(
            f"model kind {model.kind!r} is not runnable yet: only toy_mlm is",
            hint="use `model base = toy_mlm(...)`; hub checkpoints arrive with the real-benchmark issue",
            location=model.location,
        )
    add(Step("tokenizer", "model.tokenizer", {"vocab_size": model.params["vocab_size"]}, {"world": "world"}))
    encoder = f"pretrain/{model.name}"
    add(Step(encoder, "model.pretrain", dict(model.params), {"world": "world", "tokenizer": "tokenizer"}))

    units: dict[str, dict] = {}
    sets: dict[str, list[str]] = {}
    for task_set in program.sets("intermediate"):
        labels = []
        for ref in task_set.tasks:
            label = unit_label(ref, all_languages)
            units.setdefault(label, {"label": label, "task": ref.task, "languages": list(ref.train_languages)})
            labels.append(label)
        sets[task_set.name] = labels

    for label, unit in units.items():
        for seed in program.seeds:
            add(Step(
                f"intermediate/{label}/seed={seed}",
                "train.intermediate",
                {"task": unit["task"], "languages": unit["languages"], "train": dict(program.train["intermediate"]), "seed": seed},
                {"encoder": encoder, "world": "world"},
            ))

    targets = [ref for s in program.sets("target") for ref in s.tasks]
    runs, baselines, rows = [], [], []
    for ref in targets:
        for seed in program.seeds:
            for source in (BASELINE, *units):
                step_id = f"target/{ref.task}/{source}/seed={seed}"
                upstream = encoder if source == BASELINE else f"intermediate/{source}/seed={seed}"
                add(Step(
                    step_id,
                    "train.target",
                    {
                        "task": ref.task,
                        "train_languages": list(ref.train_languages),
                        "eval_languages": list(ref.eval_languages),
                        "train": dict(program.train["target"]),
                        "seed": seed,
                    },
                    {"encoder": upstream, "world": "world"},
                ))
            baseline_index = len(baselines)
            baselines.append(f"target/{ref.task}/{BASELINE}/seed={seed}")
            for source in units:
                rows.append({"intermediate": source, "target": ref.task, "seed": seed, "run": len(runs), "baseline": baseline_index})
                runs.append(f"target/{ref.task}/{source}/seed={seed}")

    add(Step("gains", "stats.gains", {"rows": rows}, {"runs": tuple(runs), "baselines": tuple(baselines)}))

    intermediates = list(units.values())
    target_specs = [{"label": ref.task, "task": ref.task, "languages": list(ref.train_languages)} for ref in targets]
    similarities: dict[str, str] = {}
    for spec in program.similarities:
        step_id = f"similarity/{spec.name}"
        inputs = {"world": "world", **({"encoder": encoder} if spec.measure in MODEL_BASED else {})}
        params = {**spec.params, "intermediates": intermediates, "targets": target_specs}
        add(Step(step_id, f"similarity.{spec.measure}", params, inputs))
        similarities[spec.name] = step_id

    correlations = []
    for index, corr in enumerate(program.correlations):
        step_id = f"correlate/{index + 1}"
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
            {"gains": "gains", "similarities": tuple(similarities[name] for name in corr.similarities)},
        ))
        correlations.append(step_id)

    return Compiled(program.name, Graph(tuple(steps)), "gains", similarities, tuple(correlations), sets, program.report, units)
