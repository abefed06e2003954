"""Before anything runs: every step's key, whether it is cached, and why it would run.

A step's key hashes its inputs' *content digests* (early cutoff), so it is known only once
its inputs are. Downstream of a step that will run, ``plan`` cannot know the key yet and
says ``may run``: the step is skipped at run time if the re-run input comes out the same.
Reasons are given for the whole graph, never stopping at the first miss.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from xitt.engine.code import changed_files
from xitt.engine.fingerprints import Fingerprints, changed_paths
from xitt.engine.graph import Graph, Step
from xitt.engine.hosts import other_hosts
from xitt.engine.keys import hash_struct, step_key
from xitt.engine.libraries import keyed_versions
from xitt.engine.registry import get_op
from xitt.engine.store import Store



class Status(StrEnum):
    """Where a step stands before a run: its artifact is cached, it will run, or it may run
    (an input is still to be computed, and may come out the same)."""

    CACHED = "cached"
    RUN = "run"
    MAY_RUN = "may run"


class Outcome(StrEnum):
    """What a run did with a step."""

    RAN = "ran"
    CACHED = "cached"
    FAILED = "failed"


CACHED, RUN, MAY_RUN = Status.CACHED, Status.RUN, Status.MAY_RUN
CORRUPT = "corrupt"  # the kind of reason given for a stored artifact that failed its checks


@dataclass(frozen=True)
class Reason:
    """One reason a step runs: a kind ("new", "params changed", "code changed", "library
    changed", "input changed", "input may change", ...) and what exactly, e.g.
    ``code changed: xitt/models/loop.py`` or ``library changed: transformers 5.24.0 -> 5.25.0``."""

    kind: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    key: str | None  # None while an input is still to be computed
    status: Status
    reason: str  # the reasons, as one line: "new", "code changed: xitt/models/loop.py; input changed: ...", ...
    fingerprint: Mapping[str, Any]
    digest: str | None = None  # content digest, for cached steps
    pruned: bool = False  # cached, but its big files were removed by `gc`
    reasons: tuple[Reason, ...] = ()

    @property
    def cached(self) -> bool:
        return self.status == CACHED

    @property
    def corrupt(self) -> Reason | None:
        """The reason its stored artifact was found corrupt (the check that failed), if it was."""
        return next((r for r in self.reasons if r.kind == CORRUPT), None)


def counts_line(planned: list[PlannedStep]) -> str:
    """'N steps: C cached, R to run[, M may run (...)]': one wording for `plan` and `run`."""
    to_run, may_run = sum(e.status == RUN for e in planned), sum(e.status == MAY_RUN for e in planned)
    line = f"{len(planned)} steps: {len(planned) - to_run - may_run} cached, {to_run} to run"
    return line + (f", {may_run} may run (skipped if their inputs come out unchanged)" if may_run else "")


def why_lines(planned: list[PlannedStep], most: int = 6) -> list[str]:
    """What will run and why, grouped: '10 steps: params changed: epochs 2 -> 3', the
    commonest reasons first (``most`` of them, then a count of the rest)."""
    counts: dict[str, int] = {}
    for entry in planned:
        if entry.status == RUN:
            counts[entry.reason] = counts.get(entry.reason, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    lines = [f"{n} step{'' if n == 1 else 's'}: {reason}" for reason, n in ordered[:most]]
    rest = sum(n for _, n in ordered[most:])
    return lines + ([f"{rest} more steps for {len(ordered) - most} other reasons (`xitt plan` lists each)"] if rest else [])


def input_digests(step: Step, digests: Mapping[str, str]) -> dict[str, Any]:
    """The role -> digest(s) map that goes into a step's key."""
    return {
        role: digests[ref] if isinstance(ref, str) else [digests[r] for r in ref]
        for role, ref in step.inputs.items()
    }


class Keyer:
    """Keys against one store: each op's version and library versions (keep-choices applied)
    and each external path's fingerprint are found once, however many steps share them."""

    def __init__(self, store: Store, verify: bool = False):
        self.store = store
        # A plan writes nothing to an index another host is writing (a login node's `xitt status`
        # while a cluster job runs): the hashes of changed input files are then only computed.
        self.external = Fingerprints(store, verify, remember=not other_hosts(store.runs))
        self.kept = store.kept_libraries()
        self._ops: dict[str, tuple[str, dict[str, str]]] = {}

    def op(self, name: str) -> tuple[str, dict[str, str]]:
        """An op's version and the versions of its libraries that go into keys."""
        found = self._ops.get(name)
        if found is None:
            op = get_op(name)
            found = self._ops[name] = (op.version, keyed_versions(op.libraries, self.kept))
        return found

    def partial(self, step: Step) -> dict[str, Any]:
        """What is known of a step's fingerprint before its inputs are computed."""
        version, libraries = self.op(step.op)
        # params as written too, so that `plan` can name the one that changed and its old value
        return {"op": step.op, "version": version, "params": hash_struct(step.params), "param_values": dict(step.params),
                "inputs": None, "libraries": libraries, "external": self.external.of(step.external)}

    def fingerprint(self, step: Step, digests: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        """A step's key and what `plan` compares to say why it changed; inputs' digests must be known."""
        fingerprint = self.partial(step)
        inputs = input_digests(step, digests)
        key = step_key(step.op, fingerprint["version"], step.params, inputs, fingerprint["libraries"], fingerprint["external"])
        return key, {**fingerprint, "key": key, "inputs": inputs}


def plan(graph: Graph, store: Store, verify: bool = False, keyer: Keyer | None = None) -> list[PlannedStep]:
    """Keys and reasons for the whole graph in order; ``verify`` re-hashes every cached artifact
    and every external input file (ignoring their remembered size and mtime)."""
    keyer = keyer or Keyer(store, verify)
    digests: dict[str, str] = {}
    planned: list[PlannedStep] = []
    for step in graph:
        waiting = [i for i in step.input_ids() if i not in digests]
        if waiting:
            fingerprint = keyer.partial(step)
            last = store.last_fingerprint(step.id)
            reasons = _why(store, last, fingerprint, step, waiting)
            # Early cutoff can skip this step only if its inputs come out as in some earlier run;
            # a step whose op, version and params no run has recorded cannot be skipped.
            certain = last is None and not store.seen(fingerprint)
            planned.append(PlannedStep(step, None, RUN if certain else MAY_RUN, _line(reasons), fingerprint, reasons=reasons))
            continue
        key, fingerprint = keyer.fingerprint(step, digests)
        record = store.record(key)
        trouble = store.problem(key, record, full=verify) if record is not None else None
        if record is not None and trouble is None:
            digests[step.id] = record["digest"]
            planned.append(PlannedStep(step, key, CACHED, CACHED, fingerprint, record["digest"], record["pruned"]))
        else:
            reasons = (Reason(CORRUPT, trouble),) if trouble else _why(store, store.last_fingerprint(step.id), fingerprint, step, [])
            planned.append(PlannedStep(step, key, RUN, _line(reasons), fingerprint, reasons=reasons))
    return _rerun_pruned_inputs(planned)


def _line(reasons: tuple[Reason, ...]) -> str:
    return "; ".join(map(str, reasons))


def _rerun_pruned_inputs(planned: list[PlannedStep]) -> list[PlannedStep]:
    """A pruned artifact whose consumer will (or may) run must be computed again first."""
    index = {p.step.id: i for i, p in enumerate(planned)}
    for entry in reversed(list(planned)):
        if planned[index[entry.step.id]].cached:
            continue
        for input_id in entry.step.input_ids():
            source = planned[index[input_id]]
            if source.cached and source.pruned:
                reason = Reason("pruned by gc", f"needed by {entry.step.id}")
                planned[index[input_id]] = PlannedStep(
                    source.step, source.key, RUN, str(reason), source.fingerprint, reasons=(reason,))
    return planned


def _why(store: Store, last: Mapping[str, Any] | None, now: Mapping[str, Any], step: Step,
         waiting: list[str]) -> tuple[Reason, ...]:
    """Compare with the fingerprint the step id was last computed (or first found) under; a step
    found cached as planned records nothing, so a cached re-run writes nothing to the index."""
    if last is None:
        return (Reason("new"),)
    reasons = [
        *_params_reasons(last, now),
        *_code_reasons(store, last, now),
        *_library_reasons(last, now),
        *_external_reasons(last, now),
        *_input_reasons(last, now, step),
    ]
    if waiting:
        more = f" and {len(waiting) - 1} more" if len(waiting) > 1 else ""
        reasons.append(Reason("input may change", f"{waiting[0]}{more}"))
    if not reasons:
        return (Reason("not in store" if last.get("key") == now.get("key") else "new"),)
    return tuple(reasons)


def _params_reasons(last: Mapping[str, Any], now: Mapping[str, Any]) -> list[Reason]:
    """``params changed: epochs 2 -> 3``; without the detail for a step last recorded before
    fingerprints kept the values."""
    if last["params"] == now["params"]:
        return []
    changes = param_changes(last["param_values"], now["param_values"]) if "param_values" in last else []
    return [Reason("params changed", ", ".join(map(str, changes)))]


_MISSING = object()


@dataclass(frozen=True)
class ParamChange:
    """One parameter whose value differs from the last run under the same step id."""

    name: str  # dotted path for nested params ("train.lr")
    old: Any  # _MISSING when the parameter is new
    new: Any  # _MISSING when the parameter was removed

    def __str__(self) -> str:
        return f"{self.name} {_value(self.old)} -> {_value(self.new)}"


def _value(value: Any, most: int = 40) -> str:
    """A parameter's value as a user wrote it; a long list or mapping by its size only."""
    if value is _MISSING:
        return "(unset)"
    shown = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(shown) <= most:
        return shown
    if isinstance(value, (list, tuple)):
        return f"[{len(value)} items]"
    if isinstance(value, Mapping):
        return f"{{{len(value)} keys}}"
    return shown[:most - 1] + "…"


def param_changes(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[ParamChange]:
    """Every parameter that differs, nested mappings compared key by key, in sorted name order."""
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name, _MISSING), new.get(name, _MISSING)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            changes.extend(param_changes(before, after, f"{prefix}{name}."))
        elif before is _MISSING or after is _MISSING or hash_struct(before) != hash_struct(after):
            changes.append(ParamChange(prefix + name, before, after))
    return changes


def _code_reasons(store: Store, last: Mapping[str, Any], now: Mapping[str, Any]) -> list[Reason]:
    """``code changed: xitt/models/loop.py, ...``: the files whose normalised source differs
    from the version the step was last made with (as recorded by that run), else the versions."""
    if last["version"] == now["version"] and last.get("op") == now["op"]:
        return []
    code = get_op(now["op"]).code
    before = store.code_files(last["version"])
    if code is None or before is None:
        return [Reason("code changed", f"version {last['version']} -> {now['version']}")]
    files = changed_files(before, code.files)
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return [Reason("code changed", shown)]


def _library_reasons(last: Mapping[str, Any], now: Mapping[str, Any]) -> list[Reason]:
    before, after = last.get("libraries"), now.get("libraries") or {}
    if before is None:  # recorded before libraries were part of keys
        return []
    return [Reason("library changed", f"{name} {before.get(name, 'none')} -> {after.get(name, 'none')}")
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def _external_reasons(last: Mapping[str, Any], now: Mapping[str, Any]) -> list[Reason]:
    before, after = last.get("external"), now.get("external") or {}
    if before is None:
        return []
    return [Reason("input changed", shown_path(path)) for path in changed_paths(before, after)]


def _input_reasons(last: Mapping[str, Any], now: Mapping[str, Any], step: Step) -> list[Reason]:
    if now["inputs"] is None:
        return []
    changed = [role for role in now["inputs"] if (last["inputs"] or {}).get(role) != now["inputs"][role]]
    if not changed:
        return []
    refs = [step.inputs[role] for role in changed]
    names = [r if isinstance(r, str) else f"{role} ({len(r)} steps)" for role, r in zip(changed, refs)]
    return [Reason("input changed", ", ".join(names))]


def shown_path(path: str) -> str:
    """A path as a user would write it: relative to the working directory when under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
