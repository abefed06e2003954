"""A step's own output goes to its log, not into the display.

Libraries print while a step runs: load reports, progress bars of their own, warnings,
some of it from C code. ``captured(path)`` sends everything written to the process's
stdout and stderr while a step runs (file descriptors 1 and 2, and Python's
``sys.stdout``/``sys.stderr``, and logging handlers that write to either) to the step's log file; the display writes to a duplicate
of the original stdout made before (``display_stream``) and is not affected.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def captured(path: Path | None) -> Iterator[None]:
    """Everything written to stdout and stderr inside the block is appended to ``path``
    (nothing is captured when ``path`` is None or the streams have no file descriptors)."""
    try:
        fds = (sys.__stdout__.fileno(), sys.__stderr__.fileno()) if path is not None else None
    except (AttributeError, ValueError, io.UnsupportedOperation):
        fds = None
    if fds is None:
        yield
        return
    _flush()
    saved = [os.dup(fd) for fd in fds]
    with open(path, "ab") as log, open(path, "a", encoding="utf-8", errors="replace", buffering=1) as text:
        for fd in fds:
            os.dup2(log.fileno(), fd)
        handlers = _console_handlers()
        # records that propagate to the root logger reach the log too, also where the root
        # already has handlers of its own (a test runner's, an application's): logging's
        # last-resort handler, which writes to sys.stderr, fires only on a root without any
        root, here = logging.getLogger(), logging.StreamHandler(text)
        try:
            for handler in handlers:
                _point(handler, text)
            if root.handlers and not any(type(h) is logging.StreamHandler for h in root.handlers):
                root.addHandler(here)
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
                yield
        finally:
            root.removeHandler(here)
            for handler, stream in handlers.items():
                _point(handler, stream)
            _flush()
            text.flush()
            for fd, copy in zip(fds, saved):
                os.dup2(copy, fd)
                os.close(copy)


def _console_handlers() -> dict[logging.StreamHandler, IO[str]]:
    """Logging handlers that write to the console (libraries bind them at import, to whatever
    ``sys.stderr`` was then, which may since have been replaced or closed), with those streams.
    A plain StreamHandler counts unless its stream is a regular file on disk."""
    loggers = [logging.getLogger(), *(x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    return {h: h.stream for lg in loggers for h in lg.handlers if type(h) is logging.StreamHandler and _console(h.stream)}


def _point(handler: logging.StreamHandler, stream: IO[str]) -> None:
    """Point ``handler`` at ``stream`` (``setStream`` would flush the old one, which may be closed)."""
    with handler.lock or contextlib.nullcontext():
        handler.stream = stream


def _console(stream: IO[str]) -> bool:
    """Whether a plain StreamHandler's ``stream`` counts as the console: always, since files
    are logged to with ``FileHandler``. A stale stand-in for stderr (a test runner's capture
    file, a notebook's stream, since replaced or closed) may well be a regular file on disk."""
    return stream is not None


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()


def display_stream() -> IO[str] | None:
    """A duplicate of the current stdout for the display, so that ``captured`` steps do not
    swallow it; None when stdout has no file descriptor (tests capturing it, notebooks)."""
    try:
        sys.stdout.flush()
        return os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding=sys.stdout.encoding or "utf-8", buffering=1)
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
