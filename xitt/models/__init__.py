"""Models: tokenizers, the tiny built-in MLM, heads, the training loop, evaluation. Domain code only.

The parameters of each phase are declared once in ``xitt.models.params`` (light); the
signatures here are derived from them for the language checker.
"""

from __future__ import annotations

from xitt.models.params import HubCheckpoint, PretrainSettings, TrainSettings
from xitt.signature import Signature

MODELS: dict[str, Signature] = {"toy_mlm": PretrainSettings.signature(), "hf": HubCheckpoint.signature()}

TRAIN: Signature = TrainSettings.signature()
