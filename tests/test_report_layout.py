"""Terminal tables at 80 and 120 columns: every unit label distinct, no statistic cut, a
reason for every n/a; the JSON summary and the CSV tables keep whole names."""

from __future__ import annotations

import csv
import io
import re

import pytest
from rich.console import Console

from tests.report_study import TARGETS, xtreme_like_study
from xitt.report.layout import abbreviate
from xitt.report.summary import json_summary
from xitt.report.tables import write_tables
from xitt.report.terminal import summary

GAIN_ROW = re.compile(r"^[│┃ ]*(\S+)\s*[│ ]\s*[+-]\d\.\d{3} ±\d\.\d{3}")
STAT_ROW = re.compile(r"(?P<r>[+-]\d\.\d{3}|n/a\[\d+\]) *│? *(?P<ci>\[[+-]\d\.\d{2}, [+-]\d\.\d{2}\]!?|n/a\[\d+\]) *│? *"
                      r"(?P<p>\d\.\d{3}|n/a\[\d+\]) *│? *(?P<padj>\d\.\d{3}|n/a\[\d+\])( \*)? *│?$")


def _render(study, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(summary(study, width))
    return out.getvalue().splitlines()


def _gain_parts(lines: list[str]) -> list[list[str]]:
    """The row labels of each part of the gain matrix."""
    parts: list[list[str]] = []
    for line in lines:
        if line.startswith("zero-shot gain over no intermediate step"):
            parts.append([])
        elif line.startswith(("per-language score", "spearman")):
            break
        elif parts and (m := GAIN_ROW.match(line)):
            parts[-1].append(m.group(1))
    return parts


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("prefix", ["", "xtreme_r_benchmark_translated_version_of_"])
def test_every_unit_label_is_unique_and_nothing_is_wider_than_the_terminal(width, prefix):
    study = xtreme_like_study(prefix=prefix)
    lines = _render(study, width)
    assert max(len(line) for line in lines) <= width
    units = sorted(study.sets["english"] + study.sets["multilingual"])
    parts = _gain_parts(lines)
    assert parts and all(len(labels) == len(units) == len(set(labels)) for labels in parts)
    for labels in parts:  # each label is the name, or "…" and the name's end, or start…end
        for label, unit in zip(labels, units):
            head, _, tail = label.partition("…")
            assert label == unit or (unit.startswith(head) and unit.endswith(tail) and len(label) < len(unit))
    shown = {cell for line in lines for cell in line.split()}
    for target in TARGETS:
        assert target in shown  # every target column is there, in some part


@pytest.mark.parametrize("width", [80, 120])
def test_statistic_columns_are_kept_whole_and_every_na_has_its_reason(width):
    study = xtreme_like_study(constant="tatoeba")
    lines = _render(study, width)
    rows = [m for line in lines if (m := STAT_ROW.search(line)) and "difference" not in line]
    result = study.correlations[0]
    assert len(rows) >= len(result["rows"])  # every correlation row shows r, CI, p and p adj whole
    header = next(line for line in lines if "p adj" in line)
    assert "p" in header.split() and "r" in header.split()
    marks = {m for line in lines for m in re.findall(r"n/a\[(\d+)\]", line)}
    assert marks  # the constant target's r is undefined
    reasons = {m.group(1) for line in lines if (m := re.match(r"\[(\d+)\] n/a: \S", line))}
    assert marks <= reasons
    assert any(re.match(r"\[\d+\] n/a: .*similarit", line) for line in lines)  # the constant target: why r is undefined


def test_abbreviations_from_the_left_stay_distinct():
    names = ["pawsx_translate_train@en", "pawsx_translate_train@en+de", "xnli_translate_train@en", "squad@en"]
    short = abbreviate(names, 12)
    assert short["squad@en"] == "squad@en"
    assert short["pawsx_translate_train@en+de"] == "…ain@en+de"[-12:] or short["pawsx_translate_train@en+de"].startswith("…")
    assert len(set(short.values())) == len(names) and all(len(v) <= 12 for v in short.values())
    same_end = abbreviate(["aaaa_long_name@en", "bbbb_long_name@en"], 10)  # equal ends: keep distinct starts
    assert len(set(same_end.values())) == 2 and all(len(v) <= 10 for v in same_end.values())
    assert same_end["aaaa_long_name@en"].startswith("a") and same_end["bbbb_long_name@en"].startswith("b")


def test_json_summary_and_csv_tables_keep_whole_names(tmp_path):
    study = xtreme_like_study(prefix="xtreme_r_benchmark_translated_version_of_")
    units = set(study.sets["english"] + study.sets["multilingual"])
    summary_json = json_summary("xtreme_like", [study], None, 0, 0)
    assert {g["intermediate"] for g in summary_json["studies"][0]["gains"]} == units
    write_tables(tmp_path, study)
    with open(tmp_path / "gains.csv", newline="") as handle:
        assert {row["intermediate"] for row in csv.DictReader(handle)} == units
