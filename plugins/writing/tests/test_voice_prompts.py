"""Writing in the user's voice and profile-aware expansion, as the pack sees them (issue #18).

The studio fills ``exemplars``/``prefer``/``avoid``; the pack only puts them into the
prompt (and holds the expansion to the terms). Checked on the built prompt itself.
"""

from __future__ import annotations

import pytest
from studio_writing import prompts
from studio_writing.plugin import TEXT_GENERATOR

PASSAGES = ["The kettle sang.", "Morning came in sideways, the way it does in March, "
            "and the fox went to sleep in the rain while the lighthouse keeper wrote."]


def params(task, **values):
    return TEXT_GENERATOR.params.resolve(values, task)


def voiced(task, **values):
    return params(task, exemplars=prompts.EXEMPLAR_SEPARATOR.join(PASSAGES), **values)


def rendered(tokenizer, task, text, p):
    return tokenizer.decode(prompts.encode(tokenizer, task, text, p).input_ids)


@pytest.mark.parametrize("task", ["continue", "rewrite"])
def test_my_voice_is_on_by_default_and_declared_for_continue_and_rewrite(task):
    names = {p.name for p in TEXT_GENERATOR.params.for_task(task)}
    assert {"my_voice", "exemplars", "exemplar_ids"} <= names
    assert params(task)["my_voice"] is True
    assert "my_voice" not in {p.name for p in TEXT_GENERATOR.params.for_task("chat")}


@pytest.mark.parametrize("task", ["continue", "rewrite"])
def test_exemplars_reach_the_built_prompt(task, tiny_tokenizer):
    text = rendered(tiny_tokenizer, task, "It was late.", voiced(task))
    assert prompts.VOICE_INTRO in text
    for passage in PASSAGES:
        assert passage in text
    assert text.rstrip().endswith("It was late.") or task == "rewrite"


@pytest.mark.parametrize("task", ["continue", "rewrite"])
def test_no_exemplars_when_my_voice_is_off(task, tiny_tokenizer):
    text = rendered(tiny_tokenizer, task, "It was late.", voiced(task, my_voice=False))
    assert prompts.VOICE_INTRO not in text
    assert not any(p in text for p in PASSAGES)
    assert prompts.exemplars_of(voiced(task, my_voice=False)) == []


def test_continue_keeps_the_document_open_after_the_voice_block():
    chat = prompts.chat_messages("continue", "It was late.",
                                 voiced("continue", direction="end with a question"))
    assert chat.prefill and chat.messages[-1]["content"] == "It was late."
    user = chat.messages[1]["content"]
    assert user.index(PASSAGES[1]) < user.index(prompts.VOICE_CONTINUE)
    assert "Direction: end with a question." in user


def test_a_base_model_reads_the_passages_as_earlier_pages():
    plain = prompts.plain_prompt("continue", "It was late.", voiced("continue"))
    assert plain.startswith(PASSAGES[0]) and plain.endswith("It was late.")
    assert prompts.plain_prompt("continue", "It was late.", params("continue")) == "It was late."


def test_exemplars_split_on_dash_lines_only():
    p = params("continue", exemplars="one - two\n---\nthree\n  -----  \nfour")
    assert prompts.exemplars_of(p) == ["one - two", "three", "four"]


def test_expand_names_the_liked_and_disliked_terms():
    p = params("expand", prefer="watercolour, dusk ,watercolour", avoid="neon")
    user = prompts.chat_messages("expand", "a harbour", p).messages[-1]["content"]
    assert "likes: watercolour, dusk." in user and "Do not use: neon." in user
    bare = prompts.chat_messages("expand", "a harbour", params("expand")).messages[-1]
    assert "likes" not in bare["content"] and "Do not use" not in bare["content"]


def test_steer_drops_avoided_phrases_and_adds_missing_liked_terms():
    out = prompts.steer("A harbour at night, Neon signs, wet cobbles.", ["dusk", "harbour"],
                        ["neon"])
    assert out.text == "A harbour at night, wet cobbles, dusk"
    assert out.added == ("dusk",) and out.dropped == ("Neon signs",)
    # Whole words only: "neonate" is not "neon"; nothing asked, nothing changed.
    assert prompts.steer("a neonate", [], ["neon"]).text == "a neonate"
    assert prompts.steer("as written.", [], []).text == "as written."


def test_steer_never_adds_a_term_it_must_avoid():
    assert prompts.steer("a fox", ["neon light"], ["neon"]).added == ()


def test_the_job_records_which_exemplars_shaped_it(make_studio, tiny_model_dir):
    from studio.api import GenerationRequest

    studio = make_studio()
    job = studio.engine.run(GenerationRequest(
        modality="text", task="continue", prompt="Once upon a time", model=str(tiny_model_dir),
        seed=1, params={"max_new_tokens": 4, "exemplar_ids": "a1#0, a2#1",
                        "exemplars": prompts.EXEMPLAR_SEPARATOR.join(PASSAGES)}), timeout=60)
    assert job.state == "done", job.error
    # The tiny model reads 256 tokens: the passages that leave the text no room go.
    used = job.artifacts[0].metadata["exemplars"]
    assert 1 <= used["count"] < 2 and used["ids"] == ["a1#0"]
    off = studio.engine.run(GenerationRequest(
        modality="text", task="continue", prompt="Once upon a time", model=str(tiny_model_dir),
        seed=1, params={"max_new_tokens": 4, "my_voice": False, "exemplars": PASSAGES[0]}),
        timeout=60)
    assert "exemplars" not in off.artifacts[0].metadata
