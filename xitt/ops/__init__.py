"""Step implementations, registered into the engine. Importing this package registers them all."""

from xitt.engine.provenance import track_package
from xitt.measures.declared import DECLARED
from xitt.ops import phase1, similarity, statistics, tasks, training  # noqa: F401  (registration)

for _measure in DECLARED:  # one generic op per declared measure
    similarity.register(_measure)

for _package in ("torch", "transformers", "tokenizers"):
    track_package(_package)
