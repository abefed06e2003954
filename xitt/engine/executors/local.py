"""The default executor: jobs run one at a time, in this process, in submission order."""

from __future__ import annotations

from collections import deque
from typing import Mapping

from xitt.engine.executors import Job, JobResult, execute
from xitt.engine.registry import ProgressFn


class LocalExecutor:
    """In-process and sequential; resources are not checked (the op picks its own device)."""

    def __init__(self) -> None:
        self._queue: deque[tuple[Job, ProgressFn]] = deque()

    def check(self, requests: Mapping[str, Mapping[str, float]]) -> None:
        return None

    def submit(self, job: Job, progress: ProgressFn) -> None:
        self._queue.append((job, progress))

    def wait(self) -> list[JobResult]:
        job, progress = self._queue.popleft()
        return [execute(job, progress, capture=True)]  # in this process: keep library chatter out of the display

    def in_flight(self) -> int:
        return len(self._queue)

    def cancel(self) -> None:
        self._queue.clear()

    close = cancel
