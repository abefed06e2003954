"""What a run shows while it runs: on a terminal, the live view (steps done / cached /
running / left, and the running step's own bar); in a file or a pipe, plain timestamped
lines (``PlainReporter``).

Rendering only; the scheduler tells a ``Reporter`` what happens and never draws itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import datetime
from typing import IO, Mapping, Protocol, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from xitt.engine.graph import Step
from xitt.engine.plan import Outcome, counts_line, why_lines


class Reporter(Protocol):
    def start(self, planned: Sequence) -> None: ...
    def step_started(self, step: Step) -> None: ...
    def step_progress(self, step: Step, done: int, total: int, metrics: Mapping[str, float]) -> None: ...
    def step_finished(self, step: Step, status: Outcome, seconds: float) -> None: ...
    def finish(self) -> None: ...


class NullReporter:
    """Silent: for tests and `--quiet`."""

    def start(self, planned: Sequence) -> None: ...
    def step_started(self, step: Step) -> None: ...
    def step_progress(self, step: Step, done: int, total: int, metrics: Mapping[str, float]) -> None: ...
    def step_finished(self, step: Step, status: Outcome, seconds: float) -> None: ...
    def finish(self) -> None: ...


def format_metrics(metrics: Mapping[str, float]) -> str:
    parts = []
    if "loss" in metrics:
        parts.append(f"loss {metrics['loss']:.3f}")
    if "examples_per_s" in metrics:
        parts.append(f"{metrics['examples_per_s']:,.0f} ex/s")
    parts.extend(f"{k} {v:.3g}" for k, v in metrics.items() if k not in ("loss", "examples_per_s"))
    return "  ".join(parts)


class RichReporter:
    """Two bars under a log of finished steps: the whole graph, and the step running now."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", style="bold"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            refresh_per_second=8,
            transient=False,
        )
        self.counts = {outcome: 0 for outcome in Outcome}
        self.total = 0
        self.overall = None
        self.current: dict[str, object] = {}  # step id -> its bar (several run at once on Dask)

    def _summary(self, running: int) -> str:
        left = self.total - self.counts[Outcome.RAN] - self.counts[Outcome.CACHED] - running
        left -= self.counts[Outcome.FAILED]
        failed = f" · [red]failed {self.counts[Outcome.FAILED]}[/]" if self.counts[Outcome.FAILED] else ""
        return f"done {self.counts['ran']} · cached {self.counts['cached']}{failed} · running {running} · left {left}"

    def start(self, planned: Sequence) -> None:
        self.total = len(planned)
        self.console.print(counts_line(planned), highlight=False)
        for line in why_lines(planned):
            self.console.print(f"  [yellow]run[/] {escape(line)}", highlight=False)
        for p in planned:
            if p.corrupt is not None:
                self.console.print(f"  [red]corrupt[/] {p.step.id}: {p.corrupt.detail} [dim](never used; recomputed now)[/]")
        self.overall = self.progress.add_task("steps", total=self.total, info=self._summary(0))
        self.progress.start()

    def step_started(self, step: Step) -> None:
        self.current[step.id] = self.progress.add_task(_short(step.id), total=None, info="")
        self.progress.update(self.overall, info=self._summary(len(self.current)))

    def step_progress(self, step: Step, done: int, total: int, metrics: Mapping[str, float]) -> None:
        if step.id in self.current:
            self.progress.update(self.current[step.id], completed=done, total=total, info=format_metrics(metrics))

    def step_finished(self, step: Step, status: Outcome, seconds: float) -> None:
        self.counts[status] += 1
        if step.id in self.current:
            self.progress.remove_task(self.current.pop(step.id))
        if status == Outcome.RAN:
            self.progress.console.print(f"  [green]✓[/] {step.id} [dim]{seconds:.1f}s[/]")
        elif status == Outcome.FAILED:
            self.progress.console.print(f"  [red]✗[/] {step.id} failed")
        self.progress.update(self.overall, completed=self.counts[Outcome.RAN] + self.counts[Outcome.CACHED], info=self._summary(len(self.current)))

    def finish(self) -> None:
        for task in self.current.values():
            self.progress.remove_task(task)
        self.current.clear()
        self.progress.stop()


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


PROGRESS_SECONDS = float(os.environ.get("XITT_PROGRESS_SECONDS", "60"))


class PlainReporter:
    """For a log file or a pipe: one timestamped line when a step starts, at least one every
    ``interval`` seconds while it runs (with its progress when it reports any), and one when
    it ends; no cursor movement, no bars. A background thread writes the lines of steps that
    report nothing for a long time."""

    def __init__(self, stream: IO[str] | None = None, interval: float = PROGRESS_SECONDS):
        self.stream = stream or sys.stdout
        self.interval = interval
        self.lock = threading.Lock()  # one line at a time
        self.state = threading.Lock()  # ``running`` is read by the beat thread
        self.running: dict[str, dict] = {}  # step id -> started, last line time, last progress
        self.counts = {outcome: 0 for outcome in Outcome}
        self.total = 0
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def _line(self, text: str) -> None:
        with self.lock:
            self.stream.write(f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
            self.stream.flush()

    def start(self, planned: Sequence) -> None:
        self.total = len(planned)
        self._line(counts_line(planned))
        for line in why_lines(planned):
            self._line(f"to run   {line}")
        for p in planned:
            if p.corrupt is not None:
                self._line(f"corrupt  {p.step.id}: {p.corrupt.detail} (never used; recomputed now)")
        self.thread = threading.Thread(target=self._beat, name="xitt-progress", daemon=True)
        self.thread.start()

    def step_started(self, step: Step) -> None:
        now = time.monotonic()
        with self.state:
            self.running[step.id] = {"started": now, "said": now, "progress": ""}
        done = self.counts[Outcome.RAN] + self.counts[Outcome.CACHED]
        self._line(f"started  {step.id} ({step.op}); {done} of {self.total} steps done")

    def step_progress(self, step: Step, done: int, total: int, metrics: Mapping[str, float]) -> None:
        state = self.running.get(step.id)
        if state is None:
            return
        state["progress"] = f"{done}/{total}" + (f"  {format_metrics(metrics)}" if metrics else "")
        if time.monotonic() - state["said"] >= self.interval:
            self._say(step.id, state)

    def _say(self, step_id: str, state: dict) -> None:
        now = time.monotonic()
        state["said"] = now
        self._line(f"running  {step_id}: {_duration(now - state['started'])}" + (f", {state['progress']}" if state["progress"] else ""))

    def _beat(self) -> None:
        """Every step that has been silent for ``interval`` seconds gets a line."""
        while not self.stopped.wait(min(self.interval, 1.0) / 4):
            with self.state:
                running = list(self.running.items())
            for step_id, state in running:
                if time.monotonic() - state["said"] >= self.interval:
                    self._say(step_id, state)

    def step_finished(self, step: Step, status: Outcome, seconds: float) -> None:
        self.counts[status] += 1
        with self.state:
            self.running.pop(step.id, None)
        if status == Outcome.RAN:
            self._line(f"finished {step.id} in {_duration(seconds)}")
        elif status == Outcome.FAILED:
            self._line(f"FAILED   {step.id}")

    def finish(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        failed = f", {self.counts[Outcome.FAILED]} failed" if self.counts[Outcome.FAILED] else ""
        self._line(f"{self.counts['ran']} steps ran, {self.counts['cached']} cached{failed}")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f}s"
