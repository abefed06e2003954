"""What each study op reads: its step params as one typed value, written by the compiler
(``to_json``) and read by the op (``from_json``). The JSON forms are the ones the step
keys were made of before the types existed, so keys do not change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from xitt.models.params import TrainSettings
from xitt.signature import Params
from xitt.study.units import Compared, LocalFiles, Mixture, Target, Task, unit_from_json


@dataclass(frozen=True)
class IntermediateStep:
    """``train.intermediate``: one unit, the phase's training settings, the seed.
    JSON: ``{**unit, "train": {...}, "seed": 1}``."""

    unit: Task | Mixture
    train: TrainSettings
    seed: int

    def to_json(self) -> dict[str, Any]:
        return {**self.unit.to_json(), "train": self.train.to_params(), "seed": self.seed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IntermediateStep:
        unit = unit_from_json({k: v for k, v in data.items() if k not in ("train", "seed")})
        return cls(unit, TrainSettings.from_params(data["train"], seed=data["seed"]), data["seed"])


@dataclass(frozen=True)
class TargetStep:
    """``train.target``: the target, the phase's training settings, the seed, and how it
    trains: ``task`` (a head per stage), or ``dual_encoder`` (XTREME-R's retrieval training;
    written only then, so other steps kept their keys).
    JSON: ``{"task", "train_languages", "eval_languages", "train": {...}, "seed": 1, "objective"?}``."""

    target: Target
    train: TrainSettings
    seed: int
    objective: str = "task"

    def to_json(self) -> dict[str, Any]:
        objective = {"objective": self.objective} if self.objective != "task" else {}
        return {**self.target.to_json(), "train": self.train.to_params(), "seed": self.seed, **objective}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetStep:
        target = Target.from_json(data)
        return cls(target, TrainSettings.from_params(data["train"], seed=data["seed"]), data["seed"], data.get("objective", "task"))


@dataclass(frozen=True)
class LoadStep:
    """``task.load``: one real task's examples in one language and split, from the hub or
    from ``local`` files. JSON: ``{"task", "language", "split", "local": {...} | null}``."""

    task: str
    language: str
    split: str
    local: LocalFiles | None = None

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "language": self.language, "split": self.split,
                "local": self.local.to_json() if self.local is not None else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LoadStep:
        return cls(data["task"], data["language"], data["split"], LocalFiles.from_json(data.get("local")))


@dataclass(frozen=True)
class SimilarityStep:
    """``similarity.<measure>``: the measure's declared params, the matrix's rows (units)
    and columns (targets), and the seeds whose intermediate models a model-level measure
    reads. JSON: ``{**measure params, "intermediates": [...], "targets": [...], "seeds"?: [...]}``.

    ``SimilarityStep.of(TextEmbedding)`` is the step type of one measure (an op's ``params=``)."""

    params: Params
    rows: tuple[Compared, ...]
    columns: tuple[Compared, ...]
    seeds: tuple[int, ...] | None = None  # only for measures that read intermediate models
    measure_type: ClassVar[type[Params]] = Params

    @classmethod
    def of(cls, measure_type: type[Params]) -> type[SimilarityStep]:
        return type(f"{measure_type.__name__}Step", (cls,), {"measure_type": measure_type, "__module__": cls.__module__})

    def to_json(self) -> dict[str, Any]:
        seeds = {"seeds": list(self.seeds)} if self.seeds is not None else {}
        return {**self.params.to_json(), "intermediates": [r.to_json() for r in self.rows],
                "targets": [c.to_json() for c in self.columns], **seeds}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SimilarityStep:
        own = {k: v for k, v in data.items() if k not in ("intermediates", "targets", "seeds")}
        seeds = tuple(data["seeds"]) if "seeds" in data else None
        return cls(cls.measure_type.from_json(own), tuple(Compared.row(r) for r in data["intermediates"]),
                   tuple(Compared.column(c) for c in data["targets"]), seeds)

    @property
    def everything(self) -> tuple[Compared, ...]:
        """Rows, then columns: the order a measure embeds them in before splitting."""
        return (*self.rows, *self.columns)


@dataclass(frozen=True)
class GainRow:
    """One gain: target run ``run`` (an index into the input ``runs``) after ``intermediate``,
    against baseline run ``baseline`` (an index into ``baselines``), for one seed."""

    intermediate: str
    target: str
    seed: int
    run: int
    baseline: int

    def to_json(self) -> dict[str, Any]:
        return {"intermediate": self.intermediate, "target": self.target, "seed": self.seed, "run": self.run, "baseline": self.baseline}


@dataclass(frozen=True)
class GainsStep:
    """``stats.gains``: which runs are compared with which baselines, and for a partial study
    what data it lacks (``coverage``, written only then, so complete studies keep their keys).
    JSON: ``{"rows": [...], "coverage"?: {...}}``."""

    rows: tuple[GainRow, ...]
    coverage: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        noted = {"coverage": dict(self.coverage)} if self.coverage else {}
        return {"rows": [row.to_json() for row in self.rows], **noted}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GainsStep:
        return cls(tuple(GainRow(**row) for row in data["rows"]), data.get("coverage"))


@dataclass(frozen=True)
class CorrelateStep:
    """``stats.correlate``: one correlate statement (methods, similarity names, grouping, its
    ``with`` settings as written, each setting's value or params), the intermediate sets
    (name -> unit labels) and the compared pairs of sets."""

    methods: tuple[str, ...]
    similarities: tuple[str, ...]
    per: str
    settings: Mapping[str, Any]
    sets: Mapping[str, tuple[str, ...]]
    compare: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"methods": list(self.methods), "similarities": list(self.similarities), "per": self.per,
                "settings": dict(self.settings), "sets": {name: list(units) for name, units in self.sets.items()},
                "compare": [list(pair) for pair in self.compare]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CorrelateStep:
        return cls(tuple(data["methods"]), tuple(data["similarities"]), data["per"], dict(data["settings"]),
                   {name: tuple(units) for name, units in data["sets"].items()}, tuple(tuple(pair) for pair in data["compare"]))
