"""Incremental decoding and the cancel criterion, with a real byte-level tokenizer."""

from __future__ import annotations

import pytest
from studio_writing.streaming import IncrementalDecoder, StopOnCancel, TokenStream

from studio.api import Cancelled, CancelToken

TEXTS = [
    "Plain ASCII words, with punctuation ... and  double spaces.",
    "Café, naïve façade — «guillemets» and “quotes”.",
    "Emoji 🦊🌧️ and CJK 雨の日 and Cyrillic дождь.",
    "Line one\n\nLine two\ttabbed",
]


@pytest.mark.parametrize("text", TEXTS)
def test_pieces_join_to_the_decoded_text_and_never_show_a_broken_character(tiny_tokenizer, text):
    ids = tiny_tokenizer(text, add_special_tokens=False)["input_ids"]
    # The tiny vocabulary was trained on ASCII, so non-ASCII characters span several tokens.
    assert len(ids) > len(text) / 4
    prompt = tiny_tokenizer("Once upon a time", add_special_tokens=False)["input_ids"]
    decoder = IncrementalDecoder(tiny_tokenizer, prompt)
    pieces = [decoder.push([i]) for i in ids]
    pieces.append(decoder.flush())
    assert all("\ufffd" not in p for p in pieces)
    assert "".join(pieces) == decoder.text == tiny_tokenizer.decode(ids)


def test_a_split_multibyte_character_is_held_back_until_complete(tiny_tokenizer):
    ids = tiny_tokenizer("🦊", add_special_tokens=False)["input_ids"]
    assert len(ids) > 1  # four UTF-8 bytes, no merge for them in the tiny vocabulary
    decoder = IncrementalDecoder(tiny_tokenizer)
    assert [decoder.push([i]) for i in ids[:-1]] == [""] * (len(ids) - 1)
    assert decoder.push([ids[-1]]) == "🦊"


def test_special_tokens_are_not_streamed(tiny_tokenizer):
    decoder = IncrementalDecoder(tiny_tokenizer)
    ids = tiny_tokenizer(" rain", add_special_tokens=False)["input_ids"]
    text = "".join(decoder.push([i]) for i in [*ids, tiny_tokenizer.eos_token_id])
    assert text + decoder.flush() == " rain"


def test_the_space_taken_off_a_continue_prompt_is_dropped_once(tiny_tokenizer):
    ids = tiny_tokenizer(" land far away", add_special_tokens=False)["input_ids"]
    decoder = IncrementalDecoder(tiny_tokenizer, drop_prefix=" ")
    text = "".join(decoder.push([i]) for i in ids) + decoder.flush()
    assert text == "land far away"


def test_token_stream_reports_each_token_and_skips_the_prompt(tiny_tokenizer):
    import torch

    calls = []
    stream = TokenStream(IncrementalDecoder(tiny_tokenizer), lambda s, t, text=None, **_:
                         calls.append((s, t, text)), total=10)
    ids = tiny_tokenizer(" the rain", add_special_tokens=False)["input_ids"]
    stream.put(torch.tensor([[5, 6, 7]]))  # the prompt: not reported
    for i in ids:
        stream.put(torch.tensor([i]))
    stream.end()
    assert [c[0] for c in calls] == list(range(1, len(ids) + 1))
    assert "".join(c[2] or "" for c in calls) == " the rain"


def test_progress_raising_cancelled_propagates_out_of_the_stream(tiny_tokenizer):
    import torch

    def progress(step, total, preview=None, text=None):
        if step == 2:
            raise Cancelled()

    stream = TokenStream(IncrementalDecoder(tiny_tokenizer), progress, total=10)
    stream.put(torch.tensor([[1]]))
    stream.put(torch.tensor([40]))
    with pytest.raises(Cancelled):
        stream.put(torch.tensor([41]))


def test_stop_on_cancel_flags_every_sequence_once_cancelled():
    import torch

    token = CancelToken()
    criterion = StopOnCancel(token)
    ids = torch.zeros((2, 3), dtype=torch.long)
    assert criterion(ids, None).tolist() == [False, False]
    token.cancel()
    assert criterion(ids, None).tolist() == [True, True]
