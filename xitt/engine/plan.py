"""Before anything runs: every step's key, whether it is cached, and why it would run.

A step's key hashes its inputs' *content digests* (early cutoff), so it is known only once
its inputs are. Downstream of a step that will run, ``plan`` cannot know the key yet and
says ``may run``: the step is skipped at run time if the re-run input comes out the same.
Reasons are given for the whole graph, never stopping at the first miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from xitt.engine.graph import Graph, Step
from xitt.engine.keys import hash_struct, step_key
from xitt.engine.registry import get_op
from xitt.engine.store import Store

CACHED, RUN, MAY_RUN = "cached", "run", "may run"
CORRUPT = "corrupt"  # the reason given for a stored artifact that failed its checks


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    key: str | None  # None while an input is still to be computed
    status: str  # CACHED, RUN or MAY_RUN
    reason: str  # "cached", "new", "params changed", "code changed", "input changed: ...", "input may change: ...", ...
    fingerprint: Mapping[str, Any]
    digest: str | None = None  # content digest, for cached steps
    pruned: bool = False  # cached, but its big files were removed by `gc`

    @property
    def cached(self) -> bool:
        return self.status == CACHED


def input_digests(step: Step, digests: Mapping[str, str]) -> dict[str, Any]:
    """The role -> digest(s) map that goes into a step's key."""
    return {
        role: digests[ref] if isinstance(ref, str) else [digests[r] for r in ref]
        for role, ref in step.inputs.items()
    }


def fingerprint_of(step: Step, digests: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """A step's key and what `plan` compares to say why it changed; inputs' digests must be known."""
    version = get_op(step.op).version
    inputs = input_digests(step, digests)
    key = step_key(step.op, version, step.params, inputs)
    return key, {"key": key, "op": step.op, "version": version, "params": hash_struct(step.params), "inputs": inputs}


def plan(graph: Graph, store: Store, verify: bool = False) -> list[PlannedStep]:
    """Keys and reasons for the whole graph in order; ``verify`` re-hashes every cached artifact."""
    digests: dict[str, str] = {}
    planned: list[PlannedStep] = []
    for step in graph:
        waiting = [i for i in step.input_ids() if i not in digests]
        if waiting:
            version = get_op(step.op).version
            fingerprint = {"op": step.op, "version": version, "params": hash_struct(step.params), "inputs": None}
            reason = _why(store.last_fingerprint(step.id), fingerprint, step, waiting)
            planned.append(PlannedStep(step, None, MAY_RUN, reason, fingerprint))
            continue
        key, fingerprint = fingerprint_of(step, digests)
        record = store.record(key)
        trouble = store.problem(key, record, full=verify) if record is not None else None
        if record is not None and trouble is None:
            digests[step.id] = record["digest"]
            planned.append(PlannedStep(step, key, CACHED, CACHED, fingerprint, record["digest"], record["pruned"]))
        else:
            reason = f"{CORRUPT}: {trouble}" if trouble else _why(store.last_fingerprint(step.id), fingerprint, step, [])
            planned.append(PlannedStep(step, key, RUN, reason, fingerprint))
    return _rerun_pruned_inputs(planned)


def _rerun_pruned_inputs(planned: list[PlannedStep]) -> list[PlannedStep]:
    """A pruned artifact whose consumer will (or may) run must be computed again first."""
    index = {p.step.id: i for i, p in enumerate(planned)}
    for entry in reversed(list(planned)):
        if planned[index[entry.step.id]].cached:
            continue
        for input_id in entry.step.input_ids():
            source = planned[index[input_id]]
            if source.cached and source.pruned:
                planned[index[input_id]] = PlannedStep(
                    source.step, source.key, RUN, f"pruned by gc; needed by {entry.step.id}", source.fingerprint)
    return planned


def _why(last: Mapping[str, Any] | None, now: Mapping[str, Any], step: Step, waiting: list[str]) -> str:
    """Compare with the fingerprint the step id was last computed (or first found) under; a step
    found cached as planned records nothing, so a cached re-run writes nothing to the index."""
    if last is None:
        return "new"
    reasons = []
    if last["params"] != now["params"]:
        reasons.append("params changed")
    if last["version"] != now["version"] or last.get("op") != now["op"]:
        reasons.append("code changed")
    if now["inputs"] is not None:
        changed = [role for role in now["inputs"] if last["inputs"].get(role) != now["inputs"][role]]
        if changed:
            refs = [step.inputs[role] for role in changed]
            names = [r if isinstance(r, str) else f"{role} ({len(r)} steps)" for role, r in zip(changed, refs)]
            reasons.append("input changed: " + ", ".join(names))
    if waiting:
        more = f" and {len(waiting) - 1} more" if len(waiting) > 1 else ""
        reasons.append(f"input may change: {waiting[0]}{more}")
    if not reasons:
        return "not in store" if last.get("key") == now.get("key") else "new"
    return "; ".join(reasons)
