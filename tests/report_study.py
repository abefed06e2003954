"""A study with XTREME-R's long task names, in the stored results' exact format, for
layout tests: six targets, intermediate names that share long prefixes
(``pawsx_translate_train@en`` and ``pawsx_translate_train@en+de``), English and
multilingual sets, and every kind of ``n/a``. Numbers are drawn from a seeded generator;
the statistics are computed by xitt's own stats code, so the rows are what a run stores."""

from __future__ import annotations

import numpy as np

from xitt.report import StudyResults

TASKS = ("xnli_translate_train", "pawsx_translate_train", "squad_translate_train", "hellaswag", "mlqa_translate_train")
ENGLISH = tuple(f"{t}@en" for t in TASKS)
MULTILINGUAL = tuple(f"{t}@en+de" for t in TASKS)
TARGETS = {"xnli": "accuracy", "pawsx": "accuracy", "udpos": "f1", "panx": "f1", "xquad": "f1", "tatoeba": "accuracy"}
LANGUAGES = ("en", "de", "es", "fr", "ja", "zh")


def xtreme_like_study(seeds: int = 3, constant: str = "", prefix: str = "") -> StudyResults:
    """``constant``: a target where every similarity is equal (its r is undefined: ``n/a``);
    ``prefix``: put before every intermediate name, to make them longer still."""
    from xitt.ops.statistics import study_data
    from xitt.study import CorrelateStep
    from xitt.stats.study import Options, report

    rng = np.random.default_rng(21)
    english, multilingual = tuple(prefix + u for u in ENGLISH), tuple(prefix + u for u in MULTILINGUAL)
    units = english + multilingual
    baseline = {(t, lang): 0.5 + 0.3 * rng.random() for t in TARGETS for lang in LANGUAGES}
    similarity = {u: {t: 0.5 if t == constant else float(rng.random()) for t in TARGETS} for u in units}
    table, per_language, summary = [], [], []
    for u in units:
        for t in TARGETS:
            effect = 0.08 * similarity[u][t] + (0.02 if u in multilingual else 0.0) - 0.03
            gains = []
            for lang in LANGUAGES:
                per_seed = [effect + 0.01 * rng.standard_normal() for _ in range(seeds)]
                for seed, gain in enumerate(per_seed, 1):
                    table.append({"intermediate": u, "target": t, "language": lang, "seed": seed, "baseline": baseline[(t, lang)],
                                  "score": baseline[(t, lang)] + gain, "gain": gain})
                per_language.append({"intermediate": u, "target": t, "language": lang, "gain": float(np.mean(per_seed))})
                if lang != "en":
                    gains.append(per_seed)
            seed_means = np.mean(gains, axis=0)
            summary.append({"intermediate": u, "target": t, "gain": float(np.mean(seed_means)),
                            "spread": float(np.std(seed_means)), "seeds": seeds})
    gains_result = {
        "summary": summary, "table": table, "per_language": per_language, "metrics": dict(TARGETS),
        "baseline": [{"target": t, "language": lang, "score": s} for (t, lang), s in baseline.items()],
        "train_languages": {t: ["en"] for t in TARGETS},
    }
    sets = {"english": list(english), "multilingual": list(multilingual)}
    similarities = {
        "text": {"measure": "text_embedding", "intermediates": list(units), "targets": list(TARGETS), "values": similarity,
                 "direction": "higher is more similar"},
        "fisher": {"measure": "task_embedding", "intermediates": list(units), "targets": list(TARGETS),
                   "values": {u: {t: 0.5 if t == constant else float(rng.random()) for t in TARGETS} for u in units}, "direction": "higher is more similar"},
    }
    step = CorrelateStep(("spearman",), tuple(similarities), "target", {"permutation": 200, "bootstrap": 200},
                         {name: tuple(units) for name, units in sets.items()}, (("english", "multilingual"),))
    data = study_data(step, gains_result, {n: r["values"] for n, r in similarities.items()})
    correlation = report(data, Options.of(step.methods, step.per, step.settings), step.compare)
    sources = {"gains": "gains", "similarities": {n: f"similarity/{n}" for n in similarities}, "correlations": ["correlate/1"]}
    keys = {s: f"{i:064x}" for i, s in enumerate(["gains", *sources["similarities"].values(), "correlate/1"])}
    return StudyResults("xtreme_like", gains_result, similarities, [correlation], sources, keys, sets)
