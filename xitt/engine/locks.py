"""Per-step locks, so that two ``xitt run`` on one store never compute the same step twice.

A lock is an ``flock`` on ``.xitt/locks/<key>.lock``, a file that names its holder's pid and
host. The kernel drops an ``flock`` when its process dies, so the lock of a killed run is
broken by the next process that asks; the file is removed on release. After taking the
lock we check that the file we hold is still the one at the path (a releaser may have
unlinked it meanwhile), and try again if not.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from xitt.engine.hosts import this_host


@dataclass
class StepLock:
    """An exclusive, non-blocking lock on one step key."""

    path: Path
    _fd: int | None = field(default=None, repr=False)

    def acquire(self) -> bool:
        """Take the lock if nobody alive holds it; False (at once) if somebody does."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {this_host()}\n".encode())
                self._fd = fd
                return True
            os.close(fd)  # the file was unlinked by its last holder: take the new one

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def holder(path: Path) -> str | None:
    """Who holds (or last held) a lock file: "pid host", for messages."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def lock_for(locks_dir: Path, key: str) -> StepLock:
    return StepLock(locks_dir / f"{key}.lock")
