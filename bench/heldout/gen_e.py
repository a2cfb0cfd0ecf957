"""Returners and explorers: synthetic usage histories of a generative-art studio.

Prompts are comma-separated: a subject, then a stack of style parts (medium, look, light,
colour, framing; for text: form, tone, voice, length; for music: genre, tempo,
instruments, mood). Each simulated user has a hidden appeal per part that drifts slowly
between sessions, and a hidden fit between each subject and each style part, so the same
style stack does not work equally well on every subject. An output's hidden quality is
the mean appeal of its parts plus the subject-style fit plus the luck of the seed, less
the user's own bar. Reactions are thresholds on that quality (``favourite`` high, ``keep``
middle, ``delete`` low, an occasional 1-5 ``rate``) and steer the next move. Sessions are
separated by hours to weeks; each session may teach the user a few new parts; a share of
generates are exact re-runs with a new seed.

Variants (``--variant``):

- ``returner``: favourites a few outputs and, days later, comes back to exactly those
  favourite prompts (or a favourite with one part changed), re-runs them for more seeds,
  and falls back to a favourite when an edit goes badly.
- ``explorer``: starts fresh often; combines the subject of one earlier prompt with parts
  of others; copies the style stack of a prompt that came out well onto a new subject.
- ``mixed``: each user leans returner or explorer to their own degree, session by
  session, and some sessions are text or music prompts (``modality`` "text"/"music")
  with their own vocabulary and favourites.

Output: JSON lines ``generate`` / ``keep`` / ``favourite`` / ``delete`` / ``rate``, in
time order (users interleaved). Usage::

    python -m bench.heldout.gen_e --seed S --users U --gens G [--variant V] OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random

VARIANTS = ("returner", "explorer", "mixed")

HOUR = 3600.0
T0 = 1_738_368_000  # 2025-02-01 00:00 UTC

VOCAB = {
    "image": {
        "subject": ["a red fox in tall grass", "an abandoned greenhouse", "a lighthouse keeper",
                    "a koi pond", "a desert caravan", "a violinist on a rooftop",
                    "a tiny robot gardener",
                    "a snowy train station", "a whale in the clouds", "a witch's kitchen",
                    "an underwater city", "a samurai in the rain", "a bowl of ramen",
                    "a moth on a lamp",
                    "a street of colourful houses", "a deer in a misty forest",
                    "a space station garden",
                    "a chess game in a park", "a hot air balloon festival", "an old bookshop"],
        "medium": ["watercolor", "oil painting", "digital painting", "ink drawing", "3d render",
                   "photograph", "pastel drawing", "linocut", "claymation", "pixel art"],
        "look": ["studio ghibli style", "art nouveau", "cyberpunk", "cottagecore", "surreal",
                 "minimalist", "baroque", "retro futurism", "ukiyo-e", "dark fantasy", "low poly"],
        "light": ["golden hour", "soft light", "volumetric light", "neon glow", "overcast",
                  "candlelight", "moonlight", "harsh shadows"],
        "colour": ["muted colors", "vibrant colors", "pastel palette", "monochrome",
        "teal and orange",
                   "earth tones", "black and gold"],
        "frame": ["wide angle", "close-up", "bird's eye view", "symmetrical", "rule of thirds",
                  "portrait orientation", "macro", "panorama"],
        "detail": ["highly detailed", "intricate", "sharp focus", "film grain", "bokeh",
                   "trending on artstation", "8k"],
    },
    "text": {
        "subject": ["a short story about a lighthouse keeper", "a poem about the sea",
                    "a product description for a handmade mug",
                    "a bedtime story about a brave snail",
                    "a letter from a time traveller", "a haiku sequence about autumn",
                    "a scene where two rivals make peace", "a travel blog post about lisbon",
                    "a limerick about a cat", "an opening paragraph for a mystery novel"],
        "form": ["in verse", "as a dialogue", "as a diary entry", "in second person", "as a list"],
        "tone": ["melancholic", "playful", "wry humour", "hopeful", "ominous", "warm", "formal"],
        "voice": ["first person", "third person", "child narrator", "unreliable narrator"],
        "length": ["under 200 words", "about 500 words", "one paragraph", "three stanzas"],
        "style": ["simple language", "vivid imagery", "short sentences", "lots of dialogue",
                  "no adjectives", "in the style of a fairy tale"],
    },
    "music": {
        "subject": ["lo-fi hip hop beat", "ambient drone", "synthwave track", "solo piano piece",
                    "folk ballad", "drum and bass", "orchestral theme", "jazz trio",
                    "chiptune loop",
                    "bossa nova"],
        "tempo": ["70 bpm", "90 bpm", "120 bpm", "140 bpm", "174 bpm", "slow tempo", "upbeat"],
        "instruments": ["mellow rhodes", "acoustic guitar", "warm analog synths", "string quartet",
                        "808 drums", "brushed drums", "upright bass", "flute", "choir pads"],
        "mood": ["nostalgic", "dreamy", "tense", "uplifting", "rainy day", "late night", "epic"],
        "production": ["vinyl crackle", "tape saturation", "lots of reverb", "crisp mix", "lo-fi",
                       "live room sound"],
    },
}


def _parts_of(modality: str) -> list[str]:
    return [p for cat, opts in VOCAB[modality].items() if cat != "subject" for p in opts]


class User:
    """Hidden appeal per part, subject-style fit, thresholds, habits and memory."""

    def __init__(self, rng: random.Random, explore: float) -> None:
        self.rng = rng
        self.explore = explore  # 0 = pure returner, 1 = pure explorer
        self.fit_key = rng.randrange(2**31)
        self.appeal: dict[str, float] = {}
        self.known: dict[str, set[str]] = {m: set() for m in VOCAB}
        # The bar is relative to what the user's own choices usually give.
        self.bar = rng.uniform(1.1, 1.5)
        self.fav_thr = rng.uniform(1.1, 1.5)
        self.keep_thr = rng.uniform(0.2, 0.5)
        self.del_thr = rng.uniform(-0.8, -0.3)
        self.attentive = rng.uniform(0.6, 0.98)
        self.rates = rng.random() < 0.4
        self.rerun = rng.uniform(0.22, 0.4) * (1.25 - 0.5 * explore)
        self.luck = rng.uniform(0.4, 0.65)
        # Returners drop in briefly; explorers wander for longer.
        self.session_len = rng.uniform(3, 10) + 8 * explore
        self.stack_size = rng.randint(3, 7)
        # memory: per modality, (prompt, quality, favourited) in order, and favourites
        self.seen: dict[str, list[tuple[tuple, float]]] = {m: [] for m in VOCAB}
        self.favs: dict[str, list[tuple]] = {m: [] for m in VOCAB}

    # hidden quality ---------------------------------------------------------

    def _appeal(self, part: str) -> float:
        if part not in self.appeal:
            self.appeal[part] = self.rng.gauss(0, 1)
        return self.appeal[part]

    def _fit(self, subject: str, part: str) -> float:
        # A fixed hidden value per (user, subject, part), independent of the simulation's rng.
        return random.Random(f"{self.fit_key}|{subject}|{part}").gauss(0, 1)

    def quality(self, prompt: tuple) -> float:
        subject, stack = prompt[0], prompt[1:]
        if not stack:
            return self._appeal(subject) * 0.5 - self.bar + self.rng.gauss(0, self.luck)
        appeal = sum(self._appeal(p) for p in prompt) / math.sqrt(len(prompt))
        fit = sum(self._fit(subject, p) for p in stack) / math.sqrt(len(stack))
        return 0.6 * appeal + 0.45 * fit - self.bar + self.rng.gauss(0, self.luck)

    def drift(self, hours: float) -> None:
        sd = 0.04 * math.sqrt(hours / 24 + 0.1)
        for part in self.appeal:
            # Mean-reverting so that taste wanders without running away.
            self.appeal[part] += -0.01 * self.appeal[part] + self.rng.gauss(0, sd)

    # vocabulary -------------------------------------------------------------

    def choose(self, modality: str, options: list[str], avoid=()) -> str | None:
        known = [o for o in options if o in self.known[modality] and o not in avoid]
        if not known or self.rng.random() >= 0.9:
            known = [o for o in options if o not in avoid]
        pool = known
        if not pool:
            return None
        # Taste is seen through the appeal the user has felt so far, blurred.
        weights = [math.exp(1.1 * self._appeal(o)) for o in pool]
        pick = self.rng.choices(pool, weights)[0]
        self.known[modality].add(pick)
        return pick

    def learn(self, modality: str, n: int) -> None:
        for _ in range(n):
            cat = self.rng.choice(list(VOCAB[modality]))
            self.choose(modality, VOCAB[modality][cat], avoid=self.known[modality])

    # reactions --------------------------------------------------------------

    def react(self, gid: str, q: float, already_favourite: bool) -> list[dict]:
        if self.rng.random() > self.attentive:
            return []
        out = []
        # One favourite per prompt is usually enough; later good seeds of it are kept.
        if q >= self.fav_thr and (not already_favourite or self.rng.random() < 0.2):
            out.append({"type": "favourite", "target": gid})
        elif q >= self.keep_thr:
            if self.rng.random() < 0.8 or q >= self.fav_thr:
                out.append({"type": "keep", "target": gid})
        elif q <= self.del_thr and self.rng.random() < 0.75:
            out.append({"type": "delete", "target": gid})
        if self.rates and self.rng.random() < 0.3:
            span = self.fav_thr - self.del_thr
            value = 1 + round(4 * min(max((q - self.del_thr) / span, 0.0), 1.0))
            out.append({"type": "rate", "target": gid, "value": value})
        return out


# ---------------------------------------------------------------- prompt moves


def fresh(u: User, modality: str) -> tuple:
    cats = [c for c in VOCAB[modality] if c != "subject"]
    subject = u.choose(modality, VOCAB[modality]["subject"])
    stack: list[str] = []
    size = max(2, u.stack_size + u.rng.randint(-2, 1))
    for _ in range(size):
        part = u.choose(modality, VOCAB[modality][u.rng.choice(cats)], avoid=stack)
        if part:
            stack.append(part)
    return (subject, *stack)


def one_part_changed(u: User, modality: str, prompt: tuple) -> tuple:
    subject, stack = prompt[0], list(prompt[1:])
    pool = _parts_of(modality)
    r = u.rng.random()
    if r < 0.25:
        subject = u.choose(modality, VOCAB[modality]["subject"], avoid=(subject,)) or subject
    elif r < 0.6 and stack:
        i = u.rng.randrange(len(stack))
        stack[i] = u.choose(modality, pool, avoid=stack) or stack[i]
    elif r < 0.85 or len(stack) < 3:
        part = u.choose(modality, pool, avoid=stack)
        if part:
            stack.insert(u.rng.randint(0, len(stack)), part)
    else:
        del stack[u.rng.randrange(len(stack))]
    out = (subject, *stack)
    return out if out != prompt else one_part_changed(u, modality, prompt)


def liked(u: User, modality: str) -> list[tuple]:
    """Earlier prompts that came out well (what an explorer borrows from)."""
    good = [p for p, q in u.seen[modality] if q >= u.keep_thr]
    return good or [p for p, _ in u.seen[modality]]


def combine(u: User, modality: str) -> tuple:
    """The subject of one earlier prompt with parts taken from two others."""
    pool = liked(u, modality)
    if len(pool) < 2:
        return fresh(u, modality)
    a, b = u.rng.sample(pool, 2)
    subj_from = u.rng.choice([p for p, _ in u.seen[modality]])
    halves = [u.rng.sample(p[1:], max(1, len(p[1:]) // 2)) if p[1:] else [] for p in (a, b)]
    stack = list(dict.fromkeys(halves[0] + halves[1]))
    stack = [p for p in stack if p != subj_from[0]]
    return (subj_from[0], *stack) if stack else fresh(u, modality)


def restyle(u: User, modality: str) -> tuple:
    """A new subject under the whole style stack of a prompt that worked."""
    pool = liked(u, modality)
    if not pool:
        return fresh(u, modality)
    src = pool[-1] if u.rng.random() < 0.5 else u.rng.choice(pool)
    subject = u.choose(modality, VOCAB[modality]["subject"], avoid=(src[0],)) or src[0]
    return (subject, *src[1:])


def favourite_return(u: User, modality: str) -> tuple | None:
    favs = u.favs[modality]
    if not favs:
        return None
    # Returners have a few darlings: earlier favourites are revisited more.
    weights = [1.0 / (1 + 0.3 * i) for i in range(len(favs))]
    fav = u.rng.choices(favs, weights)[0]
    return fav if u.rng.random() < 0.65 else one_part_changed(u, modality, fav)


def session_start(u: User, modality: str, explorer_mode: bool) -> tuple:
    r = u.rng.random()
    if not u.seen[modality]:
        return fresh(u, modality)
    if explorer_mode:
        if r < 0.45:
            return fresh(u, modality)
        if r < 0.72:
            return combine(u, modality)
        return restyle(u, modality)
    back = favourite_return(u, modality)
    if back is not None and r < 0.75:
        return back
    # Few favourites yet: something new is as likely as picking up the last prompt.
    last = u.seen[modality][-1][0]
    return last if r < (0.88 if len(u.favs[modality]) >= 3 else 0.6) else fresh(u, modality)


def next_prompt(u: User, modality: str, prompt: tuple, q: float, explorer_mode: bool,
                session: list[tuple[tuple, float]]) -> tuple:
    rng = u.rng
    if q >= u.fav_thr:
        p_rerun = u.rerun * 1.4
    elif q >= u.keep_thr:
        p_rerun = u.rerun * 1.15
    elif q > u.del_thr:
        p_rerun = u.rerun * 0.8
    else:
        p_rerun = u.rerun * 0.35
    if rng.random() < p_rerun:
        return prompt
    r = rng.random()
    if explorer_mode:
        if r < 0.14:
            return fresh(u, modality)
        if r < 0.24:
            return combine(u, modality)
        if r < 0.36 or (q <= u.del_thr and r < 0.5):
            return restyle(u, modality)
        return one_part_changed(u, modality, prompt)
    if q <= u.del_thr or (q < u.keep_thr and r < 0.25):
        # A failed edit: back to a favourite, or the best of this session.
        back = favourite_return(u, modality) if r < 0.5 else None
        if back is None:
            best = max(session, key=lambda s: s[1])
            back = best[0] if best[1] >= u.keep_thr else None
        if back is not None:
            return back
    if r > 0.93:
        back = favourite_return(u, modality)
        if back is not None:
            return back
    if r < 0.05:
        return fresh(u, modality)
    return one_part_changed(u, modality, prompt)


def params(rng: random.Random, modality: str) -> dict:
    seed = rng.randrange(2**32)
    if modality == "text":
        return {"seed": seed, "temperature": rng.choice((0.7, 0.8, 0.9, 1.0)),
                "max_tokens": rng.choice((256, 512, 800))}
    if modality == "music":
        return {"seed": seed, "duration": rng.choice((15, 30, 30, 60))}
    return {"seed": seed, "steps": rng.choice((20, 30)), "cfg": rng.choice((4.5, 6.0, 7.0)),
            "width": rng.choice((768, 1024)), "height": 1024}


# ---------------------------------------------------------------- the loop


def _user_events(rng: random.Random, name: str, gens: int, variant: str,
                 counter: list[int]) -> list[dict]:
    explore = {"returner": rng.uniform(0.0, 0.12), "explorer": rng.uniform(0.85, 1.0),
               "mixed": rng.uniform(0.2, 0.8)}[variant]
    u = User(rng, explore)
    mod_weights = (1.0, 0.0, 0.0)
    if variant == "mixed":
        mod_weights = (rng.uniform(0.4, 0.8), rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3))
    for m in VOCAB:
        u.learn(m, 6)
    t = T0 + rng.uniform(0, 14 * 24 * HOUR)
    events: list[dict] = []
    made = 0
    while made < gens:
        if made:
            # Hours to weeks between sessions.
            gap = min(max(math.exp(rng.gauss(math.log(40), 1.2)), 1.5), 24 * 30) * HOUR
            t += gap
            u.drift(gap / HOUR)
        modality = rng.choices(("image", "text", "music"), mod_weights)[0]
        explorer_mode = rng.random() < u.explore
        u.learn(modality, rng.choice((0, 1, 1, 2)) + (2 if explorer_mode else 0))
        prompt = session_start(u, modality, explorer_mode)
        session: list[tuple[tuple, float]] = []
        q = 0.0
        for step in range(1 + int(rng.expovariate(1 / u.session_len))):
            if made >= gens:
                break
            if step:
                prompt = next_prompt(u, modality, prompt, q, explorer_mode, session)
            counter[0] += 1
            gid = f"g{counter[0]}"
            events.append({"ts": round(t, 1), "user": name, "type": "generate", "id": gid,
                           "prompt": ", ".join(prompt), "modality": modality,
                           "params": params(rng, modality)})
            made += 1
            q = u.quality(prompt)
            t += rng.uniform(10, 60) if modality != "music" else rng.uniform(40, 120)
            for reaction in u.react(gid, q, prompt in u.favs[modality]):
                t += rng.uniform(1, 20)
                events.append({"ts": round(t, 1), "user": name, **reaction})
                if reaction["type"] == "favourite" and prompt not in u.favs[modality]:
                    u.favs[modality].append(prompt)
            session.append((prompt, q))
            u.seen[modality].append((prompt, q))
            t += rng.uniform(15, 200)
    return events


def generate(seed: int, users: int, gens: int, variant: str = "returner") -> list[dict]:
    """Events of `users` users with `gens` generates each, in time order."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (choose from {', '.join(VARIANTS)})")
    counter = [0]
    events: list[dict] = []
    for i in range(users):
        rng = random.Random(f"gen_e/{variant}/{seed}/{i}")
        events += _user_events(rng, f"u{i + 1}", gens, variant, counter)
    events.sort(key=lambda e: e["ts"])  # stable, so a user's own order is kept
    return events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.heldout.gen_e",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--gens", type=int, default=200, help="generate events per user")
    ap.add_argument("--variant", choices=VARIANTS, default="returner",
                    help="returner: back to favourites days later; explorer: fresh starts, "
                         "combined parts, copied style stacks; mixed: both, with text and music")
    ap.add_argument("out", help="output JSONL file")
    args = ap.parse_args(argv)
    if args.users < 1 or args.gens < 1:
        ap.error("--users and --gens must be at least 1")
    events = generate(args.seed, args.users, args.gens, args.variant)
    with open(args.out, "w", encoding="utf-8") as fh:
        for e in events:
            fh.write(json.dumps(e) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
