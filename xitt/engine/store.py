"""The store: one directory per artifact under ``.xitt/artifacts``, a diskcache index beside it.

An artifact is written into ``.xitt/tmp``, then renamed into place; only then is its
completion record written to the index. A crash at any point leaves either nothing or a
temporary directory that nothing reads, never a half-result taken for a result.

The completion record holds the artifact's content digest (for early cutoff) and each
file's size and mtime, so a cached check is a few ``stat`` calls; a full check re-hashes
every file against the checksums in ``meta.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

import diskcache

from xitt.engine.hosts import Presence, host_tag, refuse_other_hosts
from xitt.engine.keys import content_digest, hash_file, hash_struct
from xitt.engine.locks import lock_for
from xitt.errors import UserError

RESULT_FILE = "result.json"
META_FILE = "meta.json"
STORE_DIR = ".xitt"
KEPT_WHEN_PRUNED = (RESULT_FILE, META_FILE)
# Index entries are plain strings, "KIND:NAME": diskcache stores str keys as they are, where a
# tuple key would be pickled (and pickle-optimised) on every lookup.
DONE, FAILED, LAST, SEEN = "done:", "failed:", "last:", "seen:"
FILE, CODE, KEPT = "file:", "code:", "kept:"  # an external file's hash; an op version's files; kept libraries


class CorruptArtifact(UserError):
    """A stored artifact no longer matches its checksums; it must be recomputed, never used."""


@dataclass(frozen=True)
class Artifact:
    """A finished step's output: its directory, its JSON result and its provenance."""

    key: str
    path: Path

    @cached_property
    def result(self) -> dict[str, Any]:
        return json.loads((self.path / RESULT_FILE).read_text(encoding="utf-8"))

    @cached_property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.path / META_FILE).read_text(encoding="utf-8"))

    def file(self, name: str) -> Path:
        return self.path / name


