"""Terminal tables that fit the console without hiding what matters.

A table is declared as columns of two kinds: *label* columns (task, measure, language
names), which may be abbreviated, and *value* columns (numbers, intervals, p-values),
which are never cut. ``fit`` renders the declaration at the console's width, trying in
turn: the full box style; a compact style (no outer edge, one space between columns);
labels abbreviated from the left, each column's distinct labels kept distinct ("…train@en"
and "…train@en+de", never two "pawsx_transla…"); and, for a matrix, its value columns
split over several tables that each repeat the labels. ``n/a`` cells carry a numbered
note whose reason is the table's caption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

ELLIPSIS = "…"
MIN_LABEL = 6  # a label column is never abbreviated below this many cells


@dataclass(frozen=True)
class Column:
    header: str
    label: bool = False  # True: may be abbreviated (distinct values stay distinct); False: never cut
    justify: str = "right"
    style: str = ""
    repeat: bool = False  # a label column repeated in every part when a wide table is split


@dataclass
class Notes:
    """Numbered reasons for ``n/a`` cells: ``na(reason)`` gives ``n/a[1]``; the table's
    caption lists each reason once."""

    reasons: list[str] = field(default_factory=list)

    def na(self, reason: str) -> str:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return f"n/a[{self.reasons.index(reason) + 1}]"

    def caption(self) -> str | None:
        return "\n".join(f"[{i}] n/a: {reason}" for i, reason in enumerate(self.reasons, 1)) or None


def abbreviate(labels: Sequence[str], width: int) -> dict[str, str]:
    """Each distinct label at most ``width`` cells, cut from the left ("…" + its end); labels
    whose ends coincide keep a distinguishing start instead ("pa…@en" / "xn…@en"). Distinct
    in, distinct out; a label that cannot be told apart at this width is kept whole."""
    distinct = list(dict.fromkeys(labels))
    short = {name: name if len(name) <= width else ELLIPSIS + name[len(name) - width + 1:] for name in distinct}
    for name in distinct:
        clash = [other for other in distinct if short[other] == short[name]]
        if len(clash) < 2:
            continue
        for head in range(1, width - 1):
            tail = width - 1 - head
            tried = {o: o if len(o) <= width else o[:head] + ELLIPSIS + o[len(o) - tail:] for o in clash}
            if len(set(tried.values())) == len(clash) and not set(tried.values()) & {short[o] for o in distinct if o not in clash}:
                short.update(tried)
                break
        else:
            short.update({o: o for o in clash})
    return short


def _table(columns: Sequence[Column], rows: Sequence[Sequence], compact: bool) -> Table:
    """The bare table; title and caption are printed apart (``_framed``): inside, rich wraps
    them at the table's width."""
    table = Table(box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD, show_edge=not compact, pad_edge=not compact,
                  padding=(0, 0 if compact else 1), collapse_padding=compact)
    for column in columns:
        table.add_column(column.header, justify=column.justify, style=column.style or None,
                         no_wrap=not column.label, overflow="fold" if column.label else "ellipsis")
    for row in rows:
        table.add_row(*row)
    return table


def _width(renderable: RenderableType) -> int:
    console = Console(width=10_000, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(renderable, crop=False)
    return max((len(line.rstrip()) for line in capture.get().splitlines()), default=0)


def _cell_width(cell) -> int:
    return max((len(line) for line in _plain(cell).splitlines()), default=0)


def _relabel(rows: Sequence[Sequence], index: int, mapping: dict[str, str]) -> list[list]:
    out = []
    for row in rows:
        row = list(row)
        cell = row[index]
        if isinstance(cell, Text):
            row[index] = Text(mapping.get(cell.plain, cell.plain), style=cell.style)
        else:
            row[index] = mapping.get(str(cell), str(cell))
        out.append(row)
    return out


def _plain(cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _shrink(columns: Sequence[Column], rows: Sequence[Sequence], width: int) -> tuple[list[list], bool]:
    """Abbreviate label columns, widest first, until the compact table fits ``width``."""
    rows = [list(r) for r in rows]
    labels = [i for i, c in enumerate(columns) if c.label]
    widths = {i: max([_cell_width(r[i]) for r in rows] + [1]) for i in labels}
    excess = _width(_table(columns, rows, True)) - width
    while excess > 0:
        widest = max(labels, key=lambda i: widths[i] - max(MIN_LABEL, *map(len, columns[i].header.split())), default=None)
        if widest is None or widths[widest] <= max(MIN_LABEL, *map(len, columns[widest].header.split())):
            return rows, False
        widths[widest] -= 1
        excess -= 1
    for i in labels:
        rows = _relabel(rows, i, abbreviate([_plain(r[i]) for r in rows], widths[i]))
    return rows, _width(_table(columns, rows, True)) <= width


def _framed(title: str, table: RenderableType, caption: str | None) -> Group:
    """The title above the table and the caption below it, each wrapped at the console's width."""
    return Group(Text(title, style="italic"), table, *([Text(caption, style="dim")] if caption else []))


def fit(title: str, columns: Sequence[Column], rows: Sequence[Sequence], width: int, notes: Notes | None = None,
        caption: str | None = None) -> RenderableType:
    """The table at ``width`` cells or less where it can be done without cutting a value:
    full style, compact, labels abbreviated, then value columns split over several tables
    (each repeating the ``repeat`` label columns). Value cells are never cut."""
    caption = "\n".join(c for c in (caption, notes.caption() if notes else None) if c) or None
    full = _table(columns, rows, False)
    if _width(full) <= width:
        return _framed(title, full, caption)
    compact = _table(columns, rows, True)
    if _width(compact) <= width:
        return _framed(title, compact, caption)
    shrunk, fits = _shrink(columns, rows, width)
    if fits:
        return _framed(title, _table(columns, shrunk, True), caption)
    parts = _split(title, columns, rows, caption, width)
    return Group(*parts) if parts else _framed(title, _table(columns, shrunk, True), caption)


def _split(title, columns, rows, caption, width: int) -> list[Group]:
    """Value columns in as few balanced groups as fit with whole labels (abbreviated only when
    even one value column per part does not fit), each part repeating the ``repeat`` columns."""
    kept = [i for i, c in enumerate(columns) if c.repeat]
    rest = [i for i, c in enumerate(columns) if not c.repeat]
    if not kept or len(rest) < 2:
        return []

    def part(group: list[int]) -> tuple[list[Column], list[list]]:
        return [columns[j] for j in kept + group], [[r[j] for j in kept + group] for r in rows]

    for shrink in (False, True):
        for count in range(2, len(rest) + 1):
            size = -(-len(rest) // count)
            groups = [rest[i:i + size] for i in range(0, len(rest), size)]
            laid = []
            for group in groups:
                cols, sub = part(group)
                if shrink:
                    sub, fits = _shrink(cols, sub, width)
                else:
                    fits = _width(_table(cols, sub, True)) <= width
                if not fits:
                    break
                laid.append((cols, sub))
            else:
                return [_framed(f"{title} ({n} of {len(laid)})", _table(cols, sub, True), caption if n == len(laid) else None)
                        for n, (cols, sub) in enumerate(laid, 1)]
    return []
