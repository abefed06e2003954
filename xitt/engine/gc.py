"""Garbage collection and retention: what no given experiment references goes, and the files
of ``keep=False`` ops (model weights) go once every step that reads them is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from xitt.engine.plan import PlannedStep
from xitt.engine.registry import get_op
from xitt.engine.store import KEPT_WHEN_PRUNED, Store


@dataclass
class Collection:
    """What `gc` removes (or would, with ``--dry-run``)."""

    remove: dict[str, int] = field(default_factory=dict)  # key -> bytes
    prune: dict[str, int] = field(default_factory=dict)  # key -> bytes freed (record and result stay)
    temp_dirs: int = 0

    @property
    def bytes(self) -> int:
        return sum(self.remove.values()) + sum(self.prune.values())


def referenced(plans: Sequence[Sequence[PlannedStep]], store: Store) -> set[str]:
    """Keys the experiments use now, and the last artifact of every step that may run (early cutoff may reuse it)."""
    keys = set()
    for planned in plans:
        for entry in planned:
            if entry.key:
                keys.add(entry.key)
            else:
                last = store.last_fingerprint(entry.step.id)
                if last and last.get("key"):
                    keys.add(last["key"])
    return keys


def prunable(plans: Sequence[Sequence[PlannedStep]]) -> set[str]:
    """Cached artifacts of ``keep=False`` ops whose consumers, in every given experiment, are cached."""
    candidates: dict[str, bool] = {}
    for planned in plans:
        by_id = {p.step.id: p for p in planned}
        consumers: dict[str, list[PlannedStep]] = {p.step.id: [] for p in planned}
        for entry in planned:
            for input_id in set(entry.step.input_ids()):
                consumers[input_id].append(entry)
        for step_id, entry in by_id.items():
            if entry.cached and not entry.pruned and not get_op(entry.step.op).keep:
                done = all(c.cached for c in consumers[step_id])
                candidates[entry.key] = candidates.get(entry.key, True) and done
    return {key for key, ok in candidates.items() if ok}


def collect(plans: Sequence[Sequence[PlannedStep]], store: Store, retention: bool = True) -> Collection:
    keep = referenced(plans, store)
    result = Collection(temp_dirs=len(store.stale_temp_dirs()))
    for key in list(store.keys()):
        record = store.record(key)
        if record is not None and key not in keep:
            result.remove[key] = record["bytes"]
    if retention:
        for key in prunable(plans) - set(result.remove):
            record = store.record(key)
            result.prune[key] = sum(size for name, (size, _) in record["files"].items() if name not in KEPT_WHEN_PRUNED)
    return result


def apply(collection: Collection, store: Store) -> None:
    """Remove and prune as collected; artifact directories no record names go too. Refused
    (UserError, nothing removed) while a run on another host writes the store."""
    with store.writing("gc"):
        _apply(collection, store)


def _apply(collection: Collection, store: Store) -> None:
    for key in collection.remove:
        store.remove(key)
        (store.logs / f"{key}.log").unlink(missing_ok=True)
    for key in collection.prune:
        store.prune(key)
    for stale in store.stale_temp_dirs():
        store.discard(stale)
    if any(store.locks.iterdir()):  # a run may be between rename and record: leave orphans alone
        return
    recorded = set(store.keys())
    for path in store.artifacts.iterdir():
        if path.name not in recorded:
            store.discard(path)
