"""Task prompts: the right messages per task, continuation that really continues."""

from __future__ import annotations

import pytest
from studio_writing import prompts
from studio_writing.plugin import TASKS, TEXT_GENERATOR


def params(task, **values):
    return TEXT_GENERATOR.params.resolve(values, task)


def test_continue_puts_the_document_into_an_open_assistant_turn():
    chat = prompts.chat_messages("continue", "It was raining", params("continue"))
    assert chat.prefill and chat.messages[-1] == {"role": "assistant",
                                                  "content": "It was raining"}


def test_continue_carries_a_direction_in_the_user_turn():
    chat = prompts.chat_messages("continue", "It was raining",
                                 params("continue", direction="continue with a dialogue"))
    assert "Direction: continue with a dialogue." in chat.messages[1]["content"]
    assert chat.messages[-1]["content"] == "It was raining" and chat.prefill
    plain = prompts.chat_messages("continue", "It was raining", params("continue"))
    assert plain.messages[1]["content"] == prompts.CONTINUE_USER


@pytest.mark.parametrize("target", ["image", "music", "video"])
def test_expand_uses_the_target_media_instructions(target):
    chat = prompts.chat_messages("expand", "a fox in the rain", params("expand", target=target))
    system, user = chat.messages
    assert system["content"] == prompts.EXPAND_SYSTEM[target]
    assert "a fox in the rain" in user["content"] and not chat.prefill


def test_rewrite_carries_the_instruction_and_the_selection():
    chat = prompts.chat_messages("rewrite", "The cat sat.",
                                 params("rewrite", instruction="more vivid"))
    user = chat.messages[-1]["content"]
    assert "more vivid" in user and "The cat sat." in user


def test_chat_system_is_optional():
    assert [m["role"] for m in prompts.chat_messages("chat", "hi", params("chat")).messages] \
        == ["user"]
    chat = prompts.chat_messages("chat", "hi", params("chat", system="Be brief."))
    assert chat.messages[0] == {"role": "system", "content": "Be brief."}


def test_every_task_has_a_chat_and_a_plain_prompt():
    for task in TASKS:
        p = params(task)
        assert prompts.chat_messages(task, "some text", p).messages
        assert "some text" in prompts.plain_prompt(task, "some text", p)


def test_base_models_continue_the_bare_text():
    assert prompts.plain_prompt("continue", "It was raining", params("continue")) \
        == "It was raining"


def test_encode_continues_after_the_last_word_and_remembers_the_trailing_space(tiny_tokenizer):
    enc = prompts.encode(tiny_tokenizer, "continue", "Once upon a time, in a ", params("continue"))
    rendered = tiny_tokenizer.decode(enc.input_ids)
    assert rendered.endswith("<|im_start|>assistant\nOnce upon a time, in a")
    assert enc.drop_prefix == " "


def test_encode_adds_the_generation_prompt_for_instruct_tasks(tiny_tokenizer):
    enc = prompts.encode(tiny_tokenizer, "title", "A story about rain.", params("title"))
    assert tiny_tokenizer.decode(enc.input_ids).endswith("<|im_start|>assistant\n")
    assert enc.drop_prefix == ""


@pytest.mark.parametrize(
    "text",
    [
        "Write one sentence about rain on a tin roof.",
        "describe a lighthouse at dusk",
        "Please give me three names for a grey cat.",
        "Can you suggest a title for my poem?",
        "What rhymes with orange?",
    ],
)
def test_short_instructions_and_questions_read_as_instructions(text):
    assert prompts.reads_as_instruction(text)


@pytest.mark.parametrize(
    "text",
    [
        "Once upon a time",
        "The old lighthouse keeper opened the door and",
        "It was late. Where had she gone?",  # a story that ends with a question
        "Write" + " more" * 80,  # long: a document, not an instruction
        "Write the letter.\n\nDear Anna, the rain has not stopped",
        "",
    ],
)
def test_documents_read_as_text_to_continue(text):
    assert not prompts.reads_as_instruction(text)
