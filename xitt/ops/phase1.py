"""Phase 1: the world's data, a tokenizer trained on its corpus, and a tiny MLM pretrained on it."""

from __future__ import annotations

from xitt.engine.registry import StepContext, op
from xitt.models.params import PretrainSettings, TokenizerSettings
from xitt.world.config import WorldConfig
from xitt.ops.libraries import MODEL_LIBRARIES, TOKENIZER_LIBRARIES, WORLD_LIBRARIES
from xitt.ops.runtime import TOKENIZER_FILE, save_encoder_artifact, setup_torch


@op("world.generate", libraries=WORLD_LIBRARIES, params=WorldConfig)
def generate_world(ctx: StepContext) -> dict:
    from xitt import world

    generated = world.generate(WorldConfig.from_json(ctx.params))
    world.save(generated, ctx.out_dir)
    return {"languages": [lang.code for lang in generated.languages], "corpus_sentences": len(generated.corpus)}


@op("model.tokenizer", libraries=TOKENIZER_LIBRARIES, params=TokenizerSettings)
def train_tokenizer(ctx: StepContext) -> dict:
    from xitt import world
    from xitt.models.tokenizer import train_tokenizer as train

    vocab_size = TokenizerSettings.from_json(ctx.params).vocab_size
    train(world.load_corpus(ctx.inputs["world"].path), vocab_size, ctx.out_dir / TOKENIZER_FILE)
    return {"vocab_size": vocab_size}


@op("model.pretrain", resources={"gpu": 1}, libraries=MODEL_LIBRARIES, params=PretrainSettings)
def pretrain(ctx: StepContext) -> dict:
    from xitt import world
    from xitt.models.pretrain import pretrain_mlm
    from xitt.models.tokenizer import load_tokenizer

    setup_torch(ctx)
    tokenizer_file = ctx.inputs["tokenizer"].file(TOKENIZER_FILE)
    settings = PretrainSettings.from_json(ctx.params)
    model = pretrain_mlm(load_tokenizer(tokenizer_file), world.load_corpus(ctx.inputs["world"].path), settings, ctx.progress)
    save_encoder_artifact(model, tokenizer_file, ctx.out_dir)
    return {"parameters": sum(p.numel() for p in model.parameters())}
