"""The built-in world: deterministic, well-formed, and built so that transfer is possible."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from xitt import world
from xitt.tasks.formats import Format
from xitt.world import TASKS, WorldConfig

SMALL = dict(languages=4, seed=3, train_size=60, eval_size=30, corpus_size=400)


@pytest.fixture(scope="module")
def small() -> world.World:
    return world.generate(WorldConfig(**SMALL))


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_same_config_gives_identical_files(tmp_path):
    world.save(world.generate(WorldConfig(**SMALL)), tmp_path / "one")
    world.save(world.generate(WorldConfig(**SMALL)), tmp_path / "two")
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert one.keys() == two.keys()
    assert "world.json" in one and "corpus.txt" in one
    assert [name for name in one if one[name] != two[name]] == []


def test_same_config_gives_identical_files_across_processes(tmp_path):
    """String hashing is salted per process; a world that leaned on set order would differ."""
    script = ("import sys, pathlib; from xitt import world; "
              f"world.save(world.generate(world.WorldConfig(**{SMALL!r})), pathlib.Path(sys.argv[1]))")
    for salt in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / salt)], check=True, env=env)
    assert _files(tmp_path / "1") == _files(tmp_path / "2")


def test_a_different_seed_gives_a_different_world(small):
    other = world.generate(WorldConfig(**{**SMALL, "seed": 4}))
    assert other.corpus != small.corpus
    assert other.examples[("nli", "qaa", "test")] != small.examples[("nli", "qaa", "test")]


def test_config_reads_step_params_and_rejects_unknown_keys():
    config = WorldConfig.from_params({"languages": 6, "code_switch": 0})
    assert (config.languages, config.code_switch, config.seed) == (6, 0.0, WorldConfig.signature()["seed"].default)
    assert WorldConfig() == WorldConfig.from_params({})
    with pytest.raises(ValueError):
        WorldConfig.from_params({"languages": 9})
    with pytest.raises(ValueError):
        WorldConfig.from_params({"langauges": 3})


def test_every_task_language_and_split_is_present(small):
    codes = world.language_codes(SMALL["languages"])
    assert [lang.code for lang in small.languages] == codes
    for task, info in TASKS.items():
        for code in codes:
            if info.trainable:
                assert len(small.examples[(task, code, "train")]) == SMALL["train_size"]
            else:  # like Tatoeba: evaluation data only
                assert (task, code, "train") not in small.examples
            assert len(small.examples[(task, code, "dev")]) == SMALL["eval_size"]
            assert len(small.examples[(task, code, "test")]) == SMALL["eval_size"]
    assert len(small.corpus) == len(small.corpus_languages) == SMALL["corpus_size"]


def test_examples_follow_their_format_schema(small):
    for (task, _, _), examples in small.examples.items():
        info = TASKS[task]
        for example in examples:
            if info.format is Format.CLASSIFICATION:
                assert set(example) == {"text", "label"} and example["text"].strip()
            elif info.format is Format.PAIR_CLASSIFICATION:
                assert set(example) == {"text_a", "text_b", "label"}
                assert example["text_a"].strip() and example["text_b"].strip()
            elif info.format is Format.QA:
                assert set(example) == {"id", "question", "context", "answers"}
                assert example["question"].endswith("?") and len(example["answers"]["text"]) == 1
            elif info.format is Format.MULTIPLE_CHOICE:
                assert set(example) == {"premise", "question", "choices", "label"}
                assert len(example["choices"]) == 2 and len(set(example["choices"])) == 2
            elif info.format is Format.RETRIEVAL:
                assert set(example) == {"id", "text"} and example["text"].strip()
            else:
                assert set(example) == {"tokens", "tags"}
                assert len(example["tokens"]) == len(example["tags"]) > 0
                assert all(0 <= tag < info.num_labels for tag in example["tags"])
                assert all(token and " " not in token for token in example["tokens"])


def test_labels_are_in_range_and_balanced(small):
    for (task, _, _), examples in small.examples.items():
        if TASKS[task].format in (Format.TAGGING, Format.QA, Format.RETRIEVAL):
            continue
        counts = Counter(example["label"] for example in examples)
        assert set(counts) == set(range(TASKS[task].num_labels))
        assert max(counts.values()) - min(counts.values()) <= 1


def test_tagging_uses_the_label_sets(small):
    pos = Counter(TASKS["pos"].labels[t] for e in small.examples[("pos", "qaa", "train")] for t in e["tags"])
    assert {"NOUN", "VERB", "ADJ", "PROPN", "DET", "ADP", "NUM", "PUNCT", "ADV", "PART"} <= set(pos)
    ner = Counter(TASKS["ner"].labels[t] for e in small.examples[("ner", "en", "train")] for t in e["tags"])
    assert {"B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "O"} <= set(ner)


def _verb_position(examples: list[dict]) -> float:
    """Mean relative position of the main verb (last VERB tag) among the sentence's words."""
    verb = TASKS["pos"].labels.index("VERB")
    positions = []
    for example in examples:
        tags = example["tags"][:-1]  # drop the full stop
        last = max(i for i, tag in enumerate(tags) if tag == verb)
        positions.append(last / (len(tags) - 1))
    return sum(positions) / len(positions)


