"""Language-level distances, and their aggregation over a task's language mix.

Real languages: URIEL+ (Khan et al. 2025, the ``urielplus`` package, data shipped with it,
offline) angular distances — syntactic, phonological, inventory, featural, morphological,
genetic, geographic, script. Synthetic languages of the built-in world: the share of
typology features (``world.json``) on which two languages differ, per feature family.
A task in several languages sits at the data-weighted mean distance of its languages.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Mapping, Sequence

import numpy as np

URIEL_FEATURES = ("syntactic", "phonological", "inventory", "featural", "morphological", "genetic", "geographic", "script")
# the built-in world's families, by feature-name prefix (S syntax, M morphology, W writing, P phonology)
WORLD_FEATURES = {"syntactic": "S_", "morphological": "M_", "script": "W_", "phonological": "P_", "featural": ""}

# ISO 639-1 -> 639-3 for the languages of XTREME-R (URIEL speaks 639-3)
ISO3 = {
    "af": "afr", "ar": "arb", "az": "azj", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "et": "est", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "gu": "guj", "he": "heb",
    "hi": "hin", "ht": "hat", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat",
    "kk": "kaz", "ko": "kor", "lt": "lit", "ml": "mal", "mr": "mar", "ms": "zsm", "my": "mya", "nl": "nld",
    "pa": "pan", "pl": "pol", "pt": "por", "qu": "que", "ro": "ron", "ru": "rus", "sw": "swh", "ta": "tam",
    "te": "tel", "th": "tha", "tl": "tgl", "tr": "tur", "uk": "ukr", "ur": "urd", "vi": "vie", "wo": "wol",
    "yo": "yor", "zh": "cmn",
}


def world_distances(typology: Mapping[str, Sequence[float]], feature_names: Sequence[str], family: str, languages: Sequence[str]) -> np.ndarray:
    """(n, n) share of the family's features on which each pair of world languages differs."""
    if family not in WORLD_FEATURES:
        raise ValueError(f"the built-in world has no {family} features; it has {', '.join(WORLD_FEATURES)}")
    columns = [i for i, name in enumerate(feature_names) if name.startswith(WORLD_FEATURES[family])]
    vectors = np.array([[typology[code][i] for i in columns] for code in languages], dtype=np.float64)
    return np.abs(vectors[:, None, :] - vectors[None, :, :]).mean(-1)


@contextmanager
def _quiet() -> Iterator[None]:
    """urielplus logs every query at INFO through the root logger, and both its import
    (``logging.basicConfig(level=INFO)``) and its module-level ``logging.info`` calls install
    a stderr handler on the root logger for the rest of the process. Keep its messages off
    the display and put the root logger back as it was."""
    root = logging.getLogger()
    handlers, level, previous = list(root.handlers), root.level, logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)
        root.handlers[:] = handlers
        root.setLevel(level)


@lru_cache(maxsize=1)
def _uriel():
    """The URIEL+ knowledge base. It reads only the .npz/.csv files inside the installed
    package (no network); the first load copies ``database/original_uriel/*.npz`` one
    folder up inside the package, so that folder must be writable once."""
    with _quiet():
        from urielplus import urielplus

        return urielplus.URIELPlus()


def uriel_code(code: str) -> str:
    """A 639-3 code as URIEL knows it, from a 639-1 or 639-3 one."""
    return ISO3.get(code, code)


def uriel_distances(family: str, languages: Sequence[str]) -> np.ndarray:
    """(n, n) URIEL+ angular distances; raises ValueError naming languages it cannot place."""
    if family not in URIEL_FEATURES:
        raise ValueError(f"unknown URIEL distance {family!r}; known: {', '.join(URIEL_FEATURES)}")
    codes = [uriel_code(c) for c in languages]
    unique = sorted(set(codes))
    uriel = _uriel()
    unknown = [c for c in unique if c not in set(uriel.langs[0])]
    if unknown:
        raise ValueError(f"URIEL+ does not know the language(s) {', '.join(unknown)}")
    if len(unique) == 1:
        return np.zeros((len(codes), len(codes)))
    with _quiet():
        matrix = np.asarray(uriel.new_distance(family, unique), dtype=np.float64)
    if matrix.ndim == 0:  # for two languages urielplus answers a number, not a matrix
        matrix = np.array([[0.0, float(matrix)], [float(matrix), 0.0]])
    if (matrix < 0).any():
        missing = sorted({f"{unique[i]}-{unique[j]}" for i, j in zip(*np.nonzero(matrix < 0)) if i < j})
        raise ValueError(f"URIEL+ has no shared {family} features for {', '.join(missing)}")
    np.fill_diagonal(matrix, 0.0)  # urielplus's arccos leaves ~1e-4 between a language and itself
    where = [unique.index(c) for c in codes]
    return matrix[np.ix_(where, where)]


def mixture_distances(rows: Sequence[Mapping[str, float]], columns: Sequence[Mapping[str, float]], languages: Sequence[str], pairwise: np.ndarray) -> np.ndarray:
    """Distance of every row task to every column task: sum_a sum_b w_a w_b d(a, b).

    Each task is a mapping language -> data share (normalised here); ``pairwise`` is the
    (n, n) language distance matrix ordered as ``languages``. One product per side.
    """
    index = {code: i for i, code in enumerate(languages)}

    def weights(mixes: Sequence[Mapping[str, float]]) -> np.ndarray:
        out = np.zeros((len(mixes), len(languages)))
        for r, mix in enumerate(mixes):
            for code, share in mix.items():
                out[r, index[code]] = share
            total = out[r].sum()
            if total <= 0:
                raise ValueError(f"task {r} has no data in any language")
            out[r] /= total
        return out

    return weights(rows) @ pairwise @ weights(columns).T
