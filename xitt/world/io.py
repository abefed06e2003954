"""The world on disk: ``world.json``, ``corpus.txt``, ``tasks/<task>/<lang>/<split>.jsonl``.

Everything is UTF-8 JSON with sorted keys and ``\\n`` line ends, so the same world is the
same bytes (the engine's cache and the tests rely on it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xitt.world.catalog import TASKS
from xitt.world.languages import TYPOLOGY_FEATURES

if TYPE_CHECKING:
    from xitt.world.generate import World

FORMAT_VERSION = 1


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")


def save(world: "World", directory: Path) -> None:
    """Write the world under ``directory`` (created if missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    info = {
        "format_version": FORMAT_VERSION,
        "config": world.config.to_params(),
        "languages": [language.to_json() for language in world.languages],
        "typology_features": list(TYPOLOGY_FEATURES),
        "tasks": {name: info.to_json() for name, info in TASKS.items()},
        "splits": {"train": world.config.train_size, "dev": world.config.eval_size, "test": world.config.eval_size},
        "corpus_sentences": len(world.corpus),
    }
    (directory / "world.json").write_text(_dumps(info) + "\n", encoding="utf-8")
    (directory / "lexicon.json").write_text(_dumps(world.lexicon.to_json()) + "\n", encoding="utf-8")
    _write_lines(directory / "corpus.txt", world.corpus)
    _write_lines(directory / "corpus_languages.txt", world.corpus_languages)
    for (task, lang, split), examples in sorted(world.examples.items()):
        _write_lines(directory / "tasks" / task / lang / f"{split}.jsonl", [_dumps(e) for e in examples])


def load_info(directory: Path) -> dict:
    """``world.json``: config, languages (with typology), typology feature names, task infos."""
    return json.loads((Path(directory) / "world.json").read_text(encoding="utf-8"))


def _read_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


def load_corpus(directory: Path) -> list[str]:
    """The pretraining sentences, one per line, whitespace-tokenised."""
    return _read_lines(Path(directory) / "corpus.txt")


def load_corpus_languages(directory: Path) -> list[str]:
    """The host language of each corpus sentence (parallel to ``load_corpus``)."""
    return _read_lines(Path(directory) / "corpus_languages.txt")


def load_examples(directory: Path, task: str, lang: str, split: str) -> list[dict]:
    """The examples of one task, language and split (``train``, ``dev`` or ``test``)."""
    path = Path(directory) / "tasks" / task / lang / f"{split}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"the world has no {split} data for {task} in {lang} ({path})")
    return [json.loads(line) for line in _read_lines(path) if line]