def test_word_order_really_differs(small):
    orders = {lang.code: lang.word_order for lang in small.languages}
    assert set(orders.values()) == {"SVO", "SOV", "VSO"}
    position = {code: _verb_position(small.examples[("pos", code, "test")]) for code in orders}
    by_order = {order: [position[c] for c in orders if orders[c] == order] for order in ("SVO", "SOV", "VSO")}
    assert min(by_order["SOV"]) > 0.85  # verb last
    assert max(by_order["VSO"]) < 0.2  # verb first
    assert all(0.2 < p < 0.7 for p in by_order["SVO"])


def test_languages_differ_in_script_and_typology(small):
    scripts = {lang.script for lang in small.languages}
    assert "latin" in scripts and len(scripts) >= 2
    vectors = [lang.typology for lang in small.languages]
    assert all(len(v) == len(world.TYPOLOGY_FEATURES) for v in vectors)
    assert len(set(vectors)) == len(vectors)
    assert len({lang.name for lang in small.languages}) == len(small.languages)


def _entities(example: dict) -> list[str]:
    labels = TASKS["ner"].labels
    return [token for token, tag in zip(example["tokens"], example["tags"]) if labels[tag] != "O"]


def test_anchors_are_identical_across_languages(small):
    codes = [lang.code for lang in small.languages]
    tests = {code: small.examples[("ner", code, "test")] for code in codes}
    named = 0
    for i, english in enumerate(tests["en"]):
        names = _entities(english)
        named += bool(names)
        for code in codes[1:]:
            assert _entities(tests[code][i]) == names or sorted(_entities(tests[code][i])) == sorted(names)
    assert named > SMALL["eval_size"] // 2
    # the same names occur in the pretraining text of every language
    by_language: dict[str, set[str]] = {code: set() for code in codes}
    for sentence, code in zip(small.corpus, small.corpus_languages):
        by_language[code].update(t for t in sentence.split() if t[:1].isupper())
    shared = set.intersection(*by_language.values())
    assert len(shared) >= 10


