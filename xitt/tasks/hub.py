"""Rows from the Hugging Face hub through `datasets`, or from a directory that
`Dataset.save_to_disk` wrote (the same data, carried to a machine without hub access).

`datasets` is imported only here and only when called, so that checking and planning a
study never pay for it. Its errors are left for the loader to explain.
"""

from __future__ import annotations

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
