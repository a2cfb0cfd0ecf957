"""The generator through the real engine with a tiny random Llama: tasks, params, determinism."""

from __future__ import annotations

import pytest
from studio_writing.generator import TextGenerator
from studio_writing.plugin import TASKS, TEXT_GENERATOR

from studio.api import GenerationRequest, LoadPlan, ParamError, RequestError
from studio.app.writers import read_markdown


def text_request(model_dir, task="continue", prompt="Once upon a time", seed=1, **params):
    return GenerationRequest(modality="text", task=task, prompt=prompt, model=str(model_dir),
                             seed=seed, params=params)


@pytest.fixture
def studio(make_studio):
    return make_studio()


@pytest.mark.parametrize("task", TASKS)
def test_every_task_runs_and_is_stored_as_markdown(studio, tiny_model_dir, task):
    streamed = []
    studio.engine.subscribe(lambda e: e.text and streamed.append(e.text))
    job = studio.engine.run(text_request(tiny_model_dir, task, "a fox in the rain",
                                         max_new_tokens=6), timeout=60)
    assert job.state == "done", job.error
    (art,) = job.artifacts
    assert art.kind == "text" and art.generator == "text.transformers" and art.task == task
    assert 1 <= art.metadata["tokens"] <= 6 and art.metadata["task"] == task
    assert "".join(streamed) == art.text
    with open(art.path, "rb") as f:
        meta, body = read_markdown(f.read())
    assert body == art.text and meta["request"]["task"] == task
    assert studio.library.list(search="fox")[0].id == art.id


def test_temperature_zero_is_greedy_and_matches_plain_generate(studio, tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    texts = set()
    for seed in (1, 2):
        job = studio.engine.run(text_request(tiny_model_dir, seed=seed, temperature=0.0,
                                             repetition_penalty=1.0, max_new_tokens=12),
                                timeout=60)
        assert job.state == "done", job.error
        texts.add(job.artifacts[0].text)
    assert len(texts) == 1  # the seed does not matter when decoding greedily

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    from studio_writing import prompts

    enc = prompts.encode(tok, "continue", "Once upon a time",
                         TEXT_GENERATOR.params.resolve({}, "continue"))
    ids = torch.tensor([enc.input_ids])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12,
                         do_sample=False, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id)
    assert texts == {tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)}


def test_sampling_is_reproducible_for_a_seed(studio, tiny_model_dir):
    req = text_request(tiny_model_dir, seed=42, temperature=1.5, max_new_tokens=16)
    a, b = (studio.engine.run(req, timeout=60) for _ in range(2))
    assert a.state == b.state == "done"
    assert a.artifacts[0].text == b.artifacts[0].text
    assert a.artifacts[0].seed == 42


@pytest.mark.parametrize("params, match", [
    ({"temperature": -0.5}, "temperature must be >= 0"),
    ({"top_p": 0.0}, "top_p must be >= 0.01"),
    ({"max_new_tokens": 0}, "max_new_tokens must be >= 1"),
    ({"repetition_penalty": 3.0}, "repetition_penalty must be <= 2"),
    ({"target": "poem"}, "target must be one of image, music, video"),
    ({"temprature": 0.5}, "unknown parameter 'temprature'"),
])
def test_bad_parameters_are_refused_before_anything_runs(studio, tiny_model_dir, params, match):
    task = "expand" if "target" in params else "continue"
    with pytest.raises(ParamError, match=match):
        studio.engine.submit(text_request(tiny_model_dir, task, **params))
    assert studio.engine.jobs() == []


def test_requests_that_cannot_run_fail_with_a_message():
    gen = TextGenerator(TEXT_GENERATOR)

    def req(task, prompt, **params):
        return GenerationRequest(modality="text", task=task, prompt=prompt,
                                 params=TEXT_GENERATOR.params.resolve(params, task))

    with pytest.raises(RequestError, match="text before the cursor"):
        gen.check_request(req("continue", "   "))
    with pytest.raises(ParamError, match="instruction"):
        gen.check_request(req("rewrite", "The cat sat.", instruction=" "))
    gen.check_request(req("rewrite", "The cat sat.", instruction="shorter"))


def test_a_bad_model_ref_fails_the_job_naming_the_ref(studio, tmp_path):
    missing = tmp_path / "no-model-here"
    job = studio.engine.run(text_request(missing), timeout=60)
    assert job.state == "failed" and str(missing) in job.error
    assert studio.library.count() == 0


def test_a_long_document_is_trimmed_to_its_end_for_continue(tiny_model_dir):
    gen = TextGenerator(TEXT_GENERATOR)
    loaded = gen.load(str(tiny_model_dir), LoadPlan())
    limit = loaded.model.config.max_position_embeddings
    long_text = "The rain fell on the harbour. " * 200
    req = GenerationRequest(modality="text", task="continue", prompt=long_text, seed=0,
                            params=TEXT_GENERATOR.params.resolve({"max_new_tokens": 8}))
    (out,) = gen.generate(req, loaded, lambda *a, **k: None, _Token())
    assert out.metadata["prompt_tokens"] + 8 <= limit
    summary = req.replace(task="summarize")
    with pytest.raises(RequestError, match="reads at most"):
        gen.generate(summary, loaded, lambda *a, **k: None, _Token())


class _Token:
    cancelled = False

    def check(self):
        pass


def test_an_empty_generation_fails_with_a_message_instead_of_an_empty_text(tiny_model_dir,
                                                                           monkeypatch):
    from studio.api import CancelToken, StudioError

    gen = TextGenerator(TEXT_GENERATOR)
    loaded = gen.load(str(tiny_model_dir), LoadPlan())

    def end_at_once(input_ids, **kwargs):
        # The model's first token is its end-of-turn token: nothing is written.
        import torch

        eos = torch.tensor([[loaded.tokenizer.eos_token_id]], device=input_ids.device)
        return torch.cat([input_ids, eos], dim=1)

    monkeypatch.setattr(loaded.model, "generate", end_at_once)
    req = text_request(tiny_model_dir, "chat", "hello",
                       **TEXT_GENERATOR.params.resolve({"max_new_tokens": 4}, "chat"))
    with pytest.raises(StudioError, match="the model returned no text; rephrase"):
        gen.generate(req, loaded, lambda *a, **k: None, CancelToken())
