"""PNG plots of a study, drawn with matplotlib's Agg canvas (no display needed).

Sized for a paper: at most a two-column page wide (``PAGE_WIDTH`` inches), fonts of 8 to
10 pt at that size. Readable in grayscale: heatmaps use cividis (lightness rises
monotonically) and print their values in each cell; English and multilingual intermediate
tasks differ by marker shape and fill as well as by colour (Okabe-Ito, safe for colour
blindness); bar charts use hatching. Every point of a scatter plot is labelled with its
intermediate task. ``overview`` is the one figure that answers the study's question.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import math
import re
from functools import wraps

import numpy as np
from matplotlib import rc_context
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from xitt.report.results import (
    BestConfiguration, StudyResults, correlation_row, fit_line, gain_cells, per_of, scatter_points, set_of, targets, units,
)

COLORMAP = "cividis"
MARKERS = ("o", "^", "s", "D", "v", "P")
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe-Ito
DPI = 150
PAGE_WIDTH = 7.0  # inches: a two-column paper's text width
COLUMNS = 3  # scatter panels per row
FONTS = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
         "legend.fontsize": 8, "figure.titlesize": 10, "figure.labelsize": 9}


def _paper(draw):
    """Draw with the paper's font sizes (readable at column width)."""
    @wraps(draw)
    def drawn(*args, **kwargs):
        with rc_context(FONTS):
            return draw(*args, **kwargs)
    return drawn


def _seeds(n: int) -> str:
    return f"{n} seed" + ("" if n == 1 else "s")


