"""The Dask distributed executor: jobs run on a cluster's workers, results come back to the driver.

Steps ask for the resources their op declares (``{"gpu": 1}`` for training); a worker offers
them when started with e.g. ``dask worker ADDRESS --resources gpu=1``. A request that no
worker can meet is refused before anything is submitted, instead of waiting forever.
Workers only write into the step's temp dir (the store must be on a shared filesystem);
checksums, the rename and the index stay with the driver.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Mapping

from xitt.engine.executors import Job, JobResult, execute
from xitt.engine.provenance import now_iso
from xitt.engine.registry import ProgressFn
from xitt.errors import UserError

GPU_IDS_ENV = "XITT_GPU_IDS"  # set on a worker to the GPUs it owns, e.g. "0"
# What each worker of a LocalCluster offers when the caller names nothing: one "gpu" slot, so
# that training steps (which ask for gpu=1) run one per worker. On a machine without CUDA the
# slot is pretend and the op picks the CPU; give ``resources={}`` to offer none.
LOCAL_RESOURCES = {"gpu": 1}


def run_on_worker(job: Job) -> JobResult:
    """The worker side of a job: pin the worker's GPUs for GPU steps, then run the op."""
    if job.resources.get("gpu") and os.environ.get(GPU_IDS_ENV):
        os.environ["CUDA_VISIBLE_DEVICES"] = os.environ[GPU_IDS_ENV]
    result = execute(job)
    return JobResult(result.step_id, result.result, {**result.info, "worker": _worker_address()},
                     result.started, result.seconds, result.error, result.log)


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return None


class DaskExecutor:
    """Submit every ready step at once; Dask places them on workers that have their resources."""

    capacity = 1 << 30

    def __init__(self, address: str | None = None, *, client: Any = None, n_workers: int = 2,
                 resources: Mapping[str, float] | None = None, processes: bool = True):
        from distributed import Client, LocalCluster

        self._cluster = None
        if client is not None:
            self.client, self._own_client = client, False
        elif address:
            try:
                self.client = Client(address, timeout="20s")
            except OSError as error:
                raise UserError(f"cannot reach the Dask scheduler at {address}: {error}",
                                hint="start one with `dask scheduler`, or leave out --scheduler for a local cluster") from None
            self._own_client = True
        else:
            offered = dict(LOCAL_RESOURCES if resources is None else resources)
            self._cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                         resources=offered, dashboard_address=None)
            self.client, self._own_client = Client(self._cluster), True
        self._futures: dict[Any, str] = {}

    def offers(self) -> list[dict[str, float]]:
        """The resources each worker offers."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return [dict(w.get("resources") or {}) for w in workers]

    def check(self, requests: Mapping[str, Mapping[str, float]]) -> None:
        offers = self.offers()
        if not offers:
            raise UserError("the Dask cluster has no workers", hint="start workers with `dask worker ADDRESS`")
        for step_id, request in requests.items():
            if not any(all(offer.get(name, 0) >= amount for name, amount in request.items()) for offer in offers):
                offered = ", ".join(sorted({f"{k}={v:g}" for o in offers for k, v in o.items()})) or "none"
                raise UserError(
                    f"step {step_id} asks for {', '.join(f'{k}={v:g}' for k, v in request.items())}, "
                    f"which no worker of the Dask cluster offers (workers offer: {offered})",
                    hint="start a worker with `dask worker ADDRESS --resources gpu=1`, or run with the local executor",
                )

    def submit(self, job: Job, progress: ProgressFn) -> None:
        future = self.client.submit(run_on_worker, job, key=f"xitt-{job.key[:16]}-{uuid.uuid4().hex[:8]}",
                                    resources=dict(job.resources) or None, pure=False)
        self._futures[future] = job.step_id

    def wait(self) -> list[JobResult]:
        from distributed import wait

        done, _ = wait(list(self._futures), return_when="FIRST_COMPLETED")
        results = []
        for future in done:
            step_id = self._futures.pop(future)
            try:
                results.append(future.result())
            except Exception as error:  # the worker died, or the job could not be unpickled there
                results.append(JobResult(step_id, None, {}, now_iso(), 0.0, f"{type(error).__name__}: {error}",
                                         f"the Dask worker running this step failed: {error!r}\n"))
        return results

    def in_flight(self) -> int:
        return len(self._futures)

    def cancel(self) -> None:
        for future in self._futures:
            future.cancel()
        self._futures.clear()

    def close(self) -> None:
        self.cancel()
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
