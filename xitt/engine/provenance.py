"""What every artifact records about how it was made."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from importlib import metadata

from xitt.engine.hosts import this_host

# Packages whose versions every artifact records; layers above add theirs (torch, ...).
_TRACKED: list[str] = ["xitt"]


def track_package(name: str) -> None:
    """Record ``name``'s installed version in every artifact's provenance from now on."""
    if name not in _TRACKED:
        _TRACKED.append(name)


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _TRACKED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def host() -> dict[str, str]:
    return {"host": this_host(), "platform": sys.platform}
