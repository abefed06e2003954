"""How long generating the built-in world takes, by number of languages (one process).

Run: .venv/bin/python benchmarks/world_generation.py   -> benchmarks/results/world_generation.json
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from xitt.world import WorldConfig, generate


def main() -> None:
    figures = {}
    for languages in (4, 8):
        began = time.perf_counter()
        world = generate(WorldConfig(languages=languages))
        seconds = time.perf_counter() - began
        figures[f"languages={languages}"] = {"seconds": round(seconds, 2), "corpus_sentences": len(world.corpus),
                                            "examples": sum(len(e) for e in world.examples.values())}
        print(f"{languages} languages: {seconds:.2f} s, {figures[f'languages={languages}']['examples']} examples")
    out = Path(__file__).parent / "results" / "world_generation.json"
    out.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
