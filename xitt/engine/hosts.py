"""Who is using a store, or a machine: processes named by host and pid, alive while they hold a lock.

A process id means nothing on another host (and little across container pid namespaces), so
nothing here asks whether a pid is alive. A process that uses something holds an ``flock`` on
a small file of its own, named after its host and pid, for as long as it uses it; the kernel
(or, on NFS, the lock manager) drops the lock when the process dies. An entry whose lock can be
taken is stale; one whose lock cannot is alive, wherever its process runs.

Two registries use this: ``.xitt/runs/`` in a store (which hosts are running on it now), and a
machine-wide one of the steps being computed (how many cores a step may have, threads.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xitt.errors import UserError

HOST_ENV = "XITT_HOSTNAME"  # overrides the host name (containers that share one; tests simulating hosts)


def this_host() -> str:
    """This machine's name as xitt records it: ``$XITT_HOSTNAME``, else ``socket.gethostname()``."""
    return os.environ.get(HOST_ENV) or socket.gethostname()


def host_tag(host: str | None = None) -> str:
    """A host name fit for a file name part: no dots, slashes or spaces (``node1-cluster-org``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", host or this_host())


@dataclass(frozen=True)
class Entry:
    """A live process in a registry: its host, pid, when it registered, and what it said of itself."""

    host: str
    pid: int
    since: float
    info: dict[str, Any]
    path: Path


class Presence:
    """This process's entry in a registry directory, held (flocked) between ``enter`` and ``exit``."""

    def __init__(self, directory: Path, info: dict[str, Any] | None = None):
        self.directory = Path(directory)
        self.info = dict(info or {})
        self.path: Path | None = None
        self._fd: int | None = None

    def enter(self) -> "Presence":
        self.directory.mkdir(parents=True, exist_ok=True)
        host = this_host()
        path = self.directory / f"{host_tag(host)}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # our own new file: nobody else can hold it
        os.write(fd, json.dumps({"host": host, "pid": os.getpid(), "since": time.time(), "info": self.info}).encode())
        self.path, self._fd = path, fd
        return self

    def exit(self) -> None:
        if self._fd is None:
            return
        try:
            assert self.path is not None
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd, self.path = None, None

    def __enter__(self) -> "Presence":
        return self.enter()

    def __exit__(self, *exc: object) -> None:
        self.exit()


def live(directory: Path, *, sweep: bool = True) -> list[Entry]:
    """The entries of ``directory`` whose process still holds its lock; stale ones are removed
    (with ``sweep``). Our own entries count as live (their lock is held by this process)."""
    found: list[Entry] = []
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return found
    for name in names:
        path = Path(directory, name)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                entry = _read(path)
                if entry is not None:
                    found.append(entry)
                continue
            if sweep and _older_than(path, 1.0):  # a fresh file may be between creation and its lock
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass  # another user's, in a shared sticky folder: theirs to sweep
        finally:
            os.close(fd)
    return found


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False


def _read(path: Path) -> Entry | None:
    try:
        data = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return None
    if not data:
        return None
    return Entry(str(data.get("host")), int(data.get("pid", 0)), float(data.get("since", 0)), dict(data.get("info") or {}), path)


def other_hosts(directory: Path) -> list[Entry]:
    """The live entries of ``directory`` from other hosts than this one."""
    me = this_host()
    return [e for e in live(directory, sweep=False) if e.host != me]


def refuse_other_hosts(directory: Path, store: Path, what: str) -> None:
    """Raise UserError when a process on another host is running on this store now.

    The index is SQLite (diskcache), whose locking is not safe between hosts on a shared
    filesystem; one host at a time writes a store. Workers of a Dask cluster never touch the
    index (they write only temporary directories), so a cluster's run has one host here."""
    live(directory)  # sweep stale entries
    others = other_hosts(directory)
    if not others:
        return
    first = others[0]
    since = time.strftime("%H:%M:%S", time.localtime(first.since))
    more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
    raise UserError(
        f"cannot {what}: the store {store} is in use by a run on host {first.host} (pid {first.pid}, since {since}){more}, "
        f"and a store's index is written by one host at a time (SQLite is not safe with writers on several hosts "
        f"of a shared filesystem); nothing was changed",
        hint=f"wait for that run to finish, run from {first.host}, or give this host its own store (a copy of the "
             f"folder); to use several machines at once, run from one host with `--executor dask --scheduler ADDRESS` "
             f"(docs/store.md, section Hosts: workers on any host write only temporary directories)",
    )
