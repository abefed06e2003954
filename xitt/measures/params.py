"""Parameters several measures share (light: no numpy); each measure declares its own in
its module of ``xitt/measures/declared/``."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.signature import Params, param


def samples() -> int:
    """``samples``: examples per task and language that a measure reads."""
    return param(256, minimum=8, maximum=100_000, help="examples per task and language")


@dataclass(frozen=True)
class FineTuned(Params):
    """The fine-tuning a measure does itself (TaskEmb, CKA), apart from the study's phases."""

    epochs: int = param(1, minimum=1, maximum=100, help="epochs of the fine-tuning this measure does itself")
    lr: float = param(5e-4, minimum=0.0, maximum=1.0, help="learning rate of that fine-tuning")
    batch: int = param(32, minimum=1, maximum=4096, help="batch size of that fine-tuning")


@dataclass(frozen=True)
class Probe(Params):
    """A transferability estimate over the intermediate models' features (LogME, H-score, LEEP)."""

    samples: int = samples()
    pool: str = param("cls", choices=("mean", "cls"), help="how token states become one vector (sequence tasks)")


@dataclass(frozen=True)
class PooledFineTuned(FineTuned):
    """A measure that fine-tunes and reads pooled encoder states (CKA, fine-tuned embedding)."""

    samples: int = samples()
    pool: str = param("mean", choices=("mean", "cls"), help="how token states become one vector")
