"""Correlation statistics between similarities and gains. Domain code only."""

from __future__ import annotations

from xitt.signature import Param, Signature

METHODS: tuple[str, ...] = ("spearman", "pearson", "kendall")

# settings of `correlate ... with permutation(1000), bootstrap(2000), adjust(holm)`
SETTINGS: dict[str, Signature] = {
    "permutation": {"n": Param(1000, minimum=0, maximum=1_000_000)},
    "bootstrap": {"n": Param(1000, minimum=0, maximum=1_000_000)},
    "adjust": {"method": Param("holm", choices=("holm", "bh", "none"))},
}