@pytest.mark.parametrize("switches", [{"anchors": False}, {"structure": False}, {"anchors": False, "structure": False, "code_switch": 0.0}])
def test_ablated_worlds_are_deterministic_too(tmp_path, switches):
    for name in ("one", "two"):
        world.save(world.generate(WorldConfig(**SMALL, **switches)), tmp_path / name)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_without_shared_anchors_no_name_or_number_is_shared():
    """The ablation ``anchors: false``: every language spells names and numbers its own way,
    while the tags (and so the task) stay the same."""
    plain, ablated = (world.generate(WorldConfig(**SMALL, anchors=a)) for a in (True, False))
    codes = [lang.code for lang in ablated.languages]
    for code in codes:
        for ours, theirs in zip(plain.examples[("ner", code, "test")], ablated.examples[("ner", code, "test")]):
            assert ours["tags"] == theirs["tags"]
    spelled = {code: {t for e in ablated.examples[("ner", code, "test")] for t in _entities(e)} for code in codes}
    numbers = {code: {t for e in ablated.examples[("pos", code, "test")]
                      for t, tag in zip(e["tokens"], e["tags"]) if TASKS["pos"].labels[tag] == "NUM"} for code in codes}
    assert spelled["en"] == {t for e in plain.examples[("ner", "en", "test")] for t in _entities(e)}
    for i, one in enumerate(codes):
        assert spelled[one] and numbers[one]
        for other in codes[i + 1:]:
            assert not spelled[one] & spelled[other], (one, other)
            assert not numbers[one] & numbers[other], (one, other)


def _pair_variety(w: world.World) -> float:
    """Distinct (verb, object) word pairs per English sentence: low when verbs keep
    to a few typical objects."""
    labels, pairs = TASKS["pos"].labels, []
    for e in w.examples[("pos", "en", "train")]:
        tags = [labels[t] for t in e["tags"]]
        if "VERB" in tags and "NOUN" in tags[tags.index("VERB"):]:
            verb = tags.index("VERB")
            pairs.append((e["tokens"][verb], e["tokens"][tags.index("NOUN", verb)]))
    return len(set(pairs)) / len(pairs)


def test_without_structure_slots_are_drawn_uniformly():
    from xitt.world.anchors import make_anchors
    from xitt.world.lexicon import build_lexicon
    from xitt.world.meanings import make_sampler

    lexicon = build_lexicon(world.generate(WorldConfig(**SMALL)).languages, 3)
    anchors = make_anchors(3)
    structured, naive = (make_sampler(lexicon, anchors, 3, s).sem for s in (True, False))
    verb = next(c.id for c in lexicon.concepts if c.cls == "verb" and c.scenes)
    nouns = {c.id for c in lexicon.concepts if c.cls == "noun"}
    assert len(structured.objects_of[verb]) <= 5
    assert set(naive.objects_of[verb].items) == nouns
    assert naive.objects_of[verb].cum[0] == pytest.approx(naive.objects_of[verb].cum[-1] / len(nouns))  # uniform
    big = dict(SMALL, train_size=600)
    assert _pair_variety(world.generate(WorldConfig(**big, structure=False))) > _pair_variety(world.generate(WorldConfig(**big)))


def _foreign_words(w: world.World) -> int:
    vocabularies = {lang.code: w.vocabulary(lang.code) for lang in w.languages}
    foreign = 0
    for sentence, code in zip(w.corpus, w.corpus_languages):
        for token in sentence.split():
            if token in vocabularies[code] or token[:1].isupper() or token.isdigit() or token in (".", "?"):
                continue
            assert any(token in vocabulary for vocabulary in vocabularies.values()), token
            foreign += 1
    return foreign


def test_code_switching_is_word_level_and_follows_its_share():
    plain = world.generate(WorldConfig(**{**SMALL, "code_switch": 0.0}))
    assert _foreign_words(plain) == 0
    mixed = world.generate(WorldConfig(**{**SMALL, "code_switch": 0.5}))
    assert _foreign_words(mixed) > 50
    vocabularies = {lang.code: mixed.vocabulary(lang.code) for lang in mixed.languages}
    switched = {i for i, (s, c) in enumerate(zip(mixed.corpus, mixed.corpus_languages))
                if any(t not in vocabularies[c] and t.islower() for t in s.split())}
    assert 0.35 < len(switched) / len(mixed.corpus) < 0.65
    # word level: switched sentences keep most of their words in the host language
    host = foreign = 0
    for i in sorted(switched):
        code = mixed.corpus_languages[i]
        tokens = [t for t in mixed.corpus[i].split() if t.islower()]
        if tokens:
            host += sum(t in vocabularies[code] for t in tokens)
            foreign += sum(t not in vocabularies[code] for t in tokens)
    assert 0 < foreign < host


