"""Content fingerprints of the files and directories a step reads from outside the store.

A step names its external inputs as paths (``Step.external``: a data file, a checkpoint
directory, a hub snapshot in the local cache); their content is part of the step's key.
The truth is a content hash (blake2b of every file); the fast path is each file's size and
mtime, checked against the hash remembered in the store's index the last time the file was
read, so that an unchanged 10 GB corpus costs one ``stat`` per file, not a re-read.
``verify`` ignores the fast path and re-hashes everything (``xitt status --verify``): a file
replaced by one of equal size and mtime is caught there.

A directory's fingerprint is the hash of its files' relative paths and fingerprints
(symbolic links followed, as the hub cache's snapshots are links into its blobs).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

from xitt.engine.keys import hash_file, hash_struct

MISSING = "missing"


class Fingerprints:
    """Fingerprints of paths, computed at most once per instance (one plan), remembered in ``store``."""

    def __init__(self, store, verify: bool = False, remember: bool = True):
        self.store = store
        self.verify = verify
        self.remember = remember  # False while another host writes the store: its index is theirs
        self._paths: dict[str, str] = {}
        self.rehashed: list[str] = []  # files read in full this time (new, touched, or verify)
        self.replaced: list[str] = []  # files whose content changed though size and mtime did not

    def of(self, paths: Iterable[str]) -> dict[str, str]:
        """``{path: fingerprint}`` for a step's external inputs (``"missing"`` for a path not there)."""
        return {path: self.path(path) for path in paths}

    def path(self, path: str) -> str:
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = self._compute(path)
        return found

    def _compute(self, path: str) -> str:
        try:
            stat = os.stat(path)
        except OSError:
            return MISSING
        if not os.path.isdir(path):
            return self._file(path, stat)
        entries = []
        for folder, dirs, files in os.walk(path, followlinks=True):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(folder, name)
                try:
                    entries.append((os.path.relpath(full, path), self._file(full, os.stat(full))))
                except OSError:
                    entries.append((os.path.relpath(full, path), MISSING))  # a dangling link
        return "dir:" + hash_struct(entries)

    def _file(self, path: str, stat: os.stat_result) -> str:
        stamp = [stat.st_size, stat.st_mtime_ns]
        remembered = self.store.file_hash(path)
        if remembered is not None and remembered[:2] == stamp and not self.verify:
            return remembered[2]
        digest = hash_file(Path(path))
        self.rehashed.append(path)
        if remembered is not None and remembered[:2] == stamp and remembered[2] != digest:
            self.replaced.append(path)
        if self.remember and remembered != [*stamp, digest]:
            self.store.remember_file_hash(path, [*stamp, digest])
        return digest


def changed_paths(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Paths whose fingerprint differs, or that one side lacks, in order."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
