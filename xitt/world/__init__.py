"""The built-in synthetic multilingual world: the offline stand-in for XTREME-R.

Public surface (used by the ops; implemented in the modules of this package):

- ``WorldConfig``            the world's parameters (languages, seed, sizes, code-switching)
- ``Language``               one language's grammar, script and typology vector
- ``World``                  languages, corpus and examples by (task, language, split)
- ``language_codes(n)``      the codes of a world with ``n`` languages, ``"en"`` first
- ``TASKS``                  task name -> ``TaskInfo`` (format, labels, metric)
- ``generate(config)``       a ``World``: languages with typology vectors, corpus, task data
- ``save(world, dir)`` / ``load_info(dir)`` / ``load_corpus(dir)`` / ``load_examples(dir, task, lang, split)``

How the world is built and why: ``docs/world.md``.
Domain code only: it imports nothing from the engine, compiler or language.
"""

from xitt.world.catalog import TASKS, language_codes
from xitt.world.config import WorldConfig
from xitt.world.generate import SPLITS, World, generate
from xitt.world.io import load_corpus, load_corpus_languages, load_examples, load_info, save
from xitt.world.languages import TYPOLOGY_FEATURES, Language

__all__ = [
    "SPLITS", "TASKS", "TYPOLOGY_FEATURES", "Language", "World", "WorldConfig", "generate",
    "language_codes", "load_corpus", "load_corpus_languages", "load_examples", "load_info", "save",
]
