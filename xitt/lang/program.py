"""The checked program: what the checker hands to the compiler.

Plain frozen dataclasses with every name resolved and every language selector expanded;
nothing downstream sees Lark trees or the AST. Parameter values are JSON-able
(str, int, float, bool, lists of those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from xitt.errors import Location
from xitt.models.params import Mixing

Params = Mapping[str, Any]


@dataclass(frozen=True)
class WorldSpec:
    """``world toy(languages: 6, seed: 7)``: the built-in world and its parameters."""

    name: str  # the name tasks are referred to by, e.g. "toy"
    kind: str  # "toy" is the only kind for now
    params: Params
    location: Location | None = None


@dataclass(frozen=True)
class ModelSpec:
    """``model base = toy_mlm(layers: 2, hidden: 64)`` or ``hf("xlm-roberta-large")``."""

    name: str
    kind: str  # "toy_mlm" | "hf"
    params: Params  # for hf: {"name": "xlm-roberta-large"}
    location: Location | None = None


@dataclass(frozen=True)
class TaskRef:
    """One task of a task set with its languages resolved (``*`` expanded)."""

    source: str  # the world name ("toy"), or "hub" for a registered real task (xitt.tasks)
    task: str
    train_languages: tuple[str, ...]
    eval_languages: tuple[str, ...] = ()  # empty for intermediate tasks


@dataclass(frozen=True)
class MixRef:
    """``mix(toy.{nli, qa} @ en, sampling: temperature)``: one intermediate unit trained on
    several tasks at once, drawing examples by ``sampling``."""

    tasks: tuple[TaskRef, ...]
    mixing: Mixing = Mixing()  # sampling "proportional" | "uniform" | "temperature", and the temperature


@dataclass(frozen=True)
class TaskSet:
    """A named set of tasks. A set written with ``train @ .. eval @ ..`` is a target set;
    any other set is a set of intermediate units: a task trained on alone, or a mixture."""

    name: str
    role: str  # "intermediate" | "target"
    tasks: tuple[TaskRef | MixRef, ...]  # MixRef only in intermediate sets
    location: Location | None = None


@dataclass(frozen=True)
class SimilaritySpec:
    """``similarity text = text_embedding(pool: mean, samples: 512)``."""

    name: str
    measure: str
    params: Params
    location: Location | None = None


@dataclass(frozen=True)
class CorrelateSpec:
    """``correlate spearman(similarity.*, gain) per target with permutation(1000)``."""

    methods: tuple[str, ...]
    similarities: tuple[str, ...]  # names of SimilaritySpec, wildcards expanded
    outcome: str = "gain"
    per: str = "target"  # "target" | "language" | "pooled"
    settings: Params = field(default_factory=dict)  # e.g. {"bootstrap": 2000, "permutation": 10000, "adjust": "holm"}
    location: Location | None = None


@dataclass(frozen=True)
class CompareSpec:
    """``compare english vs multilingual``: two intermediate task sets."""

    left: str
    right: str
    location: Location | None = None


@dataclass(frozen=True)
class ReportSpec:
    """``report table, heatmap(gain) to "reports/quickstart"``."""

    items: tuple[tuple[str, Params], ...]  # (kind, params), e.g. ("table", {})
    path: str
    location: Location | None = None


@dataclass(frozen=True)
class DataSpec:
    """``data xnli = local("data/xnli/xnli.{split}.tsv", dev: "dev")``: a real task's files."""

    task: str  # the registered task's canonical name
    kind: str  # "local"
    path: str  # may hold {language}, {code}, {split}; relative to the experiment's folder
    splits: tuple[tuple[str, str], ...] = ()  # xitt's split name -> the files' name for it
    location: Location | None = None


@dataclass(frozen=True)
class Program:
    name: str
    source_path: str
    world: WorldSpec | None  # None for a study of registered real tasks on a hub checkpoint
    model: ModelSpec
    task_sets: tuple[TaskSet, ...]
    train: Mapping[str, Params]  # "intermediate" / "target" -> {"lr": .., "epochs": .., "batch": ..}; a sweep's first value
    seeds: tuple[int, ...]
    similarities: tuple[SimilaritySpec, ...]
    correlations: tuple[CorrelateSpec, ...]
    comparisons: tuple[CompareSpec, ...] = ()
    report: ReportSpec | None = None
    sweeps: Mapping[str, Mapping[str, tuple]] = field(default_factory=dict)  # phase -> param -> values, in written order
    data: tuple[DataSpec, ...] = ()  # declared files of real tasks; the only files a program names
    written: Mapping[str, frozenset[str]] = field(default_factory=dict)  # phase -> train params written (or --set)

    def sets(self, role: str) -> tuple[TaskSet, ...]:
        return tuple(s for s in self.task_sets if s.role == role)
