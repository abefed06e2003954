"""Progress that fits where it goes, and a step's own output kept out of it: plain
timestamped lines in a file or a pipe (one at least every interval of a long step), and
whatever a step prints (stdout, stderr, C-level writes, logging) in its log."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from xitt.engine.display import PlainReporter
from xitt.engine.graph import Graph, Step
from xitt.engine.registry import StepContext, op
from xitt.engine.scheduler import StepFailed, run
from xitt.engine.store import Store

STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")
CHATTY = logging.getLogger("display_test_library")
CHATTY.addHandler(logging.StreamHandler(sys.__stderr__))  # bound at import, as libraries do (a CLI has no other stderr then)
CHATTY.propagate = False


@op("display.slow")
def slow(ctx: StepContext) -> dict:
    time.sleep(ctx.params["seconds"])  # reports no progress at all
    return {"done": True}


@op("display.chatty")
def chatty(ctx: StepContext) -> dict:
    print("Some weights of the checkpoint were not used: lm_head.dense.weight")
    sys.stderr.write("Map: 100%|##########| 60/60 [00:00<00:00]\n")
    os.write(1, b"written by C code to fd 1\n")
    os.write(2, b"written by C code to fd 2\n")
    CHATTY.warning("a library warning")
    if ctx.params.get("fail"):
        raise RuntimeError("boom")
    return {"done": True}


def test_a_silent_long_step_gets_a_timestamped_line_every_interval(tmp_path):
    out = io.StringIO()
    with Store(tmp_path) as store:
        run(Graph((Step("slow", "display.slow", {"seconds": 1.3}),)), store, PlainReporter(out, interval=0.25))
    lines = out.getvalue().splitlines()
    assert lines and all(STAMP.match(line) for line in lines)
    assert "to run   1 step: new" in lines[1] and "started  slow (display.slow)" in lines[2] and "finished slow" in lines[-2]
    assert len([line for line in lines if "running  slow:" in line]) >= 3  # 1.3 s at one line per 0.25 s
    assert lines[-1].endswith("1 steps ran, 0 cached") and "\x1b" not in out.getvalue()


def test_a_run_says_what_changed_before_it_starts(tmp_path):
    with Store(tmp_path) as store:
        run(Graph((Step("slow", "display.slow", {"seconds": 0.01}),)), store, PlainReporter(io.StringIO()))
        out = io.StringIO()
        run(Graph((Step("slow", "display.slow", {"seconds": 0.02}),)), store, PlainReporter(out))
    assert "to run   1 step: params changed: seconds 0.01 -> 0.02" in out.getvalue()


def test_what_a_step_prints_goes_to_its_log_not_into_the_display(tmp_path, capfd):
    out = io.StringIO()
    with Store(tmp_path) as store:
        summary = run(Graph((Step("chatty", "display.chatty", {}),)), store, PlainReporter(out, interval=60))
        meta = store.get(summary.keys["chatty"]).meta
    printed = capfd.readouterr()
    shown = out.getvalue() + printed.out + printed.err
    for text in ("lm_head", "Map: 100%", "C code to fd 1", "C code to fd 2", "a library warning"):
        assert text not in shown
    log = open(meta["output_log"]).read()
    for text in ("lm_head", "Map: 100%", "C code to fd 1", "C code to fd 2", "a library warning"):
        assert text in log
    print("after the step, output is where it was")
    assert "output is where it was" in capfd.readouterr().out


def test_a_failed_step_log_has_the_traceback_and_what_it_printed(tmp_path):
    with Store(tmp_path) as store, pytest.raises(StepFailed) as caught:
        run(Graph((Step("chatty", "display.chatty", {"fail": True}),)), store, PlainReporter(io.StringIO()))
        assert store  # unreachable
    log = open(re.search(r"log: (\S+)\)", caught.value.message).group(1)).read()
    assert "RuntimeError: boom" in log and "what the step printed" in log and "lm_head" in log


def test_cli_run_into_a_file_prints_plain_timestamped_lines(tiny_study, tmp_path):
    env = {**os.environ, "XITT_PROGRESS_SECONDS": "0.02", "PYTHONPATH": str(REPO)}
    with open(tmp_path / "run.log", "w") as log:
        done = subprocess.run([sys.executable, "-m", "xitt.cli", "run", tiny_study, "--set", "similarity.text.samples=30"],
                              stdout=log, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "run.log").read_text()
    assert "\x1b[" not in text  # no cursor movement or colour codes in a file
    progress = [line for line in text.splitlines() if STAMP.match(line)]
    assert any("started  similarity/text" in line for line in progress)
    assert any("finished similarity/text" in line for line in progress)
    assert any("running  similarity/text" in line for line in progress)  # at the (tiny) interval
    assert "report:" in text


@op("display.load_encoder")
def load_encoder(ctx: StepContext) -> dict:
    from transformers import AutoModel

    AutoModel.from_pretrained(ctx.params["checkpoint"])  # a masked LM read as an encoder: transformers reports lm_head
    return {"done": True}


def test_transformers_load_report_stays_out_of_the_display(tmp_path, capfd):
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM

    config = XLMRobertaConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                              max_position_embeddings=40)
    XLMRobertaForMaskedLM(config).save_pretrained(tmp_path / "ckpt")
    capfd.readouterr()
    out = io.StringIO()
    with Store(tmp_path) as store:
        summary = run(Graph((Step("load", "display.load_encoder", {"checkpoint": str(tmp_path / "ckpt")}),)), store, PlainReporter(out))
        log = open(store.get(summary.keys["load"]).meta["output_log"]).read()
    printed = capfd.readouterr()
    assert "lm_head" not in out.getvalue() + printed.out + printed.err
    assert "LOAD REPORT" in log and "lm_head" in log


def test_a_library_handler_bound_to_a_replaced_stderr_still_logs_into_the_step_log(tmp_path):
    """A library that set up its handler while sys.stderr was some other stream (a notebook's,
    a test runner's, since closed) still writes into the step's log, not to the stale stream."""
    import logging

    from xitt.engine.capture import captured

    stale = io.StringIO()
    logger = logging.getLogger("xitt-test-stale-library")
    handler = logging.StreamHandler(stale)
    logger.addHandler(handler)
    try:
        with captured(tmp_path / "step.log"):
            logger.warning("LOAD REPORT from a library")
        assert "LOAD REPORT from a library" in (tmp_path / "step.log").read_text()
        assert stale.getvalue() == "" and handler.stream is stale  # restored afterwards
    finally:
        logger.removeHandler(handler)
