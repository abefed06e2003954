"""The built-in tiny multilingual MLM: an XLM-R-shaped config sized from a few numbers."""

from __future__ import annotations

from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForMaskedLM


def tiny_config(tokenizer: PreTrainedTokenizerFast, layers: int, hidden: int, heads: int, max_length: int) -> XLMRobertaConfig:
    """XLM-R's shape at small scale: FFN 4×hidden, one segment type, and room for
    ``max_length`` tokens after the position offset (positions start at pad id + 1)."""
    if hidden % heads:
        raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
    return XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
        max_position_embeddings=max_length + tokenizer.pad_token_id + 1,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )


def tiny_mlm(config: XLMRobertaConfig) -> XLMRobertaForMaskedLM:
    """A freshly initialised MLM (seed torch first); nothing is downloaded."""
    return XLMRobertaForMaskedLM(config)
