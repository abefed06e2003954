"""The op registry: ops declare what they are; the engine runs them without knowing what they do."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from xitt.engine.code import CodeVersion, code_version

ProgressFn = Callable[[int, int, Mapping[str, float]], None]


@dataclass
class StepContext:
    """What an op sees: its params, its inputs' artifacts, a directory to write into, a way
    to report progress, and how many threads it may use. ``info`` is merged into the
    artifact's provenance (e.g. the device)."""

    step_id: str
    params: Mapping[str, Any]
    inputs: Mapping[str, Any]  # role -> Artifact, or tuple of Artifacts
    out_dir: Path
    progress: ProgressFn = lambda step, total, metrics: None
    info: dict[str, Any] = field(default_factory=dict)
    threads: int = 1  # the step's share of this machine's cores when it started (engine/threads.py)
    threads_now: Callable[[], int] = lambda: 1  # the share as it stands now (other runs come and go)


OpFn = Callable[[StepContext], Mapping[str, Any]]


@dataclass(frozen=True)
class Op:
    """A registered step implementation.

    ``version`` is the pin when the op gives one (its author vouches that changes keep its
    results), else the hash of the normalised source of the op's module and every module it
    imports, transitively (``code.py``). ``libraries`` names the installed distributions whose
    versions shape the op's output (``("torch", "transformers")``): they are part of its steps'
    keys. ``resources`` is what a step asks of an executor (e.g. ``{"gpu": 1}``); ``keep``
    says whether the artifact's files are worth keeping once no later step needs them.
    ``params`` is the type of the op's step params, when it declares one: a class with
    ``from_json(params)`` that reads them and ``to_json()`` that writes them back; the engine
    never calls it, the compiler writes through it, the op reads through it, and a test
    (tests/test_architecture.py) checks that every compiled step's params read back to themselves.
    """

    name: str
    fn: OpFn
    pin: str | None = None
    resources: Mapping[str, float] = field(default_factory=dict)
    keep: bool = True
    libraries: tuple[str, ...] = ()
    modules: tuple[tuple[str, str], ...] = ()  # (name, file) of the op's module and its helpers', found at registration
    params: type | None = None

    @property
    def code(self) -> CodeVersion | None:
        """The modules the version covers, with their hashes; None for a pinned op."""
        if self.pin is not None:
            return None
        return code_version(self.modules or (_module_of(self.fn),))

    @property
    def version(self) -> str:
        return self.pin if self.pin is not None else self.code.version  # type: ignore[union-attr]


def _module_of(thing: Any) -> tuple[str, str]:
    """A function's (or a module's, or a callable object's class's) module name and source file."""
    if inspect.ismodule(thing):
        return thing.__name__, getattr(thing, "__file__", None) or ""
    if not (inspect.isfunction(thing) or inspect.isclass(thing) or inspect.ismethod(thing)):
        thing = type(thing)
    return thing.__module__, inspect.getsourcefile(thing) or ""


_OPS: dict[str, Op] = {}


def op(
    name: str,
    *,
    version: str | None = None,
    helpers: Iterable[Callable] = (),
    resources: Mapping[str, float] | None = None,
    keep: bool = True,
    libraries: Iterable[str] = (),
    params: type | None = None,
) -> Callable[[OpFn], OpFn]:
    """Register ``fn`` as the op ``name``. ``helpers`` may name functions of other modules
    whose imports the version should follow too (the op's own module is always followed)."""

    def register(fn: OpFn) -> OpFn:
        if name in _OPS and _OPS[name].fn is not fn:
            raise ValueError(f"op {name!r} registered twice")
        modules = tuple(dict.fromkeys(_module_of(f) for f in (fn, *helpers))) if version is None else ()
        _OPS[name] = Op(name, fn, version, dict(resources or {}), keep, tuple(libraries), modules, params)
        return fn

    return register


def get_op(name: str) -> Op:
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"no op named {name!r}; registered: {', '.join(sorted(_OPS))}") from None


def registered_ops() -> dict[str, Op]:
    return dict(_OPS)
