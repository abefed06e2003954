"""Library versions in the keys: an op names the installed distributions whose versions shape
its output (``libraries=("torch", "transformers")``), and their versions are part of its
steps' keys, so that an upgrade re-runs what it may change, and ``plan`` says which.

A researcher who upgrades on purpose and vouches that old results still hold says so with
``xitt keep-libraries FILE NAME...``: the store then records that the installed version
counts as the one the cached results were made with (``keep``), with who, when, where and
why. Keys use the version so kept, every artifact made later records the choice in its
provenance, and ``xitt explain`` shows it. Nothing is ever kept silently.
"""

from __future__ import annotations

import getpass
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any, Iterable, Mapping, Sequence

from xitt.engine.hosts import this_host
from xitt.engine.provenance import now_iso

NOT_INSTALLED = "not installed"


@lru_cache(maxsize=None)
def installed(name: str) -> str:
    """The installed version of distribution ``name``, or ``"not installed"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def forget() -> None:
    """Look versions up again (after an install in this process; tests)."""
    installed.cache_clear()


@dataclass(frozen=True)
class Kept:
    """A recorded choice: ``installed`` counts as ``keyed`` for ``library``."""

    library: str
    installed: str
    keyed: str
    time: str
    user: str
    host: str
    note: str

    def to_json(self) -> dict[str, str]:
        return dict(self.__dict__)


def keyed_versions(names: Iterable[str], kept: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The versions that go into a key: each library's installed version, or the version an
    explicit keep-choice in ``kept`` (library -> installed -> record) says it counts as."""
    versions = {}
    for name in names:
        version = installed(name)
        record = kept.get(name, {}).get(version)
        versions[name] = record["keyed"] if record else version
    return versions


def keep_choice(library: str, keyed: str, note: str = "") -> Kept:
    """The record of keeping results made with ``library`` ``keyed`` under the installed version."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Kept(library, installed(library), keyed, now_iso(), user, this_host(), note)


def previous_versions(planned: Sequence[Any], store, name: str) -> Counter:
    """How many of the planned steps whose op names ``name`` were last made with each version
    other than the one their key would use now."""
    found: Counter = Counter()
    for entry in planned:
        now = (entry.fingerprint.get("libraries") or {}).get(name)
        last = store.last_fingerprint(entry.step.id)
        before = ((last or {}).get("libraries") or {}).get(name)
        if now is not None and before is not None and before != now:
            found[before] += 1
    return found


def keep(planned: Sequence[Any], store, names: Iterable[str], note: str = "") -> list[Kept]:
    """Record, for each library in ``names``, that its installed version counts as the one the
    planned steps were last made with (the most common, if several). UserError when a library
    is named by no planned step, or when nothing was made with another version."""
    from xitt.errors import UserError

    kept = []
    for name in names:
        if not any(name in (entry.fingerprint.get("libraries") or {}) for entry in planned):
            raise UserError(f"no op of this experiment names the library {name!r}, so there is nothing to keep",
                            hint="`xitt plan FILE` lists 'library changed: NAME A -> B' for the libraries that changed")
        versions = previous_versions(planned, store, name)
        if not versions:
            raise UserError(f"no step of this experiment was made with another version of {name} than "
                            f"{installed(name)}: nothing to keep", hint="`xitt plan FILE` says what would run and why")
        record = keep_choice(name, versions.most_common(1)[0][0], note)
        store.keep_library(record.to_json())
        kept.append(record)
    return kept
