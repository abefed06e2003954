"""xitt: intermediate-task transfer for zero-shot cross-lingual transfer, as cached experiments."""

__version__ = "0.1.0"
