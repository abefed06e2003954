"""The world's parameters, declared once as one frozen value: the same config gives the same world.

Light (no numpy): the language checker validates ``world toy(...)`` against its signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from xitt.signature import Params, param
from xitt.world.catalog import MAX_LANGUAGES, language_codes


@dataclass(frozen=True)
class WorldConfig(Params):
    """``world toy(languages: 4, seed: 7, ...)``."""

    languages: int = param(4, minimum=2, maximum=MAX_LANGUAGES, help="English plus synthetic languages")
    seed: int = param(7, help="one seed fixes the whole world, byte for byte")
    train_size: int = param(1000, minimum=10, maximum=1_000_000, help="training examples per task and language")
    eval_size: int = param(300, minimum=10, maximum=100_000, help="dev and test examples per task and language")
    corpus_size: int = param(20000, minimum=100, maximum=10_000_000, help="pretraining sentences")
    code_switch: float = param(0.3, minimum=0.0, maximum=1.0, help="share of corpus sentences with code-switched words")
    function_switch: bool = param(True, help="code-switching also swaps function words (articles, 'someone', negation, question words, adpositions); false: content words only")
    parallel: float = param(0.0, minimum=0.0, maximum=1.0, help="share of corpus lines that pair a sentence with its translation, as XLM's TLM data (0: none, as XLM-R)")
    anchors: bool = param(True, help="names and numbers written alike in every language (false: each language spells its own; an ablation)")
    structure: bool = param(True, help="scenes and selectional preferences (false: every slot drawn uniformly and independently; an ablation)")

    @property
    def codes(self) -> list[str]:
        return language_codes(self.languages)
