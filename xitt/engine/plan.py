"""Before anything runs: every step's key, whether it is cached, and why it would run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from xitt.engine.graph import Graph, Step
from xitt.engine.keys import hash_struct, step_key
from xitt.engine.registry import get_op
from xitt.engine.store import Store


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    key: str
    cached: bool
    reason: str  # "cached", "new", "params changed", "code changed", "input changed: ..." or "not in store"
    fingerprint: Mapping[str, Any]


def input_keys(step: Step, keys: Mapping[str, str]) -> dict[str, Any]:
    """The role -> key(s) map that goes into a step's key."""
    return {
        role: keys[ref] if isinstance(ref, str) else [keys[r] for r in ref]
        for role, ref in step.inputs.items()
    }


def plan(graph: Graph, store: Store) -> list[PlannedStep]:
    """Keys for the whole graph in order, and for each step the reason it runs (or not)."""
    keys: dict[str, str] = {}
    planned = []
    for step in graph:
        version = get_op(step.op).version
        inputs = input_keys(step, keys)
        key = step_key(step.op, version, step.params, inputs)
        keys[step.id] = key
        fingerprint = {"key": key, "op": step.op, "version": version, "params": hash_struct(step.params), "inputs": inputs}
        cached = store.has(key)
        reason = "cached" if cached else _why(store.last_fingerprint(step.id), fingerprint, step)
        planned.append(PlannedStep(step, key, cached, reason, fingerprint))
    return planned


def _why(last: Mapping[str, Any] | None, now: Mapping[str, Any], step: Step) -> str:
    if last is None:
        return "new"
    if last["key"] == now["key"]:
        return "not in store"
    reasons = []
    if last["params"] != now["params"]:
        reasons.append("params changed")
    if last["version"] != now["version"] or last.get("op") != now["op"]:
        reasons.append("code changed")
    changed = [role for role in now["inputs"] if last["inputs"].get(role) != now["inputs"][role]]
    if changed:
        refs = [step.inputs[role] for role in changed]
        names = [r if isinstance(r, str) else f"{role} ({len(r)} steps)" for role, r in zip(changed, refs)]
        reasons.append("input changed: " + ", ".join(names))
    return "; ".join(reasons) or "new"
