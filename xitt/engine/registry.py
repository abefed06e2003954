"""The op registry: ops declare what they are; the engine runs them without knowing what they do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from xitt.engine.keys import source_version

ProgressFn = Callable[[int, int, Mapping[str, float]], None]


@dataclass
class StepContext:
    """What an op sees: its params, its inputs' artifacts, a directory to write into, and a way
    to report progress. ``info`` is merged into the artifact's provenance (e.g. the device)."""

    step_id: str
    params: Mapping[str, Any]
    inputs: Mapping[str, Any]  # role -> Artifact, or tuple of Artifacts
    out_dir: Path
    progress: ProgressFn = lambda step, total, metrics: None
    info: dict[str, Any] = field(default_factory=dict)


OpFn = Callable[[StepContext], Mapping[str, Any]]


@dataclass(frozen=True)
class Op:
    """A registered step implementation.

    ``version`` is the hash of the function's source and declared helpers unless pinned;
    ``resources`` is what a step asks of an executor (e.g. ``{"gpu": 1}``); ``keep`` says
    whether the artifact's files are worth keeping once no later step needs them.
    """

    name: str
    fn: OpFn
    version: str
    resources: Mapping[str, float] = field(default_factory=dict)
    keep: bool = True


_OPS: dict[str, Op] = {}


def op(
    name: str,
    *,
    version: str | None = None,
    helpers: Iterable[Callable] = (),
    resources: Mapping[str, float] | None = None,
    keep: bool = True,
) -> Callable[[OpFn], OpFn]:
    """Register ``fn`` as the op ``name``."""

    def register(fn: OpFn) -> OpFn:
        if name in _OPS and _OPS[name].fn is not fn:
            raise ValueError(f"op {name!r} registered twice")
        _OPS[name] = Op(name, fn, version or source_version(fn, tuple(helpers)), dict(resources or {}), keep)
        return fn

    return register


def get_op(name: str) -> Op:
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"no op named {name!r}; registered: {', '.join(sorted(_OPS))}") from None


def registered_ops() -> dict[str, Op]:
    return dict(_OPS)
