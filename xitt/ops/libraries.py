"""The installed distributions whose versions shape each kind of op's output: part of their
steps' keys (engine/libraries.py), so that an upgrade re-runs what it may change and
`xitt plan` says which library changed. Kept apart from runtime.py, which imports the models.
"""

WORLD_LIBRARIES = ("numpy",)
TOKENIZER_LIBRARIES = ("tokenizers",)
MODEL_LIBRARIES = ("torch", "transformers", "tokenizers", "numpy")
TRAINING_LIBRARIES = (*MODEL_LIBRARIES, "seqeval")
MEASURE_LIBRARIES = (*MODEL_LIBRARIES, "scipy")
STATS_LIBRARIES = ("numpy", "scipy")
DATA_LIBRARIES = ("datasets", "pyarrow")

