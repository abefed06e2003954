"""Tables on disk (jsonl, json lines, tsv, parquet) read as plain rows, one dict each.

Column names are kept as the file has them; `columns.to_schema` maps them onto ours.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from xitt.tasks.text import read_text, split_lines

TABLE_SUFFIXES = (".jsonl", ".tsv", ".parquet")


def read_jsonl(path: Path) -> list[dict]:
    """One JSON object per non-empty line (a byte order mark is dropped; only ``\n`` ends a line)."""
    return [json.loads(line) for line in split_lines(read_text(path)) if line.strip()]


def read_tsv(path: Path) -> list[dict]:
    """A tab-separated file with a header row. Quotes are text, not quoting (XNLI's
    sentences contain them); short rows are padded with empty strings."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, [])
        return [dict(zip(header, row + [""] * (len(header) - len(row)))) for row in reader if row]


def read_parquet(path: Path) -> list[dict]:
    """A parquet file (the hub's own storage format), through pyarrow."""
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def read_table(path: Path) -> list[dict]:
    """Rows of a table file, chosen by suffix (.jsonl, .tsv, .parquet)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".tsv":
        return read_tsv(path)
    if suffix == ".parquet":
        return read_parquet(path)
    raise ValueError(f"{path.name}: a table file ends in {', '.join(TABLE_SUFFIXES)}")