def test_function_words_switch_only_when_asked():
    """Negation, "someone", articles and question words carry NLI and QA: code-switching
    swaps them too by default (``function_switch``), and never when it is off."""
    from xitt.world.corpus import CONTENT

    def switched_classes(config: WorldConfig) -> Counter:
        w = world.generate(config)
        lexicon, vocabularies = w.lexicon, {lang.code: w.vocabulary(lang.code) for lang in w.languages}
        owner = {}
        for concept in lexicon.concepts:
            for lang in w.languages:
                for synonym in (False, True):
                    owner[lexicon.word(lang.code, concept.id, "", synonym)] = concept.cls
        classes = Counter()
        for sentence, code in zip(w.corpus, w.corpus_languages):
            for token in sentence.split():
                if token.islower() and token not in vocabularies[code] and token in owner:
                    classes[owner[token]] += 1
        return classes

    both = switched_classes(WorldConfig(**{**SMALL, "code_switch": 0.5}))
    content = switched_classes(WorldConfig(**{**SMALL, "code_switch": 0.5, "function_switch": False}))
    assert set(content) <= CONTENT and sum(content.values()) > 50
    assert {"det", "part", "adp"} & set(both) and sum(v for k, v in both.items() if k not in CONTENT) > 20


def test_parallel_lines_pair_a_sentence_with_its_translation():
    """A ``parallel`` share of lines reads "sentence </s> translation" (XLM's TLM data); the
    translation is in another language and says the same: names and numbers match."""
    from xitt.world.corpus import PAIR_SEPARATOR

    plain = world.generate(WorldConfig(**SMALL))
    assert not any(PAIR_SEPARATOR in line for line in plain.corpus)
    paired = world.generate(WorldConfig(**{**SMALL, "parallel": 0.4}))
    vocabularies = {lang.code: paired.vocabulary(lang.code) for lang in paired.languages}
    lines = [(line, code) for line, code in zip(paired.corpus, paired.corpus_languages) if PAIR_SEPARATOR in line]
    assert 0.3 < len(lines) / len(paired.corpus) < 0.5
    def anchors(words: list[str]) -> list[str]:
        return sorted(t for t in words if t[:1].isupper() or t.isdigit())

    into_english = 0
    for line, code in lines:
        first, second = (part.split() for part in line.split(f" {PAIR_SEPARATOR} "))
        assert anchors(first) == anchors(second)
        assert first[-1] == second[-1]  # a question is translated as a question
        words = [t for t in second if t.islower() and t not in (".", "?")]
        targets = [c for c, vocabulary in vocabularies.items() if c != code and all(t in vocabulary for t in words)]
        assert targets, line
        into_english += targets == ["en"]
    assert 0.3 < into_english / len(lines) < 0.8  # English half the time, as parallel data mostly is
    assert len(paired.corpus) == SMALL["corpus_size"]


def test_paraphrase_has_adversarial_swaps(small):
    examples = small.examples[("paraphrase", "en", "train")]
    swaps = [e for e in examples if e["label"] == 0 and sorted(e["text_a"].split()) == sorted(e["text_b"].split())]
    positives = [e for e in examples if e["label"] == 1]
    assert swaps, "some negatives use exactly the same words"
    assert all(e["text_a"] != e["text_b"] for e in positives)


def test_sentiment_is_carried_by_evaluative_words(small):
    def forms(sign: int) -> set[str]:
        return {small.lexicon.word("en", c.id, feature, synonym) for c in small.lexicon.concepts
                if c.valence == sign for feature in ("", "past") for synonym in (False, True)}

    positive, negative = forms(1), forms(-1)
    examples = small.examples[("sentiment", "en", "train")]
    assert all(set(e["text"].split()) & (positive | negative) for e in examples)
    agree = sum((len(set(e["text"].split()) & positive) > len(set(e["text"].split()) & negative)) == (e["label"] == 1)
                for e in examples)
    assert agree / len(examples) > 0.6


