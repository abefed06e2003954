"""The store: one directory per artifact under ``.xitt/artifacts``, a diskcache index beside it.

An artifact is written into ``.xitt/tmp``, then renamed into place; only then is its
completion record written to the index. A crash at any point leaves either nothing or a
temporary directory that nothing reads, never a half-result taken for a result.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import diskcache

from xitt.engine.keys import hash_file

RESULT_FILE = "result.json"
META_FILE = "meta.json"
STORE_DIR = ".xitt"


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
    """Artifacts by key, completion records and the last fingerprint of every step id."""

    def __init__(self, root: Path):
        self.root = Path(root) / STORE_DIR
        self.artifacts = self.root / "artifacts"
        self.tmp = self.root / "tmp"
        for directory in (self.artifacts, self.tmp):
            directory.mkdir(parents=True, exist_ok=True)
        # Never evict: a silently dropped record would mean silently re-training.
        self.index = diskcache.Cache(str(self.root / "index"), size_limit=2**50, eviction_policy="none")

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return ("done", key) in self.index and (self.artifacts / key / META_FILE).exists()

    def get(self, key: str) -> Artifact:
        if not self.has(key):
            raise KeyError(f"no finished artifact {key}")
        return Artifact(key, self.artifacts / key)

    def completion(self, key: str) -> Mapping[str, Any] | None:
        return self.index.get(("done", key))

    # -- writing ---------------------------------------------------------------------------
    def new_temp_dir(self, key: str) -> Path:
        path = self.tmp / f"{key}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def commit(self, key: str, temp_dir: Path, result: Mapping[str, Any], meta: Mapping[str, Any]) -> Artifact:
        """Seal a finished temp dir: write result and provenance, checksum files, rename, record."""
        checksums = {
            str(p.relative_to(temp_dir)): hash_file(p)
            for p in sorted(temp_dir.rglob("*"))
            if p.is_file()
        }
        _write_json(temp_dir / RESULT_FILE, result)
        checksums[RESULT_FILE] = hash_file(temp_dir / RESULT_FILE)
        _write_json(temp_dir / META_FILE, {**meta, "key": key, "checksums": checksums})
        final = self.artifacts / key
        try:
            os.replace(temp_dir, final)
        except OSError:
            if not (final / META_FILE).exists():
                raise
            # Same key finished elsewhere meanwhile: content-addressed, so theirs is as good.
            shutil.rmtree(temp_dir, ignore_errors=True)
        self.index.set(("done", key), {"step": meta.get("step"), "op": meta.get("op")})
        return Artifact(key, final)

    def discard(self, temp_dir: Path) -> None:
        shutil.rmtree(temp_dir, ignore_errors=True)

    # -- what ran last under each step id, so that `plan` can say why something re-runs ----
    def last_fingerprint(self, step_id: str) -> Mapping[str, Any] | None:
        return self.index.get(("last", step_id))

    def record_fingerprint(self, step_id: str, fingerprint: Mapping[str, Any]) -> None:
        self.index.set(("last", step_id), dict(fingerprint))


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        handle.flush()
        os.fsync(handle.fileno())
