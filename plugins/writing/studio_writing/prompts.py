"""What the model is asked for each task: chat messages for instruct models, plain text otherwise.

Kept free of torch and transformers (the tokenizer is passed in) so the wording
can be read, tested and tuned on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONTINUE_SYSTEM = (
    "You are a writing partner. Continue the user's text from exactly where it stops, "
    "in the same language, voice, tense and style. Write only the continuation."
)
CONTINUE_USER = "Continue my text from where it stops."

REWRITE_SYSTEM = (
    "You are an editor. Rewrite the user's text following the instruction. Reply with "
    "the rewritten text only: no preface, no quotes, no comments."
)
TITLE_SYSTEM = (
    "You give titles. Reply with one short, evocative title for the user's text, at most "
    "eight words, without quotes or comments."
)
SUMMARIZE_SYSTEM = (
    "You summarize. Reply with a faithful summary of the user's text in a few sentences, "
    "in the text's language. No preface."
)
EXPAND_SYSTEM = {
    "image": (
        "You write prompts for a text-to-image model. Turn the user's idea into one "
        "detailed prompt: subject, setting, composition, lighting, colour palette, mood, "
        "medium and style. One paragraph of comma-separated phrases, under 80 words, "
        "no preface."
    ),
    "music": (
        "You write prompts for a text-to-music model. Turn the user's idea into one "
        "detailed prompt: genre, mood, tempo in BPM, key instruments, rhythm, production "
        "style and structure. One paragraph, under 60 words, no preface."
    ),
    "video": (
        "You write prompts for a text-to-video model. Turn the user's idea into one "
        "detailed prompt: subject, action, setting, camera movement and framing, "
        "lighting, pace and visual style. One paragraph, under 80 words, no preface."
    ),
}


#: First words that make a short prompt an instruction rather than text to continue.
INSTRUCTION_VERBS = frozenset("""
    write describe tell give list explain compose create make suggest summarize summarise
    translate rewrite generate draft name imagine invent help brainstorm outline compare
    define find show plan propose recommend paraphrase correct fix edit improve shorten
    answer please
