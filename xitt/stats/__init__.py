"""Correlation statistics between similarities and gains. Domain code only.

This package root stays light (no numpy or scipy) because the language checker imports
it to validate `correlate ... with ...` before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from xitt.signature import Params, Signature, param

METHODS: tuple[str, ...] = ("spearman", "pearson", "kendall", "weighted_tau")


@dataclass(frozen=True)
class CorrelateSettings(Params):
    """The `with` settings of `correlate ... with permutation(10000), bootstrap(2000), adjust(holm)`,
    declared once. Each setting is a one-value call; ``argument`` is the keyword of its value
    (`permutation(n: 10000)`). A correlate step's params hold the settings as written
    (name -> value); ``from_params`` fills the rest with these defaults."""

    permutation: int = param(1000, minimum=0, maximum=1_000_000, argument="n",
                             help="resamples of the permutation test; 0: asymptotic p")
    bootstrap: int = param(1000, minimum=0, maximum=1_000_000, argument="n", help="resamples of the bootstrap CI; 0: no CI")
    adjust: str = param("holm", choices=("holm", "bh", "none"), argument="method", help="multiple-comparison correction")
    seed: int = param(0, minimum=0, argument="n", help="seed of every resampling")
    confidence: float = param(0.95, minimum=0.5, maximum=0.999, argument="level", help="level of the confidence intervals")
    blocked: str = param("auto", choices=("auto", "none", "target", "target_language"), argument="by",
                         help="shuffle only within a block; auto: within (target, language) for pooled rows, within a target for per-language rows")
    unit: str = param("seed_mean", choices=("seed_mean", "seed"), argument="of",
                      help="one row per (intermediate, target) with seed-averaged gain, or one row per seed (units move whole)")
    partial: str = param("none", argument="covariate", help="a similarity of the statement to control for (e.g. size), or none")
    alpha: float = param(0.05, minimum=0.0001, maximum=0.5, argument="level",
                         help="significance level: plan and report warn where no p can reach it")
    top: int = param(3, minimum=1, maximum=1000, argument="k", help="k of NDCG@k and Regret@k")


# what the language checker binds each setting's call against: setting -> {keyword: Param}
SETTINGS: dict[str, Signature] = {name: {p.argument: p} for name, p in CorrelateSettings.signature().items()}
