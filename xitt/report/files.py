"""Report files: every number in results.json, with the keys of the steps that made it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping


def write_results(directory: Path, experiment: str, payload: Mapping) -> Path:
    """Write ``results.json`` atomically (temp file then rename) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps({"experiment": experiment, **payload}, indent=1, sort_keys=True), encoding="utf-8")
    temp.replace(path)
    return path
