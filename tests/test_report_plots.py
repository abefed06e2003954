"""Figures for a paper: scatter plots in a grid with every point labelled by its intermediate
task, English and multilingual sets distinct, fonts readable at column width, and one
overview figure with each measure's r per set."""

from __future__ import annotations

import struct

from matplotlib.collections import PathCollection

from tests.report_study import TARGETS, xtreme_like_study
from xitt.report import plots


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.read(24)
    return struct.unpack(">II", header[16:24])


def _visible(figure):
    return [a for a in figure.axes if a.get_visible()]


def test_scatter_panels_form_a_grid_that_fits_a_page(tmp_path):
    study = xtreme_like_study()
    figure = plots.scatter_figure(study, "text")
    panels = _visible(figure)
    assert len(panels) == len(TARGETS)
    rows = {round(a.get_position().y0, 3) for a in panels}
    assert len(rows) == 2 and figure.get_figwidth() <= plots.PAGE_WIDTH  # 6 targets: 2 rows of 3
    width, height = _png_size(plots.scatter(study, "text", tmp_path / "scatter.png"))
    assert width <= 1.1 * plots.PAGE_WIDTH * plots.DPI and height < 1.3 * width


def test_every_point_is_labelled_with_its_intermediate_task_and_the_sets_differ():
    study = xtreme_like_study()
    figure = plots.scatter_figure(study, "text")
    for axes in _visible(figure):
        collections = [c for c in axes.collections if isinstance(c, PathCollection)]
        assert len(collections) == 2  # English and multilingual
        points = sum(len(c.get_offsets()) for c in collections)
        labels = [t.get_text() for t in axes.texts if t.get_text() in {u.split("@")[0] for u in study.sets["english"]}]
        assert len(labels) == points == len(study.sets["english"]) * 2
        english, multilingual = collections
        assert tuple(english.get_edgecolor()[0]) != tuple(multilingual.get_edgecolor()[0])  # colour
        assert (english.get_paths()[0].vertices.shape != multilingual.get_paths()[0].vertices.shape
                or not (english.get_paths()[0].vertices == multilingual.get_paths()[0].vertices).all())  # marker shape
        stats = [t.get_text() for t in axes.texts if " r=" in t.get_text()]
        assert any(s.startswith("english r=") for s in stats) and any(s.startswith("multilingual r=") for s in stats)
    legend = figure.legends[0]
    assert {"english intermediate tasks", "multilingual intermediate tasks"} <= {t.get_text() for t in legend.get_texts()}


def test_fonts_are_readable_at_column_width():
    study = xtreme_like_study()
    for figure in (plots.scatter_figure(study, "text"), plots.overview_figure(study)):
        texts = [t for a in _visible(figure) for t in (*a.texts, a.title, a.xaxis.label, a.yaxis.label,
                                                       *a.get_xticklabels(), *a.get_yticklabels()) if t.get_text()]
        assert texts and min(t.get_fontsize() for t in texts) >= 6.5
        assert all(a.title.get_fontsize() >= 9 for a in _visible(figure) if a.title.get_text())


def test_overview_answers_the_question_with_each_measure_and_set():
    study = xtreme_like_study(constant="tatoeba")
    figure = plots.overview_figure(study)
    panels = _visible(figure)
    assert [a.get_title() for a in panels] == ["similarity 'text'", "similarity 'fisher'"]
    assert [t.get_text() for t in panels[0].get_yticklabels()] == sorted(TARGETS)
    assert {"all intermediate tasks", "english intermediate tasks", "multilingual intermediate tasks"} == {
        t.get_text() for t in figure.legends[0].get_texts()}
    assert any(t.get_text() == "n/a" for t in panels[0].texts)  # the constant target's undefined r is marked, not hidden
    assert "english vs multilingual" in figure._suptitle.get_text()
