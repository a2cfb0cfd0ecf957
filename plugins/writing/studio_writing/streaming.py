"""Token-by-token streaming: incremental decoding, the streamer ``generate`` feeds, cancel.

No torch or transformers import: ``generate`` duck-types its streamer (``put``,
``end``) and its stopping criteria (called with ``input_ids, scores``), so this
module stays cheap and testable with any tokenizer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from studio.api import CancelToken, ProgressFn

REPLACEMENT = "\ufffd"
#: Prompt tokens decoded before the first new one. Sentencepiece tokenizers drop the
#: space of the first token in a decoded span; with context before it, they keep it.
CONTEXT_TOKENS = 5


class IncrementalDecoder:
    """Turns new token ids into text pieces; their concatenation is the decoded text.

    Decoding only ever looks at a short window (the previous piece's tokens plus
    the new ones), so each step costs the same however long the text grows. A
    piece that ends in U+FFFD is a multi-byte character split across tokens: it is
    held back until the next token completes it.
    """

    def __init__(self, tokenizer: Any, prompt_ids: Sequence[int] = (),
                 drop_prefix: str = "") -> None:
        self.tokenizer = tokenizer
        self.ids: list[int] = list(prompt_ids[-CONTEXT_TOKENS:]) if prompt_ids else []
        self.prefix_offset = 0
        self.read_offset = len(self.ids)
        self.drop_prefix = drop_prefix
        self.text = ""  # everything emitted so far
        self.new_tokens = 0

    def _decode(self, ids: Sequence[int]) -> str:
        # No clean-up of tokenization spaces: it rewrites earlier text (" ." -> "."),
        # which a stream that is already on screen cannot take back.
        return self.tokenizer.decode(ids, skip_special_tokens=True,
                                     clean_up_tokenization_spaces=False)

    def push(self, token_ids: Sequence[int]) -> str:
        """Add generated tokens; return the text they complete ("" while held back)."""
        self.ids.extend(token_ids)
        self.new_tokens += len(token_ids)
        return self._advance(final=False)

    def flush(self) -> str:
        """Return whatever is still held back (generation has ended)."""
        return self._advance(final=True)

    def _advance(self, final: bool) -> str:
        prefix_text = self._decode(self.ids[self.prefix_offset:self.read_offset])
        new_text = self._decode(self.ids[self.prefix_offset:])
        if len(new_text) <= len(prefix_text) or (new_text.endswith(REPLACEMENT) and not final):
            return ""
        piece = new_text[len(prefix_text):]
        self.prefix_offset, self.read_offset = self.read_offset, len(self.ids)
        if self.drop_prefix:
            # Only the very first piece may start with the space taken off the prompt.
            keep = 0
            while (keep < len(piece) and keep < len(self.drop_prefix)
                   and piece[keep] == self.drop_prefix[keep]):
                keep += 1
            piece, self.drop_prefix = piece[keep:], ""
        self.text += piece
        return piece


class TokenStream:
    """The streamer handed to ``model.generate``: decodes each token and reports it.

    ``generate`` calls ``put`` once with the prompt, then once per new token, on
    the generating thread; ``progress`` raises ``Cancelled`` when the job was
    cancelled, which unwinds ``generate`` within one token.
    """

    def __init__(self, decoder: IncrementalDecoder, progress: ProgressFn, total: int) -> None:
        self.decoder = decoder
        self.progress = progress
        self.total = total
        self.step = 0
        self.first_token_at: float | None = None
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        ids = value.tolist()
        if ids and isinstance(ids[0], list):  # a (1, n) tensor: one sequence
            ids = ids[0]
        elif not isinstance(ids, list):
            ids = [ids]
        self.step += len(ids)
        piece = self.decoder.push(ids)
        self.progress(min(self.step, self.total), self.total, text=piece or None)

    def end(self) -> None:
        piece = self.decoder.flush()
        if piece:
            self.progress(min(self.step, self.total), self.total, text=piece)


class StopOnCancel:
    """A stopping criterion: end generation at the next token once the job is cancelled.

    ``progress`` already raises on cancel; this also covers stretches where no
    progress is reported (a piece held back) and code paths without a streamer.
    """

    def __init__(self, cancel: CancelToken) -> None:
        self.cancel = cancel
        self._flags: dict[tuple[int, bool, str], Any] = {}

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        # Reuse the flag tensors: a fresh allocation per token is measurable on a GPU.
        key = (input_ids.shape[0], self.cancel.cancelled, str(input_ids.device))
        flag = self._flags.get(key)
        if flag is None:
            flag = torch.full((key[0],), key[1], dtype=torch.bool, device=input_ids.device)
            self._flags[key] = flag
        return flag
