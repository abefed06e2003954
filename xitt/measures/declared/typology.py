"""Typological distance between the language mix of each intermediate unit and each target
(weighted by data share): the world's typology vectors, or URIEL+ for real languages."""

from __future__ import annotations

from dataclasses import dataclass

from xitt.errors import UserError
from xitt.measures.declare import Measure, MeasureStep
from xitt.measures.kinds import distance
from xitt.signature import Params, param

URIEL = ("syntactic", "phonological", "inventory", "featural", "morphological", "genetic", "geographic", "script")


@dataclass(frozen=True)
class Typology(Params):
    features: str = param("syntactic", choices=URIEL, help="which URIEL distance (the world has syntactic, morphological, script, phonological, featural)")
    source: str = param("world", choices=("world", "uriel"), help="the built-in world's typology vectors, or URIEL+ for real languages")
    target_languages: str = param("eval", choices=("eval", "train"), help="the target languages a task is compared with")


def compute(step: MeasureStep):
    from xitt import world
    from xitt.measures.typology import mixture_distances, uriel_distances, world_distances

    p = step.params
    rows = [step.language_shares(s) for s in step.rows]
    columns = [step.language_shares(s, p.target_languages == "eval") for s in step.columns]
    languages = sorted({code for mix in [*rows, *columns] for code in mix})
    folder = step.world()
    try:
        if p.source == "uriel":
            pairwise = uriel_distances(p.features, languages)
        elif folder is None:
            raise ValueError("a study without the toy world has no world typology")
        else:
            info = world.load_info(folder)
            typology_vectors = {language["code"]: language["typology"] for language in info["languages"]}
            pairwise = world_distances(typology_vectors, info["typology_features"], p.features, languages)
    except ValueError as error:
        hint = ("the built-in world's languages are synthetic: use `source: world`" if p.source == "uriel"
                else "real languages: use `source: uriel`" if folder is None
                else "use features: syntactic, morphological, script, phonological or featural")
        raise UserError(f"similarity typology: {error}", hint=hint) from None
    return mixture_distances(rows, columns, languages, pairwise)


MEASURE = Measure("typology", Typology, compute, distance(0.0, 1.0), libraries=("urielplus",))
