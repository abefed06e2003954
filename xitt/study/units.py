"""Intermediate units, targets, similarity rows and example sources, as typed values.

Each has one JSON form (``to_json``), read back by one function (``from_json``, or
``unit_from_json`` for a unit, the only place that tells a mixture's JSON from a task's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union

from xitt.models.params import Mixing


@dataclass(frozen=True)
class Task:
    """One task trained in ``languages``: an intermediate unit alone, or a part of a mixture.
    JSON: ``{"task": "nli", "languages": ["en"]}``."""

    task: str
    languages: tuple[str, ...]

    @property
    def parts(self) -> tuple[Task, ...]:
        return (self,)

    @property
    def mixing(self) -> Mixing:
        """One task: nothing to mix (every batch is its own)."""
        return Mixing()

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "languages": list(self.languages)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Task:
        return cls(data["task"], tuple(data["languages"]))


@dataclass(frozen=True)
class Mixture:
    """Several tasks trained at once, one head each, batches drawn as ``mixing`` says.
    JSON: ``{"tasks": [task, ...], "sampling": "temperature", "temperature": 2.0}``."""

    parts: tuple[Task, ...]
    mixing: Mixing = Mixing()

    def to_json(self) -> dict[str, Any]:
        return {"tasks": [part.to_json() for part in self.parts], **self.mixing.to_params()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Mixture:
        mixing = Mixing.from_params({name: data[name] for name in Mixing.signature() if name in data})
        return cls(tuple(Task.from_json(part) for part in data["tasks"]), mixing)


Unit = Union[Task, Mixture]


def unit_from_json(data: Mapping[str, Any]) -> Unit:
    """A unit from its JSON form: a mixture has ``tasks``, a task has ``task``."""
    return Mixture.from_json(data) if "tasks" in data else Task.from_json(data)


@dataclass(frozen=True)
class Target:
    """A target task: trained in ``train_languages`` (English), scored zero-shot in
    ``eval_languages``. JSON: ``{"task", "train_languages", "eval_languages"}``."""

    task: str
    train_languages: tuple[str, ...]
    eval_languages: tuple[str, ...]

    @property
    def parts(self) -> tuple[Task, ...]:
        return (Task(self.task, self.train_languages),)

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "train_languages": list(self.train_languages), "eval_languages": list(self.eval_languages)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        return cls(data["task"], tuple(data["train_languages"]), tuple(data["eval_languages"]))


@dataclass(frozen=True)
class Compared:
    """One row (an intermediate unit) or column (a target) of a similarity matrix.

    JSON: a row is ``{"label", **unit}``; a column ``{"label", "task", "languages",
    "eval_languages"}`` (``languages`` are the training languages)."""

    label: str
    subject: Task | Mixture | Target

    @property
    def is_target(self) -> bool:
        return isinstance(self.subject, Target)

    @property
    def parts(self) -> tuple[Task, ...]:
        return self.subject.parts

    def to_json(self) -> dict[str, Any]:
        s = self.subject
        if isinstance(s, Target):
            return {"label": self.label, "task": s.task, "languages": list(s.train_languages), "eval_languages": list(s.eval_languages)}
        return {"label": self.label, **s.to_json()}

    @classmethod
    def row(cls, data: Mapping[str, Any]) -> Compared:
        return cls(data["label"], unit_from_json({k: v for k, v in data.items() if k != "label"}))

    @classmethod
    def column(cls, data: Mapping[str, Any]) -> Compared:
        return cls(data["label"], Target(data["task"], tuple(data["languages"]), tuple(data["eval_languages"])))


@dataclass(frozen=True)
class LocalFiles:
    """Where a real task's examples are read from instead of the hub: a path template (may
    hold ``{language}``, ``{code}``, ``{split}``; absolute) and the files' names for xitt's
    splits. JSON: ``{"path": "...", "splits": {"dev": "validation"}}``."""

    path: str
    splits: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "splits": dict(self.splits)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> LocalFiles | None:
        return None if data is None else cls(data["path"], tuple((data.get("splits") or {}).items()))
