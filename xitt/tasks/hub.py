"""Rows from the Hugging Face hub through `datasets`, or from a directory that
`Dataset.save_to_disk` wrote (the same data, carried to a machine without hub access).

`datasets` is imported only here and only when called, so that checking and planning a
study never pay for it. Its errors are left for the loader to explain.
"""

from __future__ import annotations

import os
from pathlib import Path


def rows(hub_id: str, config: str | None, split: str) -> list[dict]:
    """Every row of one split of a hub dataset (or of a saved dataset directory)."""
    import datasets

    if Path(hub_id).is_dir():
        data = datasets.load_from_disk(hub_id)
        if isinstance(data, datasets.DatasetDict):
            if split not in data:
                raise KeyError(f"split '{split}' (the directory holds {', '.join(data)})")
            data = data[split]
    else:
        data = datasets.load_dataset(hub_id, config or None, split=split)
    return data.to_list()


def cache_dir() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it: $HF_HUB_CACHE, else
    $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "huggingface" / "hub"


def cached_repo(repo_id: str, kind: str) -> list[Path]:
    """What a study reads of a dataset or model repository in the hub cache
    (``datasets--org--name``, ``models--org--name``): its ``refs`` (which revision is current)
    and ``snapshots`` (links into the blobs, followed when hashed); [] if not cached."""
    folder = cache_dir() / f"{kind}s--{repo_id.replace('/', '--')}"
    return [folder / part for part in ("refs", "snapshots") if (folder / part).is_dir()]
