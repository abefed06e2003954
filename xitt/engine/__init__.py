"""The engine: keys, store, scheduler, display. It knows nothing of NLP; ops are registered into it."""

from xitt.engine.graph import Graph, Step
from xitt.engine.registry import Op, StepContext, get_op, op
from xitt.engine.store import Artifact, Store

__all__ = ["Artifact", "Graph", "Op", "Step", "StepContext", "Store", "get_op", "op"]
