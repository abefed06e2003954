"""Step implementations, registered into the engine. Importing this package registers them all."""

from xitt.engine.provenance import track_package
from xitt.ops import phase1, similarity, statistics, tasks, training  # noqa: F401  (registration)

for _package in ("torch", "transformers", "tokenizers"):
    track_package(_package)