""".split())
#: Openings of a request ("can you ...", "I want ...").
INSTRUCTION_OPENINGS = ("can you ", "could you ", "would you ", "will you ", "i want ",
                        "i need ", "i'd like ", "i would like ", "help me ", "let's ")
#: Longer prompts are documents: continuing them is what the writer asked for.
INSTRUCTION_MAX_CHARS = 300

#: How the ``exemplars`` parameter separates passages: a line holding only dashes.
EXEMPLAR_SEPARATOR = "\n\n---\n\n"
_SEPARATOR_LINE = re.compile(r"\n[ \t]*-{3,}[ \t]*\n")
VOICE_INTRO = "Here are passages the author wrote:"
VOICE_CONTINUE = "Continue my text from where it stops, in the same voice as these passages."
VOICE_REWRITE = "Keep the author's voice, as in these passages."


def exemplars_of(params: Mapping[str, Any]) -> list[str]:
    """The passages in the author's voice this request carries; none when ``my_voice``
    is off (the switch wins over passages a caller left in)."""
    if not params.get("my_voice", True):
        return []
    text = str(params.get("exemplars") or "").strip()
    if not text:
        return []
    return [p.strip() for p in _SEPARATOR_LINE.split(f"\n{text}\n") if p.strip()]


def voice_block(passages: list[str]) -> str:
    """The passages as the model reads them: numbered, quoted, one after another."""
    body = "\n\n".join(f"Passage {i}:\n\"\"\"\n{p}\n\"\"\"" for i, p in
                       enumerate(passages, 1))
    return f"{VOICE_INTRO}\n\n{body}"


def terms_of(value: Any) -> list[str]:
    """A comma-separated term list (``prefer``, ``avoid``) as clean, distinct terms."""
    out: list[str] = []
    for term in str(value or "").split(","):
        term = " ".join(term.split())
        if term and term.lower() not in (t.lower() for t in out):
            out.append(term)
    return out


def reads_as_instruction(text: str) -> bool:
    """Whether a ``continue`` prompt is really a request to answer ("Write one sentence
    about rain.", "What rhymes with orange?") rather than text to carry on.

    A short, single-paragraph prompt that opens with an instruction verb or a request,
    or is one question. Continuing such a prompt makes an instruct model end its turn
    at once (an empty result), so it is answered as a chat message instead, as
    ``llm`` and GPT4All do with chat models. English wording only: in other languages,
    choose the ``chat`` task.
    """
    text = text.strip()
    if not text or len(text) > INSTRUCTION_MAX_CHARS or "\n\n" in text:
        return False
    lower = text.lower()
    first = lower.split(None, 1)[0].strip(",.:;!")
    if first in INSTRUCTION_VERBS or lower.startswith(INSTRUCTION_OPENINGS):
        return True
    body = text[:-1]
    return text.endswith("?") and not any(mark in body for mark in ".!?")


@dataclass(frozen=True)
class Messages:
    """A chat for ``apply_chat_template``; ``prefill`` means the last message is continued."""

    messages: list[dict[str, str]]
    prefill: bool = False


def chat_messages(task: str, text: str, params: Mapping[str, Any]) -> Messages:
    """The chat messages for ``task`` on ``text`` (the prompt: selection, message, idea...)."""
    if task == "continue":
        # The document goes in as the start of the assistant's own reply, left open:
        # an instruct model then writes on from the last word instead of answering
        # or summarizing it, which is what "continue from the cursor" means.
        # A direction (from the sidebar) goes in the user turn, where small models
        # heed it, not in the system message they largely ignore.
        direction = str(params.get("direction") or "").strip()
        user = f"{CONTINUE_USER} Direction: {direction}." if direction else CONTINUE_USER
        passages = exemplars_of(params)
        if passages:
            # In the user turn too: the 135M model reads that turn, not the system one.
            user = f"{voice_block(passages)}\n\n{VOICE_CONTINUE}" + (
                f" Direction: {direction}." if direction else "")
        return Messages([
            {"role": "system", "content": CONTINUE_SYSTEM},
            {"role": "user", "content": user},
            {"role": "assistant", "content": text},
        ], prefill=True)
    if task == "chat":
        msgs = []
        if params.get("system"):
            msgs.append({"role": "system", "content": params["system"]})
        msgs.append({"role": "user", "content": text})
        return Messages(msgs)
    system, user = _instruction(task, text, params)
    return Messages([{"role": "system", "content": system}, {"role": "user", "content": user}])


def plain_prompt(task: str, text: str, params: Mapping[str, Any]) -> str:
    """The prompt for a base model (no chat template): the text itself, or a simple frame."""
    if task == "continue":
        passages = exemplars_of(params)
        if passages:
            # A base model only continues: the author's passages come first, as
            # earlier pages of the same manuscript.
            return EXEMPLAR_SEPARATOR.join([*passages, text])
        return text
    if task == "chat":
        system = params.get("system") or "A conversation with a helpful assistant."
        return f"{system}\n\nUser: {text}\nAssistant:"
    system, user = _instruction(task, text, params)
    return f"{system}\n\n{user}\n\nAnswer:\n"


def _instruction(task: str, text: str, params: Mapping[str, Any]) -> tuple[str, str]:
    # The task is said in the user turn as well as the system one: small instruct
    # models (SmolLM2-135M) largely ignore system messages and treat a bare text in
    # the user turn as "edit this", whatever the system asked for.
    if task == "rewrite":
        passages = exemplars_of(params)
        voice = f"{voice_block(passages)}\n\n{VOICE_REWRITE} " if passages else ""
        return REWRITE_SYSTEM, (f"{voice}Rewrite the following text. Instruction: "
                                f"{params['instruction']}\n\nText:\n{text}")
    if task == "expand":
        target = params["target"]
        taste = ""
        prefer, avoid = terms_of(params.get("prefer")), terms_of(params.get("avoid"))
        if prefer:
            taste += f"\nWork in these terms the user likes: {', '.join(prefer)}."
        if avoid:
            taste += f"\nDo not use: {', '.join(avoid)}."
        return EXPAND_SYSTEM[target], (f"Write a detailed text-to-{target} prompt for this "
                                       f"idea: {text}{taste}\nReply with the prompt only.")
    if task == "title":
        return TITLE_SYSTEM, (f"Write a short title for the following text. Reply with the "
                              f"title only.\n\nText:\n{text}")
    if task == "summarize":
        return SUMMARIZE_SYSTEM, (f"Summarize the following text in two or three "
                                  f"sentences.\n\nText:\n{text}")
    raise ValueError(f"no prompt for task {task!r}")


@dataclass(frozen=True)
class Encoded:
    """Prompt token ids plus what the decoder must drop from the start of the output.

    ``drop_prefix``: trailing spaces taken off a ``continue`` prompt. BPE
    vocabularies fold the space into the next word (" cat"), so a prompt ending in
    a lone space token derails small models; we leave the space out of the
    prompt and drop it again from the start of the continuation, so the text
    still joins cleanly at the cursor.
    """

    input_ids: list[int]
    drop_prefix: str = ""


def encode(tokenizer: Any, task: str, text: str, params: Mapping[str, Any]) -> Encoded:
    """Token ids of the prompt for ``task`` (chat template when the tokenizer has one)."""
    drop = ""
    if task == "continue":
        stripped = text.rstrip(" ")
        if stripped:
            drop, text = text[len(stripped):], stripped
    if getattr(tokenizer, "chat_template", None):
        chat = chat_messages(task, text, params)
        rendered = tokenizer.apply_chat_template(
            chat.messages, tokenize=False,
            add_generation_prompt=not chat.prefill, continue_final_message=chat.prefill,
        )
        # The template already wrote BOS and the role markers.
        ids = tokenizer(rendered, add_special_tokens=False)["input_ids"]
    else:
        ids = tokenizer(plain_prompt(task, text, params))["input_ids"]
    return Encoded(list(ids), drop)


@dataclass(frozen=True)
class Steered:
    """An expansion after ``steer``: its text, and the terms added and phrases dropped."""

    text: str
    added: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


def _mentions(phrase: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", phrase, re.IGNORECASE) is not None


def steer(text: str, prefer: list[str], avoid: list[str]) -> Steered:
    """The expansion made to honour ``prefer`` and ``avoid``, whatever the model did.

    A small model (SmolLM2-135M) often ignores "do not use X" and forgets the terms
    it was asked for, so the request's terms are enforced on the comma-separated
    phrases of its answer: phrases naming an avoided term are dropped, preferred
    terms it left out are appended. Whole words, case-insensitive.
    """
    if not prefer and not avoid:
        return Steered(text)
    phrases = [p.strip() for p in re.split(r",|\n", text) if p.strip()]
    kept = [p for p in phrases if not any(_mentions(p, t) for t in avoid)]
    dropped = tuple(p for p in phrases if p not in kept)
    body = ", ".join(kept)
    added = tuple(t for t in prefer if not _mentions(body, t)
                  and not any(_mentions(t, a) for a in avoid))
    if added and kept:
        kept[-1] = kept[-1].rstrip(" .")  # the list goes on after it
    return Steered(", ".join([*kept, *added]), added, dropped)