def test_save_and_load_round_trip(small, tmp_path):
    world.save(small, tmp_path)
    info = world.load_info(tmp_path)
    assert info["config"] == small.config.to_json()
    assert [lang["code"] for lang in info["languages"]] == [lang.code for lang in small.languages]
    assert info["languages"][1]["typology"] == list(small.languages[1].typology)
    assert set(info["tasks"]) == set(TASKS)
    assert world.load_corpus(tmp_path) == small.corpus
    assert world.load_corpus_languages(tmp_path) == small.corpus_languages
    for key, examples in small.examples.items():
        assert world.load_examples(tmp_path, *key) == examples
    text = (tmp_path / "tasks" / "nli" / "qaa" / "test.jsonl").read_text(encoding="utf-8")
    assert "\\u" not in text  # non-Latin scripts are written as UTF-8, not escaped
    with pytest.raises(FileNotFoundError):
        world.load_examples(tmp_path, "nli", "qzz", "test")


def test_qa_answers_are_spans_of_the_context_in_every_language(small):
    for code in world.language_codes(SMALL["languages"]):
        for example in small.examples[("qa", code, "train")] + small.examples[("qa", code, "test")]:
            start, text = example["answers"]["answer_start"][0], example["answers"]["text"][0]
            assert text and example["context"][start:start + len(text)] == text
            assert start == 0 or example["context"][start - 1] == " "  # whole words


def test_qa_passages_hold_2_to_4_sentences(small):
    """As documented; a draw of the passage length per loop turn once let a quarter of the
    passages run to 41 sentences."""
    for code in ("en", world.language_codes(SMALL["languages"])[1]):
        lengths = Counter(e["context"].count(" . ") + 1 for e in small.examples[("qa", code, "train")])
        assert set(lengths) <= {2, 3, 4} and len(lengths) == 3, lengths


def test_qa_asks_every_question_type_and_english_fronts_the_question_word(small):
    questions = [e["question"] for e in small.examples[("qa", "en", "train")]]
    firsts = Counter(q.split()[0] for q in questions)
    assert {"who", "what", "where", "when", "how"} <= set(firsts)
    assert any(q.startswith("how many") and " did " in q for q in questions)


def test_evaluation_data_is_parallel_so_retrieval_pairs_translations(small):
    english = small.examples[("retrieval", "en", "test")]
    for code in world.language_codes(SMALL["languages"])[1:]:
        other = small.examples[("retrieval", code, "test")]
        assert [e["id"] for e in other] == [e["id"] for e in english]
        assert all(a["text"] != b["text"] for a, b in zip(english, other))
        assert [e["id"] for e in small.examples[("qa", code, "dev")]] == [e["id"] for e in small.examples[("qa", "en", "dev")]]


def test_choice_continuation_keeps_the_premise_agent_and_scene(small):
    for example in small.examples[("choice", "en", "train")][:50]:
        first, second = (choice.split() for choice in example["choices"])
        agent = first[:2] if first[0] in ("the", "a") else first[:1]  # English is SVO: the agent leads
        assert second[:len(agent)] == agent and " ".join(agent) in example["premise"]


def test_corpus_holds_questions_so_question_words_are_learnt():
    generated = world.generate(WorldConfig(languages=3, corpus_size=3000, train_size=10, eval_size=10))
    for code in ("en", "qaa", "qab"):
        questions = [s for s, lang in zip(generated.corpus, generated.corpus_languages) if lang == code and s.endswith("?")]
        assert len(questions) > 20


def test_default_world_has_the_documented_sizes():
    generated = world.generate(WorldConfig())
    assert len(generated.corpus) == 20000
    assert len(generated.examples[("nli", "en", "train")]) == 1000
