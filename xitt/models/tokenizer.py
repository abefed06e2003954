"""A WordPiece tokenizer with XLM-R's special tokens, trained deterministically on a corpus.

Why WordPiece rather than Unigram: its ``##`` prefix marks every non-initial piece, so the
first subword of a word is explicit (tagging labels it) and decoding restores the words;
and its training is integer merge counting, which can be made exactly reproducible,
whereas Unigram's EM sums floats in parallel (measured: different bytes across runs).

Why not HF's ``WordPieceTrainer`` as is: it numbers the ``##x`` continuation characters in
hash-map order, so two processes on the same texts write different tokenizer.json files
(measured: 4 runs, 4 files). HF's BPE trainer *without* a prefix numbers its alphabet in
sorted order and breaks ties by id, so it is deterministic. We therefore run it on words
whose non-initial characters are moved into a private-use plane (which carries the ``##``
distinction inside the characters themselves), and read its vocabulary back as WordPiece.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

BOS, PAD, EOS, UNK, MASK = "<s>", "<pad>", "</s>", "<unk>", "<mask>"
SPECIAL_TOKENS = (BOS, PAD, EOS, UNK, MASK)  # XLM-R's order: <pad> = 1 sets the position offset
PREFIX = "##"
_PRIVATE = 0xF0000  # Supplementary Private Use Area-A: continuation characters live here while training
_MAX_WORD_CHARS = 100


def _normalizer() -> normalizers.Normalizer:
    return normalizers.NFKC()


def _continuation_table(words: Iterable[str]) -> dict[int, str]:
    """Each character of the corpus mapped to its own private-use character (its ``##`` form)."""
    chars = sorted({c for word in words for c in word})
    if chars and ord(chars[-1]) >= _PRIVATE:
        raise ValueError("the corpus uses characters from the Unicode private-use plane 15, which training reserves")
    return {ord(c): chr(_PRIVATE + i) for i, c in enumerate(chars)}


def _marked(texts: list[list[str]], table: dict[int, str]) -> Iterator[str]:
    for words in texts:
        yield " ".join(word[0] + word[1:].translate(table) for word in words)


def _unmarked_table(table: dict[int, str]) -> dict[int, str]:
    return {ord(marked): chr(original) for original, marked in table.items()}


def _train_vocab(texts: Iterable[str], vocab_size: int) -> dict[str, int]:
    normalizer = _normalizer()
    # Special tokens written in the text (a parallel line's separator) keep their reserved ids.
    words = [[w for w in normalizer.normalize_str(text).split() if w not in SPECIAL_TOKENS] for text in texts]
    table = _continuation_table(w for sentence in words for w in sentence)
    bpe = Tokenizer(models.BPE(unk_token=UNK))
    bpe.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # Every character in both forms, word-initial and ``##``, so that no seen character
    # turns a whole word into <unk> for appearing where training never saw it.
    alphabet = [chr(c) for c in table] + list(table.values())
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), initial_alphabet=alphabet, show_progress=False)
    bpe.train_from_iterator(_marked(words, table), trainer, length=len(words))
    back = _unmarked_table(table)
    vocab = {}
    for piece, index in bpe.get_vocab().items():
        if piece in SPECIAL_TOKENS or ord(piece[0]) < _PRIVATE:
            vocab[piece.translate(back)] = index
        else:
            vocab[PREFIX + piece.translate(back)] = index
    return vocab


def build_tokenizer(vocab: dict[str, int]) -> Tokenizer:
    """The full pipeline around a WordPiece vocabulary: NFKC, split on spaces, XLM-R templates."""
    tokenizer = Tokenizer(models.WordPiece(vocab=vocab, unk_token=UNK, continuing_subword_prefix=PREFIX, max_input_chars_per_word=_MAX_WORD_CHARS))
    tokenizer.normalizer = _normalizer()
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.add_special_tokens(list(SPECIAL_TOKENS))
    bos, eos = (BOS, vocab[BOS]), (EOS, vocab[EOS])
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A {EOS}",
        pair=f"{BOS} $A {EOS} {EOS} $B {EOS}",  # XLM-R's pair layout: <s> A </s></s> B </s>
        special_tokens=[bos, eos],
    )
    tokenizer.decoder = decoders.WordPiece(prefix=PREFIX)
    return tokenizer


def train_tokenizer(texts: Iterable[str], vocab_size: int, path: Path) -> None:
    """Train on ``texts`` and write tokenizer.json; the same texts give the same bytes."""
    tokenizer = build_tokenizer(_train_vocab(texts, vocab_size))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tokenizer.to_str(pretty=True) + "\n", encoding="utf-8")


def load_tokenizer(path: Path) -> PreTrainedTokenizerFast:
    """The transformers view of a tokenizer.json, with XLM-R's special tokens named."""
    return PreTrainedTokenizerFast(
        tokenizer_file=str(path),
        bos_token=BOS,
        eos_token=EOS,
        sep_token=EOS,
        cls_token=BOS,
        unk_token=UNK,
        pad_token=PAD,
        mask_token=MASK,
        model_max_length=1_000_000,
        padding_side="right",
    )
