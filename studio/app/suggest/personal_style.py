"""The sidebar's "in your style" card: a personal LoRA for the image model in use.

A source apart from the ranked ones: it proposes one settings change (``loras``) only
when the user has trained a fresh LoRA for the image model (or its family), so there
is nothing for the ranker to learn; the card is added next to the ranked list.
"""

from __future__ import annotations

from typing import Any

from studio.app.suggest.types import Suggestion

IMAGE_GENERATOR = "image.diffusers"
#: The weight the card proposes: strong enough to show, mild enough to mix with a prompt.
WEIGHT = 0.8
SOURCE = "personal_lora"


def current_image_model(studio: Any) -> str:
    """The image model new generations use: the user's default, else the generator's."""
    chosen = studio.settings.default_models.get(IMAGE_GENERATOR)
    if chosen:
        return chosen
    try:
        return studio.plugins.generator(IMAGE_GENERATOR).default_model
    except Exception:  # no image pack: nothing to suggest
        return ""


def family_guess(model: str) -> set[str]:
    """Families a LoRA for ``model`` may come from, judged from its name (cheap: the
    card's exact base model is checked first; this only widens it to siblings)."""
    name = model.lower()
    if "xl" in name or "turbo" in name:
        return {"sdxl", "turbo"}
    if "stable-diffusion-2" in name or "sd2" in name:
        return {"sd2"}
    return {"sd"} if "stable-diffusion" in name or "sd" in name.split("/")[-1] else set()


def style_suggestions(studio: Any, modality: str | None) -> list[Suggestion]:
    """One card per fresh personal LoRA that fits the current image model."""
    if modality not in (None, "image"):
        return []
    from studio.app.personal_loras import list_loras

    model = current_image_model(studio)
    if not model:
        return []
    families = family_guess(model)
    out = []
    for card in list_loras(studio.root):
        if card.get("stale"):
            continue
        if card.get("base_model") != model and card.get("family") not in families:
            continue
        name = card["name"]
        images = card.get("images") or len(card.get("sources") or [])
        out.append(Suggestion(
            id=f"{SOURCE}:{name}", kind="params", text=f"in your style ({name})",
            modality="image",
            reason=f"Your LoRA {name}, learned from {images} of your images on "
                   f"{card.get('base_model', model)}",
            score=1.0, source=SOURCE, params={"loras": f"{name}:{WEIGHT:g}"}))
    return out


def with_personal_style(studio: Any, context: Any, ranked: list[Suggestion]) -> list[Suggestion]:
    """``ranked`` with the "in your style" cards after its first one (never failing it)."""
    modality = context.get("modality") if isinstance(context, dict) else \
        getattr(context, "modality", None)
    try:
        extra = style_suggestions(studio, modality)
    except Exception:  # a broken card file must not cost the sidebar its list
        return ranked
    if not extra:
        return ranked
    return [*ranked[:1], *extra, *ranked[1:]]
