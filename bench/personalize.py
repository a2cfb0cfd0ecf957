"""Personalized generation, measured (issue #18): ``--part image|writing|expansion``.

    .venv/bin/python -m bench.personalize --part writing     # bundled SmolLM2, CPU
    .venv/bin/python -m bench.personalize --part expansion

writing: a user whose kept texts are the paragraphs below (a lighthouse keeper's
log: first person, present tense, short sentences, the sea's vocabulary; written
for this bench, nothing downloaded). Some paragraphs are kept in the library the
way the studio records keeps; the others are held out. Each held-out paragraph's
first sentence is continued by the bundled SmolLM2 through the product path
(``studio.app.voice.personalize_request`` and the engine), once with ``my_voice``
on (the closest kept passages go into the prompt) and once off, with the same
seeds and the same settings. Score: cosine similarity of the continuation's MiniLM
embedding to the centroid of the user's kept texts (their style centroid); printed
for both, with their ratio.

expansion: synthetic users with a hidden taste (3 liked and 2 disliked style terms
drawn by the bench from a pool) get a history made from it: prompts of a subject and
style terms, kept or favourited when they carry more liked than disliked terms,
deleted when the other way round. Each user's new ideas are expanded by SmolLM2
twice, same seed: personalized (``prefer``/``avoid`` from the profile, as the
``expand`` task gets them) and unpersonalized. Counted: liked and disliked terms in
the outputs, and what the pack's steering added or dropped (so the model's own
share is seen apart from the enforced one).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.personalize_image import add_arguments as add_image_arguments

#: The user's own voice: a lighthouse keeper's log (project-written for this bench).
KEEPER = [
    "I trim the wick at dusk. The glass is cold and the brass still smells of last "
    "night's oil. Below me the tide turns over the black rocks, slow, patient, and the "
    "gulls settle on the rail one by one. I write the wind down: north-east, rising.",
    "Fog since the morning watch. I sound the horn every two minutes and count between "
    "the blasts. Nothing answers. The sea is a grey wall that breathes. I keep the "
    "kettle warm on the stove and my hand on the log book.",
    "A trawler passed at noon, low in the water, her nets hung out like washing. I "
    "raised the flag and she answered with two short blasts. Then the horizon was "
    "empty again, and the only sound was the swell against the landing.",
    "Storm all night. The tower hums when the gusts come round the gallery. I climb "
    "the stairs each hour with the lamp in my fist, one hundred and twelve steps, and "
    "each hour the light is still turning. Salt on the windows by dawn.",
    "The supply boat is late. I ration the coffee and mend the shutter on the west "
    "window with a strip of tin. The keeper before me carved his initials in the "
    "lintel. I do not carve mine. I write them here instead.",
    "Clear night. Every star out and the beam sweeping across them like a slow hand. "
    "I sit on the gallery in my coat and watch the lights of the far harbour go out "
    "one after another. The tide is high. The rocks are quiet.",
    "Gulls fighting over a fish on the landing steps. I let them. The wind has gone "
    "round to the south and the air is soft for once. I scrub the lens with vinegar "
    "and newspaper until it throws my own face back at me.",
    "Rain from the west, steady as a clock. I clean the oil stains from the floor of "
    "the lamp room and listen to the water run down the tower. The barometer falls. I "
    "tap it twice and write the number down. Then I make tea.",
    "Seals on the outer rocks this morning, eleven of them, fat and grey as the "
    "stones. They watch the tower the way I watch the sea. At low water I walk out to "
    "the pools and find a crab the size of my palm.",
    "The beam failed for forty seconds at two in the morning. I had the spare mantle "
    "in before my heart slowed down. Forty seconds. I wrote it in red ink. No ship "
    "was near. Still, I did not sleep again until the sun came.",
    "Letter from my sister with the supply boat. She asks if I am lonely. I read it "
    "on the gallery with the wind pulling at the page. I am not lonely. I have the "
    "tide, the lamp, the log, and the gulls who know my step.",
    "Ice on the rail at dawn. The sea steams where the cold air meets it. I break the "
    "ice from the water butt with the heel of my boot and carry two buckets up the "
    "stairs. The lamp burns clean in the cold. The glass sings when I touch it.",
    "A yacht anchored in the lee of the island, her crew laughing on deck. Their "
    "voices came across the water all evening. At dark they lit a lantern at the mast. "
    "My beam passed over them every ten seconds, and I wondered if they counted.",
    "Spring tide. The water came up over the landing and into the oil store. I moved "
    "the drums to the upper shelf and swept the weed out with the broom. The moon was "
    "full and white and the sea very loud beneath it.",
    "Wind from the north, hard and dry. It finds the gap under the door and whistles "
    "there all night. I stuff it with sacking. At the change of watch I stand at the "
    "glass and count the ships: three, all heading for the strait.",
    "The new keeper's manual arrived, printed and bound. It tells me how to do what I "
    "have done for nine years. I put it on the shelf beside the tide tables. Tonight "
    "the beam turns as it always turns. I trim the wick. I write it down.",
]
#: Held out: their first sentence is continued, the user's other texts are the voice.
HELD_OUT = (2, 5, 8, 11, 14)

#: Style terms the synthetic users like, dislike or use without feeling (expansion part).
STYLE_POOL = [
    "watercolour", "dusk", "soft light", "neon", "oil painting", "pastel colours",
    "dramatic shadows", "golden hour", "pencil sketch", "misty", "high contrast",
    "film grain", "minimalist", "baroque", "cinematic", "vibrant colours", "muted tones",
    "long exposure", "ukiyo-e", "art deco",
]
SUBJECTS = ["a harbour", "a fox", "an old tram", "a mountain lake", "a lighthouse",
            "a market street", "a violin", "a snowy forest", "a cathedral", "a garden"]
IDEAS = ["a heron standing in a river", "a bicycle leaning on a wall",
         "a bakery window at night", "a paper boat on a puddle"]


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]


def _studio(root: Path, device: str, cache: Path | None = None) -> Any:
    """A studio on ``root``; ``cache`` shared between studios (the converted model once)."""
    from studio.app.studio import Studio

    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (root / "cache").symlink_to(cache, target_is_directory=True)
    studio = Studio(root=root, backend="thread")
    studio.settings.device = device
    return studio


def keep_text(studio: Any, text: str) -> str:
    """A text made and kept, recorded the way the engine and the library record it."""
    from studio.api import GenerationRequest, Output

    req = GenerationRequest(modality="text", task="continue", prompt="log",
                            generator="text.transformers", seed=0)
    (art,) = studio.library.add([Output("text", text)], req)
    studio.record("generate", modality="text", task="continue", prompt="log",
                  generator="text.transformers", artifacts=[art.id])
    studio.library.keep(art.id)
    return art.id


# -- writing ---------------------------------------------------------------------------------


def run_writing(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from studio.api import GenerationRequest
    from studio.app.history.embeddings import default_embedder
    from studio.app.voice import personalize_request

    root = Path(tempfile.mkdtemp(prefix="studio-personalize-writing-"))
    studio = _studio(root / "data", args.device)
    embedder = default_embedder()
    try:
        kept = [t for i, t in enumerate(KEEPER) if i not in HELD_OUT]
        for text in kept:
            keep_text(studio, text)
        centroid = embedder.encode(kept).mean(axis=0)
        centroid /= float(np.linalg.norm(centroid))
        rows = []
        used_exemplars = 0
        t0 = time.perf_counter()
        for i in HELD_OUT:
            prompt = first_sentence(KEEPER[i])
            for seed in range(args.seeds):
                out: dict[str, str] = {}
                for label, on in (("with", True), ("without", False)):
                    request = GenerationRequest(
                        modality="text", task="continue", prompt=prompt, model=args.model,
                        seed=seed, generator="text.transformers",
                        params={"my_voice": on, "max_new_tokens": args.max_new_tokens,
                                "temperature": args.temperature})
                    voiced = personalize_request(studio, request)
                    if on:
                        used_exemplars += len(voiced.passages)
                    job = studio.engine.run(voiced.request)
                    if job.state != "done":
                        raise SystemExit(f"bench: a writing job {job.state}: {job.error}")
                    out[label] = job.artifacts[0].text
                vecs = embedder.encode([out["with"], out["without"]])
                rows.append({"held_out": i, "seed": seed,
                             "with": float(vecs[0] @ centroid),
                             "without": float(vecs[1] @ centroid),
                             "text_with": out["with"][:160],
                             "text_without": out["without"][:160]})
        seconds = time.perf_counter() - t0
    finally:
        studio.close()
    with_ = statistics.mean(r["with"] for r in rows)
    without = statistics.mean(r["without"] for r in rows)
    closer = sum(r["with"] > r["without"] for r in rows)
    return {
        "part": "writing", "model": args.model, "device": args.device,
        "kept_paragraphs": len(KEEPER) - len(HELD_OUT), "held_out": len(HELD_OUT),
        "seeds": args.seeds, "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
        "exemplars_per_job": round(used_exemplars / max(1, len(rows)), 2),
        "cosine_to_style_centroid": {"with_exemplars": round(with_, 4),
                                     "without": round(without, 4)},
        "ratio_with_to_without": round(with_ / without, 3) if without else None,
        "pairs_closer_with_exemplars": f"{closer}/{len(rows)}",
        "seconds": round(seconds, 1),
        "examples": rows[:2] if args.examples else [],
    }


# -- expansion -------------------------------------------------------------------------------


def synthetic_taste(rng: random.Random) -> tuple[list[str], list[str]]:
    terms = rng.sample(STYLE_POOL, 5)
    return terms[:3], terms[3:]


def make_history(studio: Any, rng: random.Random, liked: list[str], disliked: list[str],
                 n: int) -> None:
    """``n`` image generations from the pool, each reacted to by the hidden taste."""
    for i in range(n):
        styles = rng.sample(STYLE_POOL, rng.randint(2, 3))
        if rng.random() < 0.5:  # users return to what they like
            styles[0] = rng.choice(liked)
        prompt = ", ".join([rng.choice(SUBJECTS), *dict.fromkeys(styles)])
        art = f"img{i}"
        studio.record("generate", modality="image", prompt=prompt, artifacts=[art],
                      generator="image.diffusers", params={"steps": 30, "seed": i})
        score = sum(s in liked for s in styles) - sum(s in disliked for s in styles)
        if score > 0:
            studio.record("favourite" if score > 1 else "keep", target=art)
        elif score < 0:
            studio.record("delete", target=art)


def count_terms(text: str, terms: list[str]) -> int:
    return sum(bool(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text, re.IGNORECASE))
               for t in terms)


def run_expansion(args: argparse.Namespace) -> dict[str, Any]:
    from studio.api import GenerationRequest
    from studio.app.expansion import taste_from_profile
    from studio.app.voice import personalize_request

    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="studio-personalize-expansion-"))
    totals = {k: {"liked": 0, "disliked": 0} for k in ("personalized", "unpersonalized")}
    model_only = {"liked": 0, "disliked": 0}
    found = {"liked": 0, "disliked": 0, "liked_right": 0, "disliked_right": 0}
    n_outputs = 0
    t0 = time.perf_counter()
    for u in range(args.users):
        liked, disliked = synthetic_taste(rng)
        studio = _studio(root / f"user{u}", args.device, cache=root / "cache")
        try:
            make_history(studio, rng, liked, disliked, args.history)
            taste = taste_from_profile(studio.profile, "image")
            found["liked"] += len(taste.liked)
            found["disliked"] += len(taste.disliked)
            found["liked_right"] += sum(t in liked for t in taste.liked)
            found["disliked_right"] += sum(t in disliked for t in taste.disliked)
            for j, idea in enumerate(IDEAS[: args.ideas]):
                base = GenerationRequest(
                    modality="text", task="expand", prompt=idea, model=args.model,
                    seed=1000 * u + j, generator="text.transformers",
                    params={"target": "image", "max_new_tokens": args.max_new_tokens,
                            "temperature": args.temperature})
                plain = base.replace(params={**base.params, "prefer": "", "avoid": ""})
                for label, request in (("personalized", base), ("unpersonalized", plain)):
                    job = studio.engine.run(personalize_request(studio, request).request)
                    if job.state != "done":
                        raise SystemExit(f"bench: an expansion job {job.state}: {job.error}")
                    art = job.artifacts[0]
                    totals[label]["liked"] += count_terms(art.text, liked)
                    totals[label]["disliked"] += count_terms(art.text, disliked)
                    if label == "personalized":
                        steered = art.metadata.get("steered", {})
                        added = steered.get("added", [])
                        dropped = " , ".join(steered.get("dropped", []))
                        model_only["liked"] += count_terms(art.text, liked) - \
                            count_terms(", ".join(added), liked)
                        model_only["disliked"] += count_terms(art.text, disliked) + \
                            count_terms(dropped, disliked)
                n_outputs += 1
        finally:
            studio.close()
    per = max(1, n_outputs)
    return {
        "part": "expansion", "model": args.model, "device": args.device,
        "users": args.users, "history_per_user": args.history,
        "ideas_per_user": args.ideas, "outputs_per_condition": n_outputs,
        "taste_read_from_profile": {
            "liked_found": found["liked"], "liked_correct": found["liked_right"],
            "disliked_found": found["disliked"],
            "disliked_correct": found["disliked_right"]},
        "liked_terms_in_outputs": {
            "personalized": totals["personalized"]["liked"],
            "personalized_model_only": model_only["liked"],
            "unpersonalized": totals["unpersonalized"]["liked"]},
        "disliked_terms_in_outputs": {
            "personalized": totals["personalized"]["disliked"],
            "personalized_model_only": model_only["disliked"],
            "unpersonalized": totals["unpersonalized"]["disliked"]},
        "per_output": {
            "liked_personalized": round(totals["personalized"]["liked"] / per, 2),
            "liked_unpersonalized": round(totals["unpersonalized"]["liked"] / per, 2),
            "disliked_personalized": round(totals["personalized"]["disliked"] / per, 2),
            "disliked_unpersonalized": round(totals["unpersonalized"]["disliked"] / per, 2)},
        "seconds": round(time.perf_counter() - t0, 1),
    }


def run_image(args: argparse.Namespace) -> dict[str, Any]:
    from bench.personalize_image import run_image as image_part

    return image_part(args)


PARTS = {"image": run_image, "writing": run_writing, "expansion": run_expansion}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.personalize", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--part", choices=tuple(PARTS), default="writing")
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    p.add_argument("--seeds", type=int, default=3, help="writing: seeds per held-out paragraph")
    p.add_argument("--max-new-tokens", type=int, default=60)
    p.add_argument("--temperature", type=float, default=0.7)
    p.add_argument("--users", type=int, default=8, help="expansion: synthetic users")
    p.add_argument("--history", type=int, default=40, help="expansion: generations per user")
    p.add_argument("--ideas", type=int, default=4, help="expansion: ideas expanded per user")
    p.add_argument("--seed", type=int, default=0, help="expansion: the users' random seed")
    p.add_argument("--examples", action="store_true", help="writing: print two text pairs")
    add_image_arguments(p)
    args = p.parse_args(argv)
    result = PARTS[args.part](args)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
