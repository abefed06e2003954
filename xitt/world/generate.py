"""``generate(config)``: the whole world, deterministically, from one config."""

from __future__ import annotations

from dataclasses import dataclass, field

from xitt.world.anchors import Anchors, local_spelling, make_anchors
from xitt.world.catalog import TASKS
from xitt.world.config import WorldConfig
from xitt.world.corpus import make_corpus
from xitt.world.languages import Language, make_languages
from xitt.world.lexicon import Lexicon, build_lexicon
from xitt.world.meanings import make_sampler
from xitt.world.realise import Realiser
from xitt.world.sampling import stream
from xitt.world.tasks import make_items, render

SPLITS = ("train", "dev", "test")


@dataclass
class World:
    """Languages (English first), the pretraining corpus, and examples by (task, lang, split)."""

    config: WorldConfig
    languages: list[Language]
    corpus: list[str]
    examples: dict[tuple[str, str, str], list[dict]]
    corpus_languages: list[str] = field(default_factory=list)  # host language per corpus line
    lexicon: Lexicon | None = None
    anchors: Anchors | None = None

    def vocabulary(self, code: str) -> frozenset[str]:
        """Every non-anchor word language ``code`` can produce (to detect code-switching)."""
        words = self.lexicon.vocabulary(code)
        return words | {"an"} if code == "en" else words


def _identified(task: str, examples: list[dict], prefix: str) -> list[dict]:
    """QA and retrieval examples carry ids; evaluation ids are the same in every language
    (the same meaning), which is what pairs translations for retrieval."""
    if TASKS[task].format.value not in ("qa", "retrieval"):
        return examples
    return [{"id": f"{prefix}-{index:05d}", **example} for index, example in enumerate(examples)]


def generate(config: WorldConfig) -> World:
    """Build the world. Same config, same world; every random choice comes from ``config.seed``."""
    languages = make_languages(config.codes, config.seed)
    lexicon = build_lexicon(languages, config.seed)
    anchors = make_anchors(config.seed)
    sampler = make_sampler(lexicon, anchors, config.seed, config.structure)
    realisers = {language.code: Realiser(lexicon, language, None if config.anchors else local_spelling(language, config.seed))
                 for language in languages}

    examples: dict[tuple[str, str, str], list[dict]] = {}
    for task, info in TASKS.items():
        for code, realiser in realisers.items():  # train: drawn per language; retrieval has none
            if not info.trainable:
                break
            items = make_items(task, config.train_size, sampler, stream(config.seed, "task", task, "train", code))
            examples[(task, code, "train")] = _identified(task, [render(task, item, realiser) for item in items], f"train-{code}")
        for split in ("dev", "test"):  # evaluation: one set of meanings, in every language
            items = make_items(task, config.eval_size, sampler, stream(config.seed, "task", task, split))
            for code, realiser in realisers.items():
                examples[(task, code, split)] = _identified(task, [render(task, item, realiser) for item in items], split)

    corpus, corpus_languages = make_corpus(config.corpus_size, config.code_switch, sampler, realisers, config.seed,
                                            parallel=config.parallel, function_switch=config.function_switch)
    return World(config, languages, corpus, examples, corpus_languages, lexicon, anchors)
