"""The languages of the world: their grammar, script and a typology vector (the toy URIEL).

English is real; the synthetic languages follow a fixed design table by position, so a
world with n languages always has the same grammars (only the words change with the
seed). The table spreads word orders, adjective orders, scripts and morphology so that
languages sit at different typological distances from English.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from xitt.world.sampling import stream

# Feature names follow lang2vec where one exists (S_SVO, S_ADJECTIVE_BEFORE_NOUN, ...);
# the prefix says the family: S syntax, M morphology, W writing, P phonology.
TYPOLOGY_FEATURES: tuple[str, ...] = (
    "S_SVO", "S_SOV", "S_VSO",
    "S_ADJECTIVE_BEFORE_NOUN", "S_ADPOSITION_BEFORE_NOUN",
    "S_DEFINITE_ARTICLE", "S_ARTICLE_AFTER_NOUN",
    "M_CASE_SUFFIX", "M_PLURAL_PREFIX", "M_PLURAL_SUFFIX",
    "W_NON_LATIN", "P_CLOSED_SYLLABLES",
)

LETTERS = "abdefghijklmnoprstuvwz"
SCRIPTS: dict[str, str] = {
    "latin": LETTERS,
    "cyrillic": "абдефгхийклмнопрстувўз",
    "greek": "αβδεφγχιψκλμνοπρστυθωζ",
    "georgian": "აბდეფგჰიჯკლმნოპრსტუვწზ",
}
_TABLES = {name: str.maketrans(LETTERS, letters) for name, letters in SCRIPTS.items()}


@dataclass(frozen=True)
class Language:
    """One language's grammar. ``typology`` is ordered as ``TYPOLOGY_FEATURES``."""

    code: str
    name: str
    word_order: str  # "SVO" | "SOV" | "VSO"
    adjective_order: str  # "before" | "after" the noun
    script: str  # a key of SCRIPTS
    morphology: str  # "none" | "case_suffix" | "plural_prefix" | "plural_suffix"
    adposition: str  # "before" (prepositions) | "after" (postpositions)
    article: str  # "before" | "after" | "none"
    syllables: str  # "CV" | "CVC"
    typology: tuple[float, ...]

    def to_json(self) -> dict:
        data = asdict(self)
        data["typology"] = list(self.typology)
        return data

    def write(self, latin: str) -> str:
        """A word spelled in this language's script (anchors are never passed here)."""
        return latin.translate(_TABLES[self.script])


# (word_order, adjective_order, script, morphology, adposition, article, syllables)
_DESIGN: tuple[tuple[str, ...], ...] = (
    ("SVO", "before", "latin", "plural_suffix", "before", "before", "CVC"),  # en
    ("SOV", "before", "cyrillic", "case_suffix", "after", "none", "CVC"),
    ("SVO", "after", "latin", "plural_prefix", "before", "before", "CV"),
    ("VSO", "after", "greek", "case_suffix", "before", "before", "CV"),
    ("SVO", "before", "latin", "none", "before", "after", "CVC"),
    ("SOV", "after", "georgian", "plural_suffix", "after", "none", "CV"),
    ("VSO", "before", "cyrillic", "plural_prefix", "before", "after", "CVC"),
    ("SOV", "before", "latin", "none", "after", "none", "CV"),
)


def typology_vector(word_order: str, adjective_order: str, script: str, morphology: str,
                    adposition: str, article: str, syllables: str) -> tuple[float, ...]:
    """The features of ``TYPOLOGY_FEATURES`` as 0/1 floats."""
    values = {
        "S_SVO": word_order == "SVO", "S_SOV": word_order == "SOV", "S_VSO": word_order == "VSO",
        "S_ADJECTIVE_BEFORE_NOUN": adjective_order == "before",
        "S_ADPOSITION_BEFORE_NOUN": adposition == "before",
        "S_DEFINITE_ARTICLE": article != "none", "S_ARTICLE_AFTER_NOUN": article == "after",
        "M_CASE_SUFFIX": morphology == "case_suffix", "M_PLURAL_PREFIX": morphology == "plural_prefix",
        "M_PLURAL_SUFFIX": morphology == "plural_suffix",
        "W_NON_LATIN": script != "latin", "P_CLOSED_SYLLABLES": syllables == "CVC",
    }
    return tuple(float(values[name]) for name in TYPOLOGY_FEATURES)


def make_languages(codes: list[str], seed: int) -> list[Language]:
    """English and the synthetic languages for ``codes`` (English first)."""
    languages = []
    for index, code in enumerate(codes):
        design = _DESIGN[index]
        name = "English" if code == "en" else _invented_name(seed, code)
        languages.append(Language(code, name, *design, typology=typology_vector(*design)))
    return languages


def _invented_name(seed: int, code: str) -> str:
    rng = stream(seed, "language-name", code)
    syllables = [rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 3))]
    return "".join(syllables).capitalize() + rng.choice(["n", "sh", "ic", "ese", "i"])
