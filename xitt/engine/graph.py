"""The graph of steps: pure data, made by the compiler, run by the scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

InputRef = str | tuple[str, ...]  # one step id, or several for a role that gathers


@dataclass(frozen=True)
class Step:
    """One unit of cached work: which op, with what params, on which steps' outputs, and
    which files or directories outside the store it reads (``external``: absolute paths,
    whose content is fingerprinted into the key; fingerprints.py)."""

    id: str  # readable and unique within a graph, e.g. "target/nli/english:paraphrase@en/seed=1"
    op: str
    params: Mapping[str, Any]
    inputs: Mapping[str, InputRef] = field(default_factory=dict)
    external: tuple[str, ...] = ()

    def input_ids(self) -> Iterator[str]:
        for ref in self.inputs.values():
            yield from ((ref,) if isinstance(ref, str) else ref)


@dataclass(frozen=True)
class Graph:
    """Steps in an order where every step comes after its inputs."""

    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"duplicate step id {step.id!r}")
            missing = [i for i in step.input_ids() if i not in seen]
            if missing:
                raise ValueError(f"step {step.id!r} comes before its inputs {missing}")
            seen.add(step.id)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}
