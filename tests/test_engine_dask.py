"""The Dask executor on a LocalCluster, with toy ops: same results as in-process, resources checked before submission."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from xitt.engine.executors.dask import DaskExecutor  # noqa: E402
from xitt.engine.graph import Graph, Step  # noqa: E402
from xitt.engine.registry import StepContext, op  # noqa: E402
from xitt.engine.scheduler import StepFailed, run  # noqa: E402
from xitt.engine.store import Store  # noqa: E402
from xitt.errors import UserError  # noqa: E402


@op("dask.data")
def data(ctx: StepContext) -> dict:
    (ctx.out_dir / "values.txt").write_text(" ".join(str(ctx.params["seed"] * i) for i in range(10)))
    return {"n": 10}


@op("dask.train", resources={"gpu": 1})
def train(ctx: StepContext) -> dict:
    values = [int(v) for v in ctx.inputs["data"].file("values.txt").read_text().split()]
    (ctx.out_dir / "weights.txt").write_text(str(sum(values) * ctx.params["lr"]))
    return {"loss": 1.0 / (1 + sum(values))}


@op("dask.score")
def score(ctx: StepContext) -> dict:
    if ctx.params.get("fail"):
        raise ValueError("no score")
    return {"total": sum(float(m.file("weights.txt").read_text()) for m in ctx.inputs["models"])}


def study(fail: bool = False) -> Graph:
    steps = [Step(f"data{s}", "dask.data", {"seed": s}) for s in (1, 2, 3)]
    steps += [Step(f"train{s}", "dask.train", {"lr": 0.5}, {"data": f"data{s}"}) for s in (1, 2, 3)]
    steps += [Step("score", "dask.score", {"fail": fail}, {"models": ("train1", "train2", "train3")})]
    return Graph(tuple(steps))


def results(summary, store) -> dict:
    return {step_id: store.get(key).result for step_id, key in summary.keys.items()}


def test_two_worker_processes_with_pretend_gpus_match_the_local_executor(tmp_path):
    with Store(tmp_path / "local") as store:
        local = results(run(study(), store), store)
    executor = DaskExecutor(n_workers=2, processes=True, resources={"gpu": 1})
    try:
        with Store(tmp_path / "dask") as store:
            summary = run(study(), store, executor=executor)
            assert sorted(summary.executed) == sorted(s.id for s in study())
            assert results(summary, store) == local
            assert store.get(summary.keys["train1"]).meta["worker"].startswith("tcp://")
            assert not list(store.tmp.iterdir()) and not list(store.locks.iterdir())
            assert run(study(), store, executor=executor).executed == []
    finally:
        executor.close()


def test_a_resource_no_worker_offers_is_an_error_before_submission(tmp_path):
    executor = DaskExecutor(n_workers=1, processes=False, resources={})
    try:
        with Store(tmp_path) as store:
            with pytest.raises(UserError, match="train1 asks for gpu=1, which no worker"):
                run(study(), store, executor=executor)
            assert list(store.keys()) == []  # nothing was submitted, not even the data steps
            failing = Graph((Step("data1", "dask.data", {"seed": 1}), Step("bad", "dask.score", {"fail": True}, {"models": ("data1",)})))
            with pytest.raises(StepFailed, match="no score"):  # an op's error on a worker comes back as a failure
                run(failing, store, executor=executor)
            assert store.failures()["bad"]["error"] == "ValueError: no score"
    finally:
        executor.close()


@op("dask.devices", resources={"gpu": 1})
def devices(ctx: StepContext) -> dict:
    import os

    return {"cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}


def test_a_gpu_step_pins_the_workers_gpus_itself(tmp_path):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, resources={"gpu": 1},
                           env={"XITT_GPU_IDS": "3", "CUDA_VISIBLE_DEVICES": ""}, dashboard_address=None)
    client = Client(cluster)
    executor = DaskExecutor(client=client)
    try:
        with Store(tmp_path) as store:
            found = results(run(Graph((Step("gpu", "dask.devices", {}),)), store, executor=executor), store)
        assert found == {"gpu": {"cuda_visible_devices": "3"}}  # the worker's GPU, not the cluster-wide ""
    finally:
        executor.close()
        client.close()
        cluster.close()
