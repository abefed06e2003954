"""PNG plots of a study, drawn with matplotlib's Agg canvas (no display needed).

Readable in grayscale: heatmaps use cividis (lightness rises monotonically) and print
their values in each cell; scatter plots tell sets apart by marker shape, bar charts by
hatching. Every axis and title names the tasks and measures it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from xitt.report.results import (
    BestConfiguration, StudyResults, correlation_row, fit_line, gain_cells, per_of, scatter_points, set_of, targets, units,
)

COLORMAP = "cividis"
MARKERS = ("o", "^", "s", "D", "v", "P")
DPI = 120


def _seeds(n: int) -> str:
    return f"{n} seed" + ("" if n == 1 else "s")


def _save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _heatmap(matrix: np.ndarray, text: Sequence[Sequence[str]], rows: Sequence[str], columns: Sequence[str],
             norm: Normalize, title: str, xlabel: str, colorbar: str) -> Figure:
    figure = Figure(figsize=(1.6 + 1.3 * len(columns), 1.2 + 0.55 * len(rows)))
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
            axes.text(j, i, label, ha="center", va="center", fontsize=8, color="black" if light else "white")
    figure.colorbar(image, ax=axes, label=colorbar)
    return figure


def gain_heatmap(gains: Mapping, path: Path) -> Path:
    """Intermediate x target zero-shot gains, annotated with mean and seed spread."""
    rows, columns, cells = units(gains), targets(gains), gain_cells(gains)
    matrix = np.array([[cells[(u, t)]["gain"] if (u, t) in cells else np.nan for t in columns] for u in rows])
    text = [[f"{cells[(u, t)]['gain']:+.3f}\n±{cells[(u, t)]['spread']:.3f}" if (u, t) in cells else "" for t in columns] for u in rows]
    largest = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 0.0
    largest = largest or 1e-9
    metrics = sorted({gains["metrics"].get(t, "score") for t in columns})
    seeds = max((r["seeds"] for r in gains["summary"]), default=0)
    figure = _heatmap(matrix, text, rows, [f"{t} ({gains['metrics'].get(t, '')})" for t in columns], Normalize(-largest, largest),
                      f"zero-shot gain over no intermediate step\n(mean ± spread over {_seeds(seeds)})", "target task",
                      f"gain in {', '.join(metrics)}")
    return _save(figure, path)


def similarity_heatmap(name: str, result: Mapping, path: Path) -> Path:
    """Intermediate x target values of one similarity measure."""
    rows, columns, values = result["intermediates"], result["targets"], result["values"]
    matrix = np.array([[values[u][t] for t in columns] for u in rows], dtype=float)
    finite = matrix[np.isfinite(matrix)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    text = [[f"{values[u][t]:.3g}" for t in columns] for u in rows]
    figure = _heatmap(matrix, text, rows, columns, Normalize(low, high if high > low else low + 1e-9),
                      f"similarity '{name}' ({result.get('measure', name)})", "target task", f"{name} similarity")
    return _save(figure, path)


def scatter(study: StudyResults, measure: str, path: Path) -> Path:
    """Similarity vs gain, one panel per correlation group, with the least-squares line and its 95% band."""
    per = per_of(study, measure)
    panels = scatter_points(study, measure, per)
    figure = Figure(figsize=(4 * len(panels), 3.6), layout="constrained")
    sets = list(study.sets) if len(study.sets) > 1 else []
    for index, (group, points) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), index + 1)
        for marker_index, name in enumerate(sets or [""]):
            mine = [p for p in points if set_of(study, p.unit) == name] if sets else points
            if mine:
                axes.scatter([p.similarity for p in mine], [p.gain for p in mine], marker=MARKERS[marker_index % len(MARKERS)],
                             facecolors="none" if marker_index % 2 else "0.3", edgecolors="black", s=40,
                             label=f"{name} intermediates" if name else "intermediate tasks", zorder=3)
        fit = fit_line([p.similarity for p in points], [p.gain for p in points])
        if fit is not None:
            axes.fill_between(fit.x, fit.low, fit.high, color="0.8", label="95% CI of the fit", zorder=1)
            axes.plot(fit.x, fit.y, color="black", linestyle="--", label="least-squares fit", zorder=2)
        axes.axhline(0, color="0.5", linewidth=0.8)
        axes.xaxis.set_major_locator(MaxNLocator(4))
        axes.tick_params(axis="x", labelrotation=30)
        row = correlation_row(study, measure, group)
        stat = "" if not row else f"\n{row['method']} r = {row['r']:+.2f}, p = {row['p']:.3f}" if row["r"] is not None else f"\n{row['method']} r undefined"
        axes.set_title(f"{per} {group}{stat}" if per != "pooled" else f"all targets{stat}", fontsize=10)
        axes.set_xlabel(f"{measure} similarity ({study.similarities[measure].get('measure', measure)})")
        axes.set_ylabel("zero-shot gain" + (f" in {group}" if per == "language" else ""))
        if index == 0:
            axes.legend(fontsize=7)
    figure.suptitle(f"similarity '{measure}' vs zero-shot gain")
    return _save(figure, path)


def language_bars(best: BestConfiguration, metric: str, path: Path) -> Path:
    """Per-language score of the best intermediate beside the no-intermediate baseline."""
    languages = sorted(best.scores)
    x = np.arange(len(languages))
    figure = Figure(figsize=(1.2 + 0.9 * len(languages), 3.6))
    axes = figure.add_subplot()
    axes.bar(x - 0.2, [best.baseline[lang] for lang in languages], 0.4, color="white", edgecolor="black", hatch="//",
             label="no intermediate task")
    axes.bar(x + 0.2, [best.scores[lang] for lang in languages], 0.4, color="0.35", edgecolor="black",
             label=f"after {best.intermediate}")
    axes.set_xticks(x, [f"{lang}\n(train)" if lang in best.train_languages else lang for lang in languages])
    axes.set_xlabel("evaluation language")
    axes.set_ylabel(f"{best.target} {metric}")
    axes.set_title(f"{best.target}: best intermediate task {best.intermediate}\n(zero-shot gain {best.gain:+.3f})")
    axes.legend(fontsize=8, loc="lower right")
    return _save(figure, path)
