"""Reading a store for people: `explain` one step, `status` of a whole store. Data only;
the CLI renders it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from xitt.engine.plan import PlannedStep, shown_path
from xitt.engine.store import Artifact, Store
from xitt.errors import UserError


@dataclass(frozen=True)
class Upstream:
    depth: int
    step_id: str
    op: str
    key: str | None
    status: str


@dataclass(frozen=True)
class Explanation:
    """Everything recorded about one step: what plan says now, and how its artifact was made."""

    planned: PlannedStep
    meta: Mapping[str, Any] | None  # provenance of the stored artifact, if there is one
    failure: Mapping[str, Any] | None
    chain: list[Upstream]


def find_step(planned: Sequence[PlannedStep], name: str) -> PlannedStep:
    """A step by exact id, by a unique part of its id, or by a key prefix."""
    exact = [p for p in planned if p.step.id == name]
    matches = exact or [p for p in planned if name in p.step.id or (p.key or "").startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserError(f"no step matches {name!r}", hint="`xitt plan FILE` lists every step id")
    shown = ", ".join(p.step.id for p in matches[:5])
    raise UserError(f"{len(matches)} steps match {name!r}: {shown}{', ...' if len(matches) > 5 else ''}",
                    hint="give more of the step id")


def explain(planned: Sequence[PlannedStep], store: Store, name: str) -> Explanation:
    entry = find_step(planned, name)
    meta = Artifact(entry.key, store.artifacts / entry.key).meta if entry.key and store.record(entry.key) else None
    by_id = {p.step.id: p for p in planned}
    chain: list[Upstream] = []

    def walk(step_id: str, depth: int) -> None:
        for input_id in dict.fromkeys(by_id[step_id].step.input_ids()):
            source = by_id[input_id]
            chain.append(Upstream(depth, input_id, source.step.op, source.key, source.status))
            walk(input_id, depth + 1)

    walk(entry.step.id, 1)
    return Explanation(entry, meta, store.failures().get(entry.step.id), chain)


@dataclass
class OpUsage:
    artifacts: int = 0
    bytes: int = 0
    pruned: int = 0


@dataclass
class StoreStatus:
    """A store at a glance: artifacts and bytes per op, failures, leftovers, corrupt entries."""

    artifacts: int = 0
    bytes: int = 0
    by_op: dict[str, OpUsage] = field(default_factory=dict)
    failures: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    stale_temp_dirs: int = 0
    corrupt: dict[str, str] = field(default_factory=dict)  # key -> what is wrong
    experiment: Counter = field(default_factory=Counter)  # status -> steps, for the given experiment
    inputs_changed: list[str] = field(default_factory=list)  # "path (step ids)" for external inputs that changed
    inputs_replaced: list[str] = field(default_factory=list)  # files whose content changed though size and mtime did not


def status(store: Store, planned: Sequence[PlannedStep] = (), verify: bool = False,
           replaced: Sequence[str] = ()) -> StoreStatus:
    """Summarise ``store``; with ``verify`` every artifact is re-hashed against its checksums
    (and ``planned`` should come from a plan with ``verify``, which re-hashes external inputs;
    ``replaced`` are the files it found changed behind an unchanged size and mtime)."""
    summary = StoreStatus(failures=store.failures(), stale_temp_dirs=len(store.stale_temp_dirs()),
                          inputs_replaced=list(replaced))
    changed: dict[str, list[str]] = {}
    for entry in planned:
        for reason in entry.reasons:
            if reason.kind == "input changed" and reason.detail in {shown_path(p) for p in entry.step.external}:
                changed.setdefault(reason.detail, []).append(entry.step.id)
    summary.inputs_changed = [f"{path} (read by {', '.join(ids[:3])}{' ...' if len(ids) > 3 else ''})" for path, ids in changed.items()]
    for key in list(store.keys()):
        record = store.record(key)
        if record is None:
            continue
        usage = summary.by_op.setdefault(record.get("op") or "?", OpUsage())
        usage.artifacts += 1
        usage.bytes += record["bytes"]
        usage.pruned += record["pruned"]
        summary.artifacts += 1
        summary.bytes += record["bytes"]
        trouble = store.problem(key, record, full=verify)
        if trouble:
            summary.corrupt[key] = f"{record.get('step')}: {trouble}"
    summary.experiment = Counter(p.status for p in planned)
    summary.experiment["failed"] = sum(1 for p in planned if p.step.id in summary.failures)
    return summary
