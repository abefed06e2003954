"""Correlation statistics between similarities and gains. Domain code only.

This package root stays light (no numpy or scipy) because the language checker imports
it to validate `correlate ... with ...` before anything runs.
"""

from __future__ import annotations

from xitt.signature import Param, Signature

METHODS: tuple[str, ...] = ("spearman", "pearson", "kendall", "weighted_tau")

# settings of `correlate ... with permutation(10000), bootstrap(2000), adjust(holm)`;
# each takes one value, written positionally
SETTINGS: dict[str, Signature] = {
    "permutation": {"n": Param(1000, minimum=0, maximum=1_000_000, help="resamples of the permutation test; 0: asymptotic p")},
    "bootstrap": {"n": Param(1000, minimum=0, maximum=1_000_000, help="resamples of the bootstrap CI; 0: no CI")},
    "adjust": {"method": Param("holm", choices=("holm", "bh", "none"), help="multiple-comparison correction")},
    "seed": {"n": Param(0, minimum=0, help="seed of every resampling")},
    "confidence": {"level": Param(0.95, minimum=0.5, maximum=0.999, help="level of the confidence intervals")},
    "blocked": {"by": Param("auto", choices=("auto", "none", "target", "target_language"),
                            help="shuffle only within a block; auto: within (target, language) for pooled rows, within a target for per-language rows")},
    "unit": {"of": Param("seed_mean", choices=("seed_mean", "seed"),
                         help="one row per (intermediate, target) with seed-averaged gain, or one row per seed (units move whole)")},
    "partial": {"covariate": Param("none", help="a similarity of the statement to control for (e.g. size), or none")},
    "alpha": {"level": Param(0.05, minimum=0.0001, maximum=0.5, help="significance level: plan and report warn where no p can reach it")},
    "top": {"k": Param(3, minimum=1, maximum=1000, help="k of NDCG@k and Regret@k")},
}


def setting(settings: dict, name: str):
    """The value of one `with` setting, its declared default when the program leaves it out."""
    if name in settings:
        return settings[name]
    (param,) = SETTINGS[name].values()
    return param.default