class Store:
    """Artifacts by key, completion records, failures and the last fingerprint of every step id."""

    def __init__(self, root: Path):
        self.root = Path(root) / STORE_DIR
        self.artifacts = self.root / "artifacts"
        self.tmp = self.root / "tmp"
        self.logs = self.root / "logs"
        self.locks = self.root / "locks"
        self.runs = self.root / "runs"  # one flocked file per process writing this store (hosts.py)
        for directory in (self.artifacts, self.tmp, self.logs, self.locks, self.runs):
            directory.mkdir(parents=True, exist_ok=True)
        # Never evict: a silently dropped record would mean silently re-training.
        self.index = diskcache.Cache(str(self.root / "index"), size_limit=2**62, eviction_policy="none", timeout=60)

    def close(self) -> None:
        self.index.close()

    def writing(self, what: str) -> Presence:
        """Register this process as writing the store (``with store.writing("run"): ...``);
        UserError, before anything changes, when a process on another host is writing it now."""
        refuse_other_hosts(self.runs, self.root, what)
        return Presence(self.runs, {"what": what})

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------
    def record(self, key: str) -> Mapping[str, Any] | None:
        """The completion record of ``key``: digest, files with sizes and mtimes, pruned flag."""
        return self.index.get(DONE + key)

    def problem(self, key: str, record: Mapping[str, Any], full: bool = False) -> str | None:
        """Why the artifact cannot be trusted, or None. ``full`` re-hashes every file."""
        path = os.path.join(self.artifacts, key)  # str paths: this runs for every step of every plan
        for name, (size, mtime) in record["files"].items():
            try:
                stat = os.stat(os.path.join(path, name))
            except FileNotFoundError:
                return f"{name} is missing"
            if stat.st_size != size or stat.st_mtime_ns != mtime:
                return f"{name} changed after it was written"
        if full:
            checksums = Artifact(key, Path(path)).meta["checksums"]
            for name in record["files"]:
                if name != META_FILE and hash_file(Path(path, name)) != checksums[name]:
                    return f"{name} does not match its checksum"
        return None

    def has(self, key: str) -> bool:
        record = self.record(key)
        return record is not None and self.problem(key, record) is None

    def get(self, key: str, verify: bool = False) -> Artifact:
        """A finished artifact; with ``verify`` its files are re-hashed first."""
        record = self.record(key)
        if record is None:
            raise KeyError(f"no finished artifact {key}")
        trouble = self.problem(key, record, full=verify)
        if trouble:
            raise CorruptArtifact(f"artifact {key} of step {record.get('step')} is corrupt: {trouble}",
                                  hint="run the experiment again: the corrupt artifact is recomputed, never used")
        return Artifact(key, self.artifacts / key)

    def keys(self) -> Iterator[str]:
        for entry in self.index.iterkeys():
            if isinstance(entry, str) and entry.startswith(DONE):
                yield entry[len(DONE):]

    # -- writing ---------------------------------------------------------------------------
    def new_temp_dir(self, key: str) -> Path:
        """A directory to write ``key``'s artifact into, named ``KEY.PID@HOST.RANDOM``; made only
        while holding ``key``'s step lock, which is how others know it is in use."""
        path = self.tmp / f"{key}.{os.getpid()}@{host_tag()}.{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def commit(self, key: str, temp_dir: Path, result: Mapping[str, Any], meta: Mapping[str, Any]) -> Mapping[str, Any]:
        """Seal a finished temp dir: write result and provenance, checksum files, rename, record."""
        _write_json(temp_dir / RESULT_FILE, result)
        checksums = {str(p.relative_to(temp_dir)): hash_file(p) for p in sorted(temp_dir.rglob("*")) if p.is_file()}
        digest = content_digest(checksums)
        _write_json(temp_dir / META_FILE, {**meta, "key": key, "digest": digest, "checksums": checksums})
        files = {name: _stat(temp_dir / name) for name in (*checksums, META_FILE)}
        final = self.artifacts / key
        if final.exists():  # a pruned, corrupt or orphaned earlier copy: set it aside first
            self._set_aside(final)
        os.replace(temp_dir, final)
        record = {"step": meta.get("step"), "op": meta.get("op"), "digest": digest, "files": files,
                  "bytes": sum(size for size, _ in files.values()), "pruned": False}
        self.index.set(DONE + key, record)
        return record

    def discard(self, temp_dir: Path) -> None:
        shutil.rmtree(temp_dir, ignore_errors=True)

    def invalidate(self, key: str) -> None:
        """Forget a corrupt artifact: the record goes first, so nothing reads it meanwhile."""
        self.index.delete(DONE + key)
        if (self.artifacts / key).exists():
            self._set_aside(self.artifacts / key)

    remove = invalidate

    def prune(self, key: str) -> int:
        """Drop an artifact's big files but keep its record, result and provenance; bytes freed."""
        record = self.record(key)
        if record is None or record["pruned"]:
            return 0
        path = self.artifacts / key
        freed = 0
        for name, (size, _) in record["files"].items():
            if name not in KEPT_WHEN_PRUNED:
                (path / name).unlink(missing_ok=True)
                freed += size
        for directory in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
            directory.rmdir()
        files = {name: value for name, value in record["files"].items() if name in KEPT_WHEN_PRUNED}
        self.index.set(DONE + key, {**record, "files": files, "pruned": True})
        return freed

    def _set_aside(self, path: Path) -> None:
        aside = self.tmp / f"old.{path.name}.{os.getpid()}@{host_tag()}.{uuid.uuid4().hex[:8]}"
        os.replace(path, aside)
        shutil.rmtree(aside, ignore_errors=True)

    def stale_temp_dirs(self) -> list[Path]:
        """Temporary directories nobody is writing (left by a crash or SIGKILL): those whose step
        lock can be taken. A directory is written only under its key's lock, by a process on any
        host, so a process id that is not alive *here* proves nothing; a free lock does."""
        stale = []
        for path in self.tmp.iterdir():
            parts = path.name.split(".")
            key = parts[1] if parts[0] == "old" and len(parts) > 1 else parts[0]
            lock = lock_for(self.locks, key)
            if lock.acquire():
                lock.release()
                stale.append(path)
        return stale

    # -- failures ---------------------------------------------------------------------------
    def record_failure(self, step_id: str, failure: Mapping[str, Any]) -> None:
        self.index.set(FAILED + step_id, dict(failure))

    def clear_failure(self, step_id: str) -> None:
        self.index.delete(FAILED + step_id)

    def failures(self) -> dict[str, Mapping[str, Any]]:
        return {k[len(FAILED):]: self.index[k] for k in list(self.index.iterkeys()) if isinstance(k, str) and k.startswith(FAILED)}

    def failure(self, step_id: str) -> Mapping[str, Any] | None:
        return self.index.get(FAILED + step_id)

    # -- what ran last under each step id, so that `plan` can say why something re-runs ----
    def last_fingerprint(self, step_id: str) -> Mapping[str, Any] | None:
        return self.index.get(LAST + step_id)

    def record_fingerprints(self, fingerprints: Mapping[str, Mapping[str, Any]]) -> None:
        """Record many steps' fingerprints in one transaction (a cached run touches every step)."""
        with self.index.transact():
            for step_id, fingerprint in fingerprints.items():
                self.record_fingerprint(step_id, fingerprint)

    def record_fingerprint(self, step_id: str, fingerprint: Mapping[str, Any]) -> None:
        self.index.set(LAST + step_id, dict(fingerprint))
        self.index.set(SEEN + _identity_hash(fingerprint), True)

    def seen(self, fingerprint: Mapping[str, Any]) -> bool:
        """Whether any step, under any id, was recorded with this op, version and params: if
        none was, no stored artifact can be its result, whatever its inputs come out as."""
        return SEEN + _identity_hash(fingerprint) in self.index

    # -- what the keys were made of: code files, external files, kept library versions ------
    def code_files(self, version: str) -> Mapping[str, str] | None:
        """The files (path -> normalised hash) an op version covered, as recorded by a run."""
        return self.index.get(CODE + version)

    def record_code_files(self, version: str, files: Mapping[str, str]) -> None:
        if self.index.get(CODE + version) is None:
            self.index.set(CODE + version, dict(files))

    def file_hash(self, path: str) -> list | None:
        """``[size, mtime_ns, content hash]`` of an external input file when last read."""
        return self.index.get(FILE + path)

    def remember_file_hash(self, path: str, value: list) -> None:
        self.index.set(FILE + path, list(value))

    def kept_libraries(self) -> dict[str, dict[str, Mapping[str, Any]]]:
        """Recorded keep-choices: library -> installed version -> record (libraries.Kept)."""
        return self.index.get(KEPT) or {}

    def keep_library(self, record: Mapping[str, Any]) -> None:
        with self.index.transact():
            kept = dict(self.index.get(KEPT) or {})
            kept[record["library"]] = {**kept.get(record["library"], {}), record["installed"]: dict(record)}
            self.index.set(KEPT, kept)


def _identity_hash(fingerprint: Mapping[str, Any]) -> str:
    return hash_struct([fingerprint.get("op"), fingerprint.get("version"), fingerprint.get("params")])


def _stat(path: Path) -> list[int]:
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns]


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        handle.flush()
        os.fsync(handle.fileno())
