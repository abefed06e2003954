"""Tiny synthetic tasks for checking this package on its own (tests, benchmarks), without the world.

Words are built from syllables, so the tokenizer splits many of them into several
subwords; sentences follow a word-to-word Markov chain, so masked words are partly
predictable; each task has a simple rule a small model can learn.
"""

from __future__ import annotations

import numpy as np

from xitt.tasks.formats import Format, TaskInfo

SYLLABLES = ("ka", "lo", "mi", "ta", "re", "su", "no", "pe", "zu", "ga", "shi", "vo", "ru", "be", "di")
CLASSIFICATION = TaskInfo("toy_sentiment", Format.CLASSIFICATION, ("negative", "positive"), "accuracy")
PAIR = TaskInfo("toy_marker", Format.PAIR_CLASSIFICATION, ("negative", "positive"), "accuracy")
TAGGING = TaskInfo("toy_ner", Format.TAGGING, ("O", "B-PER", "I-PER", "B-LOC", "I-LOC"), "f1")
QA = TaskInfo("toy_qa", Format.QA, (), "em_f1")
CHOICE = TaskInfo("toy_choice", Format.MULTIPLE_CHOICE, (), "accuracy")
RETRIEVAL = TaskInfo("toy_retrieval", Format.RETRIEVAL, (), "retrieval_accuracy")
QUESTIONS = {"PER": "who is named here", "LOC": "which place is named here"}
FOLLOW = 0.7  # chance that a word is followed by its fixed successor


def _words(rng: np.random.Generator, n: int, syllables: tuple[str, ...] = SYLLABLES) -> list[str]:
    out: set[str] = set()
    longest = 4 if n <= 2000 else 6
    while len(out) < n:
        out.add("".join(rng.choice(syllables, size=int(rng.integers(1, longest + 1))).tolist()))
    return sorted(out)


