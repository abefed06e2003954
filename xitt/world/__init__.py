"""The built-in synthetic multilingual world: the offline stand-in for XTREME-R.

Public surface (used by the ops; implemented in the modules of this package):

- ``WorldConfig``            the world's parameters (languages, seed, sizes, code-switching)
- ``language_codes(n)``      the codes of a world with ``n`` languages, ``"en"`` first
- ``TASKS``                  task name -> ``TaskInfo`` (format, labels, metric)
- ``generate(config)``       a ``World``: languages with typology vectors, corpus, task data
- ``save(world, dir)`` / ``load_info(dir)`` / ``load_corpus(dir)`` / ``load_examples(dir, task, lang, split)``

Domain code only: it imports nothing from the engine, compiler or language.
"""
