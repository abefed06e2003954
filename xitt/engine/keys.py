"""Content addresses: one canonical JSON encoding, small pure hashing functions.

Never pickle, never Python's ``hash()``: the same program gives the same keys in any
process, on any machine, in any Python version.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

DIGEST_SIZE = 20  # bytes of blake2b: 40 hex characters


def canonical_json(value: Any) -> bytes:
    """The one serialisation every key is computed over: sorted keys, no spaces, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def hash_bytes(data: bytes) -> str:
    """Hex digest of raw bytes."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def hash_struct(value: Any) -> str:
    """Hex digest of a JSON-able structure, via its canonical encoding."""
    return hash_bytes(canonical_json(value))


def hash_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex digest of a file's content, streamed so big weights never sit in memory twice."""
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_version(fn: Callable, helpers: Iterable[Callable] = ()) -> str:
    """The hash of a function's source and of the helpers given (inspect.getsource, comments
    included). Op versions are code.py's; this stays for callers hashing a single function."""
    sources = [inspect.getsource(f) for f in (fn, *helpers)]
    return hash_struct(sources)[:16]


def step_key(op_name: str, op_version: str, params: Mapping[str, Any], input_digests: Mapping[str, Any],
             libraries: Mapping[str, str] | None = None, external: Mapping[str, str] | None = None) -> str:
    """A step's key: hash of op name, op version, params, its inputs' content digests, the
    versions of the libraries its op names, and the content fingerprints of the files outside
    the store it reads (the last two only when there are any).

    Keying on what the inputs *contain* (not on how they were made) gives early cutoff:
    an upstream step that re-runs and yields the same content leaves this key unchanged."""
    parts: dict[str, Any] = {"op": op_name, "version": op_version, "params": params, "inputs": input_digests}
    if libraries:
        parts["libraries"] = dict(libraries)
    if external:
        parts["external"] = dict(external)
    return hash_struct(parts)


def content_digest(checksums: Mapping[str, str]) -> str:
    """An artifact's content digest: the hash of its files' names and checksums (provenance excluded)."""
    return hash_struct(dict(checksums))