class ToyWorld:
    """A fixed lexicon (filler words, two marker classes, names, places) drawn from one seed."""

    def __init__(self, seed: int = 0, filler: int = 500, length: tuple[int, int] = (4, 20)):
        self.length = length  # words per corpus or classification sentence, before the marker
        rng = np.random.default_rng(seed)
        words = _words(rng, filler + 80)
        rng.shuffle(words)
        self.filler, self.markers = words[:filler], (words[filler : filler + 40], words[filler + 40 :])
        # Entities are capitalised, and names and places use different syllables, as names
        # and places tend to look different in real languages: the tagger has cues to learn.
        names = [w.capitalize() for w in _words(rng, 80, SYLLABLES[:8])]
        rng.shuffle(names)
        self.first_names, self.last_names = names[:40], names[40:]
        self.places = [w.capitalize() for w in _words(rng, 40, SYLLABLES[8:])]
        self.successor = rng.integers(filler, size=filler)

    def sentence(self, rng: np.random.Generator, length: tuple[int, int] | None = None) -> list[str]:
        """Filler words along the Markov chain (a random jump where it does not follow)."""
        low, high = length or self.length
        n = int(rng.integers(low, high + 1))
        index = [int(rng.integers(len(self.filler)))]
        for follow, jump in zip(rng.random(n - 1) < FOLLOW, rng.integers(len(self.filler), size=n - 1)):
            index.append(int(self.successor[index[-1]]) if follow else int(jump))
        return [self.filler[i] for i in index]

    def _pick(self, words: list[str], rng: np.random.Generator) -> str:
        return words[int(rng.integers(len(words)))]

    def _insert(self, words: list[str], word: str, rng: np.random.Generator) -> list[str]:
        words.insert(int(rng.integers(len(words) + 1)), word)
        return words

    def corpus(self, n: int, seed: int) -> list[str]:
        """Pretraining text: each sentence with a marker word, half of them with a name or place."""
        rng = np.random.default_rng(seed)
        entities = self.first_names + self.last_names + self.places
        out = []
        for _ in range(n):
            words = self._insert(self.sentence(rng), self._pick(self.markers[int(rng.integers(2))], rng), rng)
            if rng.random() < 0.5:
                self._insert(words, self._pick(entities, rng), rng)
            out.append(" ".join(words))
        return out

    def classification(self, n: int, seed: int) -> list[dict]:
        """Label = which marker class the sentence's one marker word is from."""
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(n):
            label = int(rng.integers(2))
            out.append({"text": " ".join(self._insert(self.sentence(rng), self._pick(self.markers[label], rng), rng)), "label": label})
        return out

    def pair(self, n: int, seed: int) -> list[dict]:
        """One marker word sits in either sentence (so both must be read); label = its class."""
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(n):
            label, where = int(rng.integers(2)), int(rng.integers(2))
            texts = [self.sentence(rng, (3, 10)), self.sentence(rng, (3, 10))]
            self._insert(texts[where], self._pick(self.markers[label], rng), rng)
            out.append({"text_a": " ".join(texts[0]), "text_b": " ".join(texts[1]), "label": label})
        return out

    def tagging(self, n: int, seed: int) -> list[dict]:
        """BIO tags: a name (a first name, maybe a last name) is PER, a place word is LOC."""
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(n):
            tokens = self.sentence(rng, (3, 15))
            tags = [0] * len(tokens)
            for _ in range(int(rng.integers(1, 3))):
                free = [i for i in range(len(tokens) + 1) if i == len(tokens) or tags[i] not in (2, 4)]
                at = free[int(rng.integers(len(free)))]
                if rng.random() < 0.5:
                    entity, labels = [self._pick(self.places, rng)], [3]
                else:
                    entity = [self._pick(self.first_names, rng)] + ([self._pick(self.last_names, rng)] if rng.random() < 0.6 else [])
                    labels = [1] + [2] * (len(entity) - 1)
                tokens[at:at] = entity
                tags[at:at] = labels
            out.append({"tokens": tokens, "tags": tags})
        return out

    def qa(self, n: int, seed: int, unanswerable: float = 0.0, length: tuple[int, int] = (3, 15)) -> list[dict]:
        """SQuAD-style: the context holds a name and a place; the question asks for one.
        With ``unanswerable`` > 0, that share of contexts lacks what is asked (SQuAD 2.0)."""
        rng = np.random.default_rng(seed)
        out = []
        for i in range(n):
            words = self.sentence(rng, length)
            name = " ".join([self._pick(self.first_names, rng)] + ([self._pick(self.last_names, rng)] if rng.random() < 0.5 else []))
            place = self._pick(self.places, rng)
            kind = "PER" if rng.random() < 0.5 else "LOC"
            answer = name if kind == "PER" else place
            missing = rng.random() < unanswerable
            for entity in (name, place):
                if not (missing and entity == answer):
                    self._insert(words, entity, rng)
            context = " ".join(words)
            at = words.index(answer) if not missing else 0
            found = [] if missing else [len(" ".join(words[:at])) + (at > 0)]
            out.append({"id": f"q{seed}-{i}", "question": QUESTIONS[kind], "context": context, "answers": {"text": [answer] * len(found), "answer_start": found}})
        return out

    def choice(self, n: int, seed: int, choices: int = 3) -> list[dict]:
        """The right choice carries a marker of the second class, the others of the first."""
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(n):
            label = int(rng.integers(choices))
            premise = " ".join(self.sentence(rng, (3, 8)))
            options = [" ".join(self._insert(self.sentence(rng, (2, 6)), self._pick(self.markers[int(c == label)], rng), rng)) for c in range(choices)]
            out.append({"premise": premise, "question": "", "choices": options, "label": label})
        return out

    def retrieval(self, n: int, seed: int, unmatched: int = 0) -> tuple[list[dict], list[dict]]:
        """Two "languages": the second writes each sentence in reverse word order (a
        bag-of-words translation); ``unmatched`` sentences on each side have no partner."""
        rng = np.random.default_rng(seed)
        first, second = [], []
        for i in range(n):
            words = self.sentence(rng)
            first.append({"id": f"s{i}", "text": " ".join(words)})
            second.append({"id": f"s{i}", "text": " ".join(reversed(words))})
        for i in range(unmatched):
            first.append({"id": f"a{i}", "text": " ".join(self.sentence(rng))})
            second.append({"id": f"b{i}", "text": " ".join(self.sentence(rng))})
        order = rng.permutation(len(second))
        return first, [second[j] for j in order]
