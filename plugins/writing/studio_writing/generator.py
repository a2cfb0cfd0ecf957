"""The text generator: six writing tasks on any causal LM, streamed token by token.

Under ``continue`` (the default task) a short prompt that reads as an instruction is
answered as ``chat`` on a chat model (``prompts.reads_as_instruction``); an empty
generation fails the job with a hint instead of storing an empty text.

Imported only when the first text job runs (``GeneratorInfo.factory``), on the
engine's worker; torch and transformers are imported inside the methods all the
same, so importing this module for its names stays cheap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from studio.api import (
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    Output,
    ParamError,
    ProgressFn,
    RequestError,
    StudioError,
)
from studio_writing import models, prompts
from studio_writing.models import LoadedModel
from studio_writing.streaming import IncrementalDecoder, StopOnCancel, TokenStream

log = logging.getLogger(__name__)

#: End-of-turn markers of common chat templates. Instruct models end a reply with
#: one of these, which is not always the tokenizer's declared EOS token.
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>")

WHAT_THE_PROMPT_IS = {
    "continue": "the text before the cursor",
    "rewrite": "the selected text",
    "chat": "a message",
    "expand": "a short idea",
    "title": "the text to title",
    "summarize": "the text to summarize",
}


class TextGenerator(Generator):
    """Continue, rewrite, chat, expand, title and summarize with a Hugging Face causal LM."""

    def check_request(self, request: GenerationRequest) -> None:
        if not request.prompt.strip():
            what = WHAT_THE_PROMPT_IS.get(request.task, "a prompt")
            raise RequestError(f"task {request.task!r} needs {what} as the prompt; it is empty")
        if request.task == "rewrite" and not str(request.params.get("instruction", "")).strip():
            raise ParamError("instruction must say how to rewrite the text "
                             "(for example: shorter, more vivid, more formal)")

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return models.estimate_bytes(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedModel:
        loaded = models.load(models.resolve(model), plan)
        log.info("loaded %s in %.1f s (%s)", model, loaded.load_seconds,
                 "converted-GGUF cache" if loaded.from_cache else loaded.source.kind)
        return loaded

    def unload(self, loaded: LoadedModel) -> None:
        loaded.model = None
        loaded.tokenizer = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedModel,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import torch
        from transformers import StoppingCriteriaList

        params = request.params
        max_new = int(params["max_new_tokens"])
        seed = int(request.seed or 0)

        # 1. The prompt, trimmed to what the model can read. An instruction given to
        #    ``continue`` (the default task) is answered as a chat message (issue #10).
        task = effective_task(loaded, request.task, request.prompt)
        params = _fit_exemplars(loaded, task, params, max_new)
        encoded = _fit_prompt(loaded, task, request.prompt, params, max_new)
        prompt_len = len(encoded.input_ids)

        # 2. Decoding settings and the stream that reports each token.
        config = generation_config(loaded, params)
        decoder = IncrementalDecoder(loaded.tokenizer, encoded.input_ids, encoded.drop_prefix)
        stream = TokenStream(decoder, progress, max_new)
        device = loaded.device
        input_ids = torch.tensor([encoded.input_ids], dtype=torch.long, device=device)

        # 3. Generate. The seed is set right before, so the same seed gives the same text.
        torch.manual_seed(seed)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = loaded.model.generate(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                generation_config=config,
                streamer=stream,
                stopping_criteria=StoppingCriteriaList([StopOnCancel(cancel)]),
            )
        seconds = time.perf_counter() - t0
        cancel.check()  # stopped early by StopOnCancel: this job is cancelled, not done

        # 4. The result is exactly the streamed text (what the user already saw); an
        #    empty one is a failure, never an empty document stored as a success.
        if not decoder.text.strip():
            raise StudioError(_empty_message(task))
        text = decoder.text
        steered = None
        if task == "expand":
            # 5. The user's liked and disliked terms hold whatever the model did
            #    (issue #18); the result may then differ from the streamed text.
            steered = prompts.steer(text, prompts.terms_of(params.get("prefer")),
                                    prompts.terms_of(params.get("avoid")))
            text = steered.text
        new_ids = out[0, prompt_len:].tolist()
        eos = set(_as_list(config.eos_token_id))
        finish = "stop" if new_ids and new_ids[-1] in eos else "length"
        ttft = None if stream.first_token_at is None else stream.first_token_at - t0
        metadata = {
            "model": loaded.ref,
            "seed": seed,
            "task": request.task,
            "answered_as": task,
            "tokens": len(new_ids),
            "prompt_tokens": prompt_len,
            "tokens_per_s": round(len(new_ids) / seconds, 2) if seconds > 0 else None,
            "seconds": round(seconds, 3),
            "time_to_first_token_s": None if ttft is None else round(ttft, 3),
            "finish_reason": finish,
            "device": device,
            "chat_template": loaded.is_chat,
        }
        passages = prompts.exemplars_of(params) if task in ("continue", "rewrite") else []
        if passages:
            # Which of the user's texts shaped this one: ids, never their text again.
            ids = [i.strip() for i in str(params.get("exemplar_ids") or "").split(",")]
            metadata["exemplars"] = {"count": len(passages),
                                     "ids": [i for i in ids if i][:len(passages)]}
        if steered is not None and (steered.added or steered.dropped):
            metadata["steered"] = {"added": list(steered.added),
                                   "dropped": list(steered.dropped)}
        return [Output("text", text, metadata=metadata)]


def effective_task(loaded: LoadedModel, task: str, prompt: str) -> str:
    """``chat`` for a ``continue`` prompt that reads as an instruction, on a chat model;
    the requested task otherwise."""
    if task == "continue" and loaded.is_chat and prompts.reads_as_instruction(prompt):
        return "chat"
    return task


def _empty_message(task: str) -> str:
    hint = {
        "continue": "give it more text to continue, or use the chat task (--task chat) "
                    "for an instruction",
        "chat": "rephrase the message or try another seed",
    }.get(task, "try a longer text, another seed or a larger model")
    return f"the model returned no text; {hint}"


def generation_config(loaded: LoadedModel, params: Mapping[str, Any]) -> Any:
    """A fresh ``GenerationConfig`` from the request's parameters.

    Fresh rather than the model's own, so a repo's shipped sampling defaults never
    override what the user set; temperature 0 means greedy decoding.
    """
    from transformers import GenerationConfig

    eos = end_token_ids(loaded)
    tok = loaded.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else (eos[0] if eos else None)
    kwargs: dict[str, Any] = {
        "max_new_tokens": int(params["max_new_tokens"]),
        "repetition_penalty": float(params["repetition_penalty"]),
        "eos_token_id": list(eos) or None,
        "pad_token_id": pad,
    }
    if params["temperature"] > 0:
        kwargs.update(do_sample=True, temperature=float(params["temperature"]),
                      top_p=float(params["top_p"]))
    else:
        kwargs.update(do_sample=False)
    if params.get("static_cache"):
        kwargs["cache_implementation"] = "static"
    return GenerationConfig(**kwargs)


def end_token_ids(loaded: LoadedModel) -> list[int]:
    """Token ids that end a reply: the model's EOS ids plus known end-of-turn markers."""
    if loaded.end_ids is not None:
        return loaded.end_ids
    ids: list[int] = []
    gen_config = getattr(loaded.model, "generation_config", None)
    for value in (getattr(gen_config, "eos_token_id", None), loaded.tokenizer.eos_token_id):
        ids.extend(i for i in _as_list(value) if i not in ids)
    if loaded.is_chat:
        vocab = loaded.tokenizer.get_vocab()
        ids.extend(vocab[t] for t in END_OF_TURN_TOKENS if t in vocab and vocab[t] not in ids)
    loaded.end_ids = ids
    return ids


