"""Library versions in the keys: a changed version re-keys exactly the ops that name the library,
plan says which and from what to what, and an explicit keep-choice keeps the old results with
a record in the store and in the provenance of what is made afterwards."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xitt.engine import libraries
from xitt.engine.graph import Graph, Step
from xitt.engine.plan import plan
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import run
from xitt.engine.store import Store
from xitt.errors import UserError

LIBRARY = "xitt-test-fakelib"


@op("lib.uses", libraries=(LIBRARY, "numpy"))
def uses(ctx: StepContext) -> dict:
    return {"v": ctx.params["i"]}


@op("lib.ignores")
def ignores(ctx: StepContext) -> dict:
    return {"v": 0}


def _install(site: Path, version: str) -> None:
    """A distribution as importlib.metadata finds it: a .dist-info folder on sys.path."""
    for old in site.glob("xitt_test_fakelib-*.dist-info"):
        for file in old.iterdir():
            file.unlink()
        old.rmdir()
    info = site / f"xitt_test_fakelib-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {LIBRARY}\nVersion: {version}\n")
    libraries.forget()


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    libraries.forget()


def graph(n: int = 2) -> Graph:
    return Graph((*(Step(f"uses{i}", "lib.uses", {"i": i}) for i in range(n)), Step("ignores", "lib.ignores", {})))


def test_a_library_upgrade_rekeys_the_ops_that_name_it_and_a_keep_choice_is_recorded(site, tmp_path):
    _install(site, "1.0")
    with Store(tmp_path) as store:
        assert sorted(run(graph(), store).executed) == ["ignores", "uses0", "uses1"]
        _install(site, "1.1")
        reasons = {p.step.id: p.reason for p in plan(graph(), store)}
        assert reasons == {"uses0": f"library changed: {LIBRARY} 1.0 -> 1.1",
                           "uses1": f"library changed: {LIBRARY} 1.0 -> 1.1", "ignores": "cached"}

        with pytest.raises(UserError, match="names the library 'torchvision'"):
            libraries.keep(plan(graph(), store), store, ["torchvision"])
        kept = libraries.keep(plan(graph(), store), store, [LIBRARY], note="patch release, same kernels")
        assert [(k.library, k.installed, k.keyed, k.note) for k in kept] == [(LIBRARY, "1.1", "1.0", "patch release, same kernels")]
        assert all(p.cached for p in plan(graph(), store))  # kept: nothing re-runs
        assert store.kept_libraries()[LIBRARY]["1.1"]["keyed"] == "1.0"

        summary = run(graph(3), store)  # a new step, made under the keep-choice, records it
        assert summary.executed == ["uses2"]
        meta = store.get(summary.keys["uses2"]).meta
        assert meta["libraries"][LIBRARY] == "1.0" and meta["kept_libraries"][0]["installed"] == "1.1"
        assert meta["kept_libraries"][0]["note"] == "patch release, same kernels"
        assert "kept_libraries" not in store.get(summary.keys["ignores"]).meta

        _install(site, "2.0")  # the choice covers 1.1 only: the next upgrade asks again
        assert {p.step.id for p in plan(graph(3), store) if not p.cached} == {"uses0", "uses1", "uses2"}
        assert plan(graph(3), store)[0].reason == f"library changed: {LIBRARY} 1.0 -> 2.0"


def test_the_installed_version_is_what_metadata_says(site):
    _install(site, "3.2.1")
    assert libraries.installed(LIBRARY) == "3.2.1"
    assert libraries.installed("no-such-distribution-xitt") == libraries.NOT_INSTALLED
    assert sys.modules.get("xitt_test_fakelib") is None  # nothing was imported to find out
