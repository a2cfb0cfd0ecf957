"""Fixtures of the writing pack: a tiny random model built offline, and the real SmolLM2.

Session-scoped where it is expensive: the GGUF conversion of SmolLM2 (tens of
seconds on two cores) happens once per test run, and every test that needs the
real model either reuses the loaded model or loads the converted cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from studio_writing.plugin import BUNDLED_SMOLLM2, TEXT_GENERATOR

from studio.api import GenerationRequest, LoadPlan

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SENTENCES = [
    "Once upon a time, in a land far away, there lived a fox who loved the rain.",
    "The lighthouse keeper wrote letters to the sea every evening.",
    "Summarize the text. Give it a title. Rewrite it shorter and more vivid.",
    "A watercolor painting of a quiet harbour at dawn, soft light, muted colours.",
    "Slow piano ballad, warm strings, 70 BPM, melancholic and hopeful.",
    "The camera pans across a neon city at night while rain falls.",
]


def build_tiny_tokenizer(with_chat_template: bool = True):  # type: ignore[no-untyped-def]
    """A byte-level BPE trained on a few sentences: offline, and it splits non-ASCII
    characters across tokens, which is what incremental decoding must survive."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=420,
        special_tokens=["<s>", "</s>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(SENTENCES, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>",
                                   eos_token="<|im_end|>", pad_token="</s>")
    if with_chat_template:
        fast.chat_template = CHATML
    return fast


@pytest.fixture(scope="session")
def tiny_tokenizer():  # type: ignore[no-untyped-def]
    return build_tiny_tokenizer()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_tokenizer) -> Path:
    """A 2-layer Llama with random weights and the tiny tokenizer, saved as a model folder."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny-llama")
    config = LlamaConfig(
        vocab_size=len(tiny_tokenizer), hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=tiny_tokenizer.bos_token_id, eos_token_id=tiny_tokenizer.eos_token_id,
        pad_token_id=tiny_tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tiny_tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def smol_cache(tmp_path_factory) -> Path:
    """A cache folder the real SmolLM2 GGUF is converted into once for the whole run."""
    return tmp_path_factory.mktemp("writing-cache")


@pytest.fixture(scope="session")
def smol(smol_cache):  # type: ignore[no-untyped-def]
    """SmolLM2 loaded the first (converting) time, shared by the tests that only generate."""
    from studio_writing.generator import TextGenerator

    return TextGenerator(TEXT_GENERATOR).load(BUNDLED_SMOLLM2, LoadPlan(cache_dir=smol_cache))


def _request(task: str = "continue", prompt: str = "Once upon a time", seed: int = 0,
            model: str = BUNDLED_SMOLLM2, **params) -> GenerationRequest:  # type: ignore[no-untyped-def]
    """A request with the generator's defaults filled in, as the engine would prepare it."""
    return GenerationRequest(
        modality="text", prompt=prompt, task=task, generator=TEXT_GENERATOR.id, model=model,
        params=TEXT_GENERATOR.params.resolve(params, task), seed=seed,
    )


@pytest.fixture(scope="session")
def make_request():  # type: ignore[no-untyped-def]
    return _request


@pytest.fixture
def make_studio(tmp_path):  # type: ignore[no-untyped-def]
    """Build a thread-backend Studio on CPU; ``cache`` links its cache to a shared folder."""
    from studio.app.studio import Studio

    made = []

    def make(cache: Path | None = None):  # type: ignore[no-untyped-def]
        root = tmp_path / f"studio{len(made)}"
        root.mkdir()
        if cache is not None:
            (root / "cache").symlink_to(cache, target_is_directory=True)
        studio = Studio(root=root, backend="thread")
        studio.settings.device = "cpu"
        made.append(studio)
        return studio

    yield make
    for studio in made:
        studio.close()