#: The most of the model's reading window the author's passages may take.
EXEMPLAR_SHARE = 1 / 3


def _fit_exemplars(loaded: LoadedModel, task: str, params: Mapping[str, Any],
                   max_new: int) -> Mapping[str, Any]:
    """``params`` with as many of the author's passages as leave the text its room.

    Passages come most similar first, so the last ones go first; the document itself
    is never cut to make room for examples of style.
    """
    passages = prompts.exemplars_of(params) if task in ("continue", "rewrite") else []
    limit = getattr(loaded.model.config, "max_position_embeddings", None)
    if not passages or not limit:
        return params
    budget = max(limit - max_new, 0) * EXEMPLAR_SHARE
    tok = loaded.tokenizer
    while passages and len(tok(prompts.voice_block(passages),
                               add_special_tokens=False)["input_ids"]) > budget:
        passages = passages[:-1]
    return {**params, "exemplars": prompts.EXEMPLAR_SEPARATOR.join(passages)}


def _fit_prompt(loaded: LoadedModel, task: str, text: str, params: Mapping[str, Any],
                max_new: int) -> prompts.Encoded:
    tok = loaded.tokenizer
    limit = getattr(loaded.model.config, "max_position_embeddings", None)
    encoded = prompts.encode(tok, task, text, params)
    if not limit or len(encoded.input_ids) + max_new <= limit:
        return encoded
    if max_new >= limit:
        raise ParamError(f"max_new_tokens must be below {limit}, the most this model reads "
                         f"and writes at once; got {max_new}")
    if task != "continue":
        raise RequestError(
            f"the text is {len(encoded.input_ids)} tokens and {loaded.ref} reads at most "
            f"{limit} including the {max_new} it writes: use a shorter text or lower "
            "max_new_tokens"
        )
    # Continuing needs only the end of the document: keep the last tokens that fit
    # beside the template's own tokens (re-tokenizing can shift the count a little).
    text_ids = tok(text, add_special_tokens=False)["input_ids"]
    budget = limit - max_new - max(len(encoded.input_ids) - len(text_ids), 0)
    for _ in range(4):
        if budget < 1:
            break
        tail = tok.decode(text_ids[-budget:], skip_special_tokens=True,
                          clean_up_tokenization_spaces=False)
        encoded = prompts.encode(tok, task, tail.lstrip("\ufffd"), params)
        over = len(encoded.input_ids) + max_new - limit
        if over <= 0:
            return encoded
        budget -= over
    raise RequestError(
        f"{loaded.ref} reads at most {limit} tokens and max_new_tokens={max_new} leaves no "
        "room for the text: lower max_new_tokens"
    )


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]