def _save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _heatmap(matrix: np.ndarray, text: Sequence[Sequence[str]], rows: Sequence[str], columns: Sequence[str],
             norm: Normalize, title: str, xlabel: str, colorbar: str, breaks: Sequence[int] = ()) -> Figure:
    labels = max((len(r) for r in rows), default=8) * 0.065  # inches the row names take at 8 pt
    figure = Figure(figsize=(min(PAGE_WIDTH, 1.6 + labels + 0.85 * len(columns)), 1.4 + 0.4 * len(rows)), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(np.ma.masked_invalid(matrix), cmap=COLORMAP, norm=norm, aspect="auto")
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    axes.set_yticks(range(len(rows)), rows)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("intermediate task")
    axes.set_title(title)
    cmap = image.get_cmap()
    for i, row in enumerate(text):
        for j, label in enumerate(row):
            if not label:
                continue
            red, green, blue, _ = cmap(norm(matrix[i, j]))
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
            axes.text(j, i, label, ha="center", va="center", fontsize=7, color="black" if light else "white")
    for boundary in breaks:  # between intermediate sets (English, multilingual)
        axes.axhline(boundary - 0.5, color="white", linewidth=2.5)
    figure.colorbar(image, ax=axes, label=colorbar)
    return figure


def _by_set(names: Sequence[str], sets: Mapping[str, Sequence[str]] | None) -> tuple[list[str], list[int]]:
    """Row order set by set (English, then multilingual), and where each new set starts."""
    if not sets or len(sets) < 2:
        return list(names), []
    ordered, breaks = [], []
    for members in sets.values():
        mine = [n for n in names if n in members and n not in ordered]
        if ordered and mine:
            breaks.append(len(ordered))
        ordered += mine
    return ordered + [n for n in names if n not in ordered], breaks


@_paper
def gain_heatmap(gains: Mapping, path: Path, sets: Mapping[str, Sequence[str]] | None = None) -> Path:
    """Intermediate x target zero-shot gains, annotated with mean and seed spread; rows set by set."""
    (rows, breaks), columns, cells = _by_set(units(gains), sets), targets(gains), gain_cells(gains)
    matrix = np.array([[cells[(u, t)]["gain"] if (u, t) in cells else np.nan for t in columns] for u in rows])
    text = [[f"{cells[(u, t)]['gain']:+.3f}\n±{cells[(u, t)]['spread']:.3f}" if (u, t) in cells else "" for t in columns] for u in rows]
    largest = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 0.0
    largest = largest or 1e-9
    metrics = sorted({gains["metrics"].get(t, "score") for t in columns})
    seeds = max((r["seeds"] for r in gains["summary"]), default=0)
    figure = _heatmap(matrix, text, rows, [f"{t} ({gains['metrics'].get(t, '')})" for t in columns], Normalize(-largest, largest),
                      f"zero-shot gain over no intermediate step\n(mean ± spread over {_seeds(seeds)})", "target task",
                      f"gain in {', '.join(metrics)}", breaks)
    return _save(figure, path)


@_paper
def similarity_heatmap(name: str, result: Mapping, path: Path, sets: Mapping[str, Sequence[str]] | None = None) -> Path:
    """Intermediate x target values of one similarity measure; rows set by set."""
    (rows, breaks), columns, values = _by_set(result["intermediates"], sets), result["targets"], result["values"]
    matrix = np.array([[values[u][t] for t in columns] for u in rows], dtype=float)
    finite = matrix[np.isfinite(matrix)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    text = [[f"{values[u][t]:.3g}" for t in columns] for u in rows]
    figure = _heatmap(matrix, text, rows, columns, Normalize(low, high if high > low else low + 1e-9),
                      f"similarity '{name}' ({result.get('measure', name)})", "target task", f"{name} similarity", breaks)
    return _save(figure, path)


def _set_styles(study: StudyResults) -> list[tuple[str, dict]]:
    """Each intermediate set's name and how its points look; one unnamed set without sets."""
    names = list(study.sets) if len(study.sets) > 1 else [""]
    return [(name, {"marker": MARKERS[i % len(MARKERS)], "color": COLOURS[i % len(COLOURS)],
                    "facecolors": COLOURS[i % len(COLOURS)] if i % 2 == 0 else "white"}) for i, name in enumerate(names)]


def _task(unit: str, named_sets: bool) -> str:
    """A point's label: the task alone where marker and colour already say the set
    (``nli@*`` -> ``nli``, ``mix(nli@en,qa@en)`` -> ``mix(nli,qa)``)."""
    return re.sub(r"@[^,)]*", "", unit) if named_sets else unit


@_paper
def scatter_figure(study: StudyResults, measure: str) -> Figure:
    """Similarity vs gain: one panel per correlation group in a grid of ``COLUMNS``, each point
    labelled with its intermediate task, English and multilingual sets in their own marker,
    colour and least-squares line, the stored r of each set in the panel's title."""
    per = per_of(study, measure)
    panels = scatter_points(study, measure, per)
    columns = (2 if len(panels) == 4 else min(COLUMNS, len(panels))) or 1  # 4 panels: 2 x 2
    rows = math.ceil(len(panels) / columns) or 1
    figure = Figure(figsize=(PAGE_WIDTH if columns > 1 else 3.6, 0.7 + 2.3 * rows), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    styles = _set_styles(study)
    named = styles[0][0] != ""
    for index, (group, points) in enumerate(panels.items()):
        axes = grid[index // columns][index % columns]
        stats = []
        low, high = min(p.similarity for p in points), max(p.similarity for p in points)
        lines = _label_lines(points)
        for name, style in styles:
            mine = [p for p in points if set_of(study, p.unit) == name] if named else points
            if not mine:
                continue
            axes.scatter([p.similarity for p in mine], [p.gain for p in mine], marker=style["marker"], facecolors=style["facecolors"],
                         edgecolors=style["color"], linewidths=1.2, s=30, zorder=3, label=f"{name} intermediate tasks" if named else "intermediate tasks")
            fit = fit_line([p.similarity for p in mine], [p.gain for p in mine])
            if fit is not None:
                if not named:
                    axes.fill_between(fit.x, fit.low, fit.high, color="0.85", zorder=1, label="95% CI of the fit")
                axes.plot(fit.x, fit.y, color=style["color"], linestyle="--" if styles.index((name, style)) % 2 else "-",
                          linewidth=1.2, zorder=2, label=f"least-squares fit ({name})" if named else "least-squares fit")
            row = correlation_row(study, measure, group, name if named else "all")
            if row is not None:
                stats.append(((f"{name} " if named else "") + f"r={_r(row)}", style["color"]))
            for p in mine:  # labels point inwards, so that they stay inside the panel
                right = high > low and p.similarity > (low + high) / 2
                text = _task(p.unit, named) + (f" ({p.target})" if per == "pooled" else "")  # pooled: say the target too
                note = axes.annotate(text, (p.similarity, p.gain), xytext=(-4 if right else 4, 2 - 8 * lines[p]),
                                     textcoords="offset points", ha="right" if right else "left", fontsize=6.5, color="0.25", zorder=4)
                note.set_in_layout(False)
                note.set_clip_on(True)  # a long name near the edge is cut there, not drawn over the next panel
        axes.axhline(0, color="0.6", linewidth=0.8, zorder=0)
        axes.xaxis.set_major_locator(MaxNLocator(4))
        axes.yaxis.set_major_locator(MaxNLocator(5))
        axes.set_title("all targets" if per == "pooled" else f"{per} {group}", pad=4 + 9 * len(stats))
        for line, (text, colour) in enumerate(reversed(stats)):  # one line per set, in its colour, above the panel
            axes.annotate(text, (0.0, 1.0), xycoords="axes fraction", xytext=(0, 2 + 9 * line), textcoords="offset points",
                          va="bottom", ha="left", fontsize=7, color=colour)
        if index >= len(panels) - columns:  # the bottom panel of each column
            axes.set_xlabel(f"{measure} similarity")
    for index in range(len(panels), rows * columns):
        grid[index // columns][index % columns].set_visible(False)
    shown: dict[str, object] = {}
    for axes in grid.flat:
        for handle, text in zip(*axes.get_legend_handles_labels()):
            shown.setdefault(text, handle)
    order = sorted(shown, key=lambda text: ("fit" in text or "CI" in text, text))  # points first, then lines
    figure.legend([shown[t] for t in order], order, loc="outside lower center", ncols=2, frameon=False)
    method = next((r["method"] for r in (correlation_row(study, measure, g) for g in panels) if r), "")
    figure.suptitle(f"similarity '{measure}' ({study.similarities[measure].get('measure', measure)})"
                    + ("\n" if columns == 1 else " ") + "vs zero-shot gain"
                    + (f"; {method} r per set" if method and named else f"; {method} r" if method else ""))
    figure.supylabel("zero-shot gain" + (" in that language" if per == "language" else ""))
    return figure


def _label_lines(points: Sequence) -> dict:
    """How many lines down (0 to 2) to move each point's label so that labels of points close
    together (within a fifth of the x range and a twelfth of the y range) do not print over
    each other; a label never moves further from its point than two lines."""
    xs, ys = [p.similarity for p in points], [p.gain for p in points]
    dx, dy = (max(xs) - min(xs) or 1.0) / 5, (max(ys) - min(ys) or 1.0) / 12
    placed: list[tuple[float, float, int]] = []
    lines = {}
    for p in sorted(points, key=lambda p: (-p.gain, p.similarity)):
        taken = {line for x, y, line in placed if abs(x - p.similarity) < dx and abs(y - p.gain) < dy}
        lines[p] = next((line for line in range(3) if line not in taken), 0)  # at most two lines away from its point
        placed.append((p.similarity, p.gain, lines[p]))
    return lines


def _r(row: Mapping) -> str:
    if row.get("r") is None:  # why, in a word: too few points, or no spread in one variable
        return f"n/a ({row['n']} points)" if row.get("n", 3) < 3 else "n/a (no spread)"
    significant = row.get("p_adjusted") is not None and row["p_adjusted"] < 0.05
    return f"{row['r']:+.2f}" + ("*" if significant else "")


def scatter(study: StudyResults, measure: str, path: Path) -> Path:
    """``scatter_figure`` saved as a PNG."""
    return _save(scatter_figure(study, measure), path)


@_paper
def overview_figure(study: StudyResults) -> Figure | None:
    """The study's question at a glance: for each similarity measure (a panel) and each
    correlation group (a row), r with its confidence interval for all intermediate tasks and
    for each set (English, multilingual), beside zero. Filled: adjusted p below 0.05."""
    rows = [r for result in study.correlations for r in result["rows"]]
    if not rows:
        return None
    method = rows[0]["method"]
    rows = [r for r in rows if r["method"] == method]
    measures = list(dict.fromkeys(r["similarity"] for r in rows))
    groups = list(dict.fromkeys(str(r["group"]) for r in rows))
    scopes = list(dict.fromkeys(r["scope"] for r in rows))
    per = next(result["per"] for result in study.correlations if result["rows"])
    width = min(PAGE_WIDTH, 1.2 + 2.2 * len(measures))
    figure = Figure(figsize=(width, 1.6 + len(groups) * (0.12 + 0.2 * len(scopes))), layout="constrained")
    grid = figure.subplots(1, len(measures), squeeze=False, sharey=True)[0]
    styles = {"all": {"marker": "D", "color": "black", "facecolors": "black"}}
    styles.update({name: style for name, style in _set_styles(study) if name})
    offsets = {scope: (i - (len(scopes) - 1) / 2) * 0.22 for i, scope in enumerate(scopes)}
    for axes, measure in zip(grid, measures):
        for scope in scopes:
            style = styles.get(scope, styles["all"])
            mine = [r for r in rows if r["similarity"] == measure and r["scope"] == scope]
            for r in mine:
                y = groups.index(str(r["group"])) + offsets[scope]
                if r["r"] is None:
                    axes.text(0, y, "n/a", fontsize=7, color=style["color"], ha="center", va="center")
                    continue
                if r.get("ci_low") is not None and r.get("ci_high") is not None:
                    axes.plot([r["ci_low"], r["ci_high"]], [y, y], color=style["color"], linewidth=1.2, zorder=2)
                significant = r.get("p_adjusted") is not None and r["p_adjusted"] < 0.05
                axes.scatter([r["r"]], [y], marker=style["marker"], s=28, zorder=3, edgecolors=style["color"], linewidths=1.2,
                             facecolors=style["color"] if significant else "white")
        axes.axvline(0, color="0.6", linewidth=0.8, zorder=0)
        axes.set_xlim(-1.05, 1.05)
        axes.set_title(f"similarity '{measure}'")
        axes.set_xlabel(f"{method} r with the gain")
        axes.grid(axis="x", color="0.9", linewidth=0.6)
    grid[0].set_yticks(range(len(groups)), ["all (pooled)" if g == "pooled" else g for g in groups])
    grid[0].set_ylim(len(groups) - 0.5, -0.5)  # first group on top, room for every set's row
    pers = {result["per"] for result in study.correlations if result["rows"]}
    grid[0].set_ylabel(per if len(pers) == 1 else "target" if pers <= {"target", "pooled"} else "group")
    handles = [Line2D([], [], marker=styles.get(scope, styles["all"])["marker"], color=styles.get(scope, styles["all"])["color"],
                      markerfacecolor=styles.get(scope, styles["all"])["color"], linewidth=1.2) for scope in scopes]
    level = round(100 * study.correlations[0].get("confidence", 0.95))
    figure.legend(handles, [f"{scope} intermediate tasks" for scope in scopes], loc="outside lower center", ncols=len(scopes),
                  frameon=False, title=f"bar: {level}% CI; filled: adjusted p < 0.05; n/a: r undefined (under 3 points, or no spread)")
    figure.suptitle("Does task similarity predict the gain"
                    + (f", and does it differ for {' vs '.join(s for s in scopes if s != 'all')} intermediate tasks?"
                       if len(scopes) > 1 else "?"))
    return figure


def overview(study: StudyResults, path: Path) -> Path | None:
    """``overview_figure`` saved as a PNG (None when the study correlates nothing)."""
    figure = overview_figure(study)
    return _save(figure, path) if figure is not None else None


@_paper
def language_bars(best: BestConfiguration, metric: str, path: Path) -> Path:
    """Per-language score of the best intermediate beside the no-intermediate baseline."""
    languages = sorted(best.scores)
    x = np.arange(len(languages))
    figure = Figure(figsize=(min(PAGE_WIDTH, 1.6 + 0.6 * len(languages)), 3.2), layout="constrained")
    axes = figure.add_subplot()
    axes.bar(x - 0.2, [best.baseline[lang] for lang in languages], 0.4, color="white", edgecolor="black", hatch="//",
             label="no intermediate task")
    axes.bar(x + 0.2, [best.scores[lang] for lang in languages], 0.4, color="0.35", edgecolor="black",
             label=f"after {best.intermediate}")
    axes.set_xticks(x, [f"{lang}\n(train)" if lang in best.train_languages else lang for lang in languages])
    axes.set_xlabel("evaluation language")
    axes.set_ylabel(f"{best.target} {metric}")
    axes.set_title(f"{best.target}: best intermediate task {best.intermediate}\n(zero-shot gain {best.gain:+.3f})")
    figure.legend(loc="outside lower center", ncols=2, frameon=False)  # below the axes: never over a bar
    return _save(figure, path)
