"""Generate realistic synthetic user histories (JSON lines) for the replay evaluation.

Each simulated user has a taste (a skewed preference over modifiers, drifting
over time), a private sense of quality per modifier (what they end up keeping
or deleting), a few subjects, and iterates the way people do with generators:
add, drop or swap one modifier, refine the subject, go back to a favourite or
an earlier prompt, run the same prompt again, and sometimes start a fresh idea.
They react to outputs with keep/favourite/delete/rate, and their next move
depends on that reaction.

Several settings (``SETTINGS``) change prompt length, vocabulary (real art
terms or opaque tokens), taste concentration, drift and the mix of moves, so
the engine is not tuned to one generator's quirks.

    python -m bench.history_gen --setting iterative --users 8 --gens 300 --seed 1 out.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

VOCAB: dict[str, list[str]] = {
    "style": ["oil painting", "watercolor", "ink drawing", "digital painting", "gouache",
              "pencil sketch", "3d render", "pixel art", "art nouveau", "ukiyo-e",
              "impressionist", "concept art", "anime", "linocut", "pastel drawing",
              "photograph", "matte painting", "cel shading", "low poly", "charcoal"],
    "light": ["golden hour", "blue hour", "rim light", "volumetric light", "soft light",
              "dramatic lighting", "neon lights", "candlelight", "moonlight", "backlit",
              "overcast", "studio lighting", "god rays", "harsh shadows"],
    "color": ["pastel colors", "muted tones", "vibrant colors", "monochrome", "sepia",
              "teal and orange", "earth tones", "black and white", "warm palette",
              "cool palette", "high contrast", "desaturated"],
    "camera": ["35mm", "85mm lens", "wide angle", "macro", "bokeh", "close-up",
               "aerial view", "low angle", "symmetrical", "shallow depth of field",
               "tilt-shift", "fisheye", "long exposure"],
    "mood": ["serene", "melancholic", "whimsical", "eerie", "cozy", "epic", "dreamy",
             "nostalgic", "mysterious", "joyful", "lonely", "ominous"],
    "detail": ["highly detailed", "intricate", "minimalist", "sharp focus", "film grain",
               "4k", "trending on artstation", "masterpiece", "textured", "clean lines",
               "ornate", "rough brushstrokes"],
}
SUBJECTS = [
    "a fox in the snow", "portrait of an old sailor", "a lighthouse at dusk",
    "a quiet street in paris", "a dragon over mountains", "a cat on a windowsill",
    "still life with pears", "a girl reading under a tree", "a futuristic city",
    "an abandoned greenhouse", "a whale in the clouds", "a knight in a forest",
    "a cup of coffee", "a mountain lake", "a robot gardener", "a cozy cabin",
    "a desert caravan", "a koi pond", "a jazz club", "a market in marrakech",
    "a ship in a storm", "a wizard's library", "an owl at night", "a field of sunflowers",
]
MUSIC_VOCAB = {
    "genre": ["ambient", "lo-fi", "jazz", "synthwave", "orchestral", "folk", "techno",
              "piano", "post-rock", "bossa nova"],
    "mood": ["calm", "melancholic", "uplifting", "tense", "dreamy", "warm", "dark", "playful"],
    "instr": ["strings", "analog synth", "acoustic guitar", "soft drums", "vinyl crackle",
              "felt piano", "brass", "choir", "808 bass", "field recordings"],
    "tempo": ["slow tempo", "90 bpm", "120 bpm", "driving beat", "rubato"],
}
MUSIC_SUBJECTS = ["music for a rainy night", "a morning walk", "a chase scene", "a quiet cafe",
                  "a road trip", "a sunrise over the sea", "a study session", "a lullaby"]


@dataclass(frozen=True)
class Setting:
    """One generator setting: how long prompts are and how users move."""

    name: str
    min_mods: int = 2
    max_mods: int = 6
    moves: dict[str, float] = field(default_factory=lambda: {
        "add": 0.26, "drop": 0.12, "swap": 0.2, "subject": 0.06, "return": 0.12,
        "repeat": 0.1, "fresh": 0.06, "multi": 0.08})
    taste_skew: float = 1.1       # Zipf exponent of modifier preference
    explore: float = 0.15         # chance an added modifier is outside the user's taste
    drift: float = 0.01           # per step chance the user's taste shifts
    react: float = 0.7            # how often a user reacts to an output at all
    tokens: bool = False          # opaque tokens instead of real art terms
    vocab_scale: int = 1          # multiply the vocabulary (tokens only)
    music_users: float = 0.2      # share of users working on music


SETTINGS: dict[str, Setting] = {
    "iterative": Setting("iterative"),
    "explorer": Setting("explorer", min_mods=1, max_mods=5, moves={
        "add": 0.22, "drop": 0.1, "swap": 0.18, "subject": 0.1, "return": 0.06,
        "repeat": 0.04, "fresh": 0.18, "multi": 0.12}, taste_skew=0.7, explore=0.35,
        drift=0.04),
    "returner": Setting("returner", min_mods=1, max_mods=4, moves={
        "add": 0.2, "drop": 0.1, "swap": 0.12, "subject": 0.04, "return": 0.26,
        "repeat": 0.18, "fresh": 0.04, "multi": 0.06}, taste_skew=1.4, explore=0.08),
    "short": Setting("short", min_mods=1, max_mods=3, moves={
        "add": 0.22, "drop": 0.16, "swap": 0.24, "subject": 0.08, "return": 0.12,
        "repeat": 0.08, "fresh": 0.05, "multi": 0.05}, taste_skew=1.3, explore=0.1),
    "long": Setting("long", min_mods=6, max_mods=11, moves={
        "add": 0.2, "drop": 0.14, "swap": 0.3, "subject": 0.06, "return": 0.1,
        "repeat": 0.06, "fresh": 0.06, "multi": 0.08}),
    "tokens": Setting("tokens", tokens=True, vocab_scale=3, taste_skew=0.9, explore=0.25,
                      drift=0.02, react=0.5, music_users=0.0),
}


class User:
    def __init__(self, uid: str, setting: Setting, rng: random.Random) -> None:
        self.uid, self.s, self.rng = uid, setting, rng
        music = rng.random() < setting.music_users
        self.modality = "music" if music else "image"
        vocab = MUSIC_VOCAB if music else VOCAB
        if setting.tokens:
            tok = lambda c, i: f"{c[:3]}{rng.randrange(10**6):06d}"  # noqa: E731
            vocab = {c: [tok(c, i) for i in range(len(v) * setting.vocab_scale)]
                     for c, v in vocab.items()}
        self.cat_of = {m: c for c, ms in vocab.items() for m in ms}
        self.mods = list(self.cat_of)
        order = self.mods[:]
        rng.shuffle(order)
        self.pref = {m: 1.0 / (r + 1) ** setting.taste_skew for r, m in enumerate(order)}
        # Quality the user perceives: mostly in line with taste, partly not, so some
        # liked-looking modifiers get deleted and then dropped.
        self.quality = {m: 0.8 * (1.0 - r / len(order)) - 0.4 + rng.gauss(0, 0.35)
                        for r, m in enumerate(order)}
        pool = MUSIC_SUBJECTS if music else SUBJECTS
        self.subjects = rng.sample(pool, k=min(len(pool), rng.randint(3, 8)))
        if setting.tokens:
            self.subjects = [f"subject {rng.randrange(10**5)}" for _ in self.subjects]
        self.prompt: list[str] = []
        self.history: list[tuple[str, ...]] = []
        self.favourites: list[tuple[str, ...]] = []
        self.last_reaction = 0.0

    # -- taste -------------------------------------------------------------------

    def pick_mod(self, exclude: set[str], category: str | None = None) -> str | None:
        cands = [m for m in self.mods if m not in exclude
                 and (category is None or self.cat_of[m] == category)]
        if not cands:
            return None
        if self.rng.random() < self.s.explore:
            return self.rng.choice(cands)
        return self.rng.choices(cands, weights=[self.pref[m] for m in cands])[0]

    def drift(self) -> None:
        if self.rng.random() < self.s.drift:
            a, b = self.rng.sample(self.mods, 2)
            self.pref[a], self.pref[b] = self.pref[b], self.pref[a]
            self.quality[a], self.quality[b] = self.quality[b], self.quality[a]

    def worst(self, mods: list[str]) -> str:
        return min(mods, key=lambda m: self.quality[m] + self.rng.gauss(0, 0.2))

    # -- moves -------------------------------------------------------------------

    def fresh(self) -> list[str]:
        n = self.rng.randint(self.s.min_mods, self.s.max_mods)
        mods: list[str] = []
        while len(mods) < n:
            m = self.pick_mod(set(mods))
            if m is None:
                break
            mods.append(m)
        return [self.rng.choice(self.subjects), *mods]

    def next_prompt(self) -> list[str]:
        self.drift()
        if not self.prompt:
            return self.fresh()
        moves = dict(self.s.moves)
        if self.last_reaction < 0:  # disliked: fix it or go back, rarely run it again
            moves["drop"] *= 2.0
            moves["swap"] *= 1.6
            moves["return"] *= 1.5
            moves["repeat"] *= 0.2
            moves["add"] *= 0.6
        elif self.last_reaction > 0:
            moves["repeat"] *= 1.5
            moves["add"] *= 1.4
            moves["drop"] *= 0.6
        move = self.rng.choices(list(moves), weights=list(moves.values()))[0]
        p = list(self.prompt)
        subject, mods = p[0], p[1:]
        if move == "add" and len(mods) >= self.s.max_mods + 2:
            move = "swap"  # a full prompt: people replace rather than pile on
        if move == "add":
            m = self.pick_mod(set(mods))
            if m:
                mods.insert(self.rng.randint(0, len(mods)) if self.rng.random() < 0.3
                            else len(mods), m)
        elif move == "drop" and len(mods) > max(1, self.s.min_mods - 1):
            victim = self.worst(mods) if self.rng.random() < 0.7 else self.rng.choice(mods)
            mods.remove(victim)
        elif move == "swap" and mods:
            victim = self.worst(mods) if self.rng.random() < 0.6 else self.rng.choice(mods)
            cat = self.cat_of[victim] if self.rng.random() < 0.7 else None
            new = self.pick_mod(set(mods), cat) or self.pick_mod(set(mods))
            if new:
                mods[mods.index(victim)] = new
        elif move == "subject":
            others = [s for s in self.subjects if s != subject]
            if others:
                subject = self.rng.choice(others)
        elif move == "return" and self.history:
            if self.favourites and self.rng.random() < 0.6:
                return list(self.rng.choice(self.favourites[-6:]))
            return list(self.rng.choice(self.history[-20:]))
        elif move == "fresh":
            return self.fresh()
        elif move == "multi" and mods:
            for _ in range(2):
                if self.rng.random() < 0.5 and len(mods) > 1:
                    mods.remove(self.rng.choice(mods))
                else:
                    m = self.pick_mod(set(mods))
                    if m:
                        mods.append(m)
        return [subject, *mods]

    def react(self, prompt: list[str]) -> float:
        mods = prompt[1:] or prompt
        return sum(self.quality.get(m, 0.0) for m in mods) / len(mods) + self.rng.gauss(0, 0.3)


def generate(setting: Setting, users: int, gens: int, seed: int) -> list[dict[str, Any]]:
    """All users' events, interleaved in time order."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for u in range(users):
        user = User(f"u{u}", setting, random.Random(rng.random()))
        ts = 1_700_000_000.0 + rng.uniform(0, 86400)
        n = max(5, int(gens * rng.uniform(0.5, 1.5)))
        for g in range(n):
            ts += rng.expovariate(1 / 40.0) if rng.random() > 0.05 else rng.uniform(3600, 86400)
            prompt = user.next_prompt()
            gid = f"{user.uid}-g{g}"
            steps = 30 if user.rng.random() < 0.7 else 20
            events.append({"ts": round(ts, 3), "user": user.uid, "type": "generate", "id": gid,
                           "modality": user.modality, "prompt": ", ".join(prompt),
                           "params": {"steps": steps, "cfg": 7.0}})
            quality = user.react(prompt)
            reaction = 0.0
            if user.rng.random() < setting.react:
                ts += user.rng.uniform(2, 30)
                base = {"ts": round(ts, 3), "user": user.uid, "target": gid}
                if quality > 0.45:
                    kind = "favourite" if quality > 0.7 else "keep"
                    events.append({**base, "type": kind})
                    reaction = 1.0
                    if kind == "favourite":
                        user.favourites.append(tuple(prompt))
                elif quality < -0.25:
                    events.append({**base, "type": "delete"})
                    reaction = -1.0
                else:
                    value = max(1, min(5, round(3 + 2 * quality + user.rng.gauss(0, 0.5))))
                    events.append({**base, "type": "rate", "value": value})
                    reaction = (value - 3) / 2
            user.last_reaction = reaction
            user.prompt = prompt
            user.history.append(tuple(prompt))
    events.sort(key=lambda e: e["ts"])
    return events


def write(events: list[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for ev in events:
            fh.write(json.dumps(ev) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--setting", default="iterative", choices=sorted(SETTINGS))
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--gens", type=int, default=300, help="generations per user (mean)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    events = generate(replace(SETTINGS[args.setting]), args.users, args.gens, args.seed)
    write(events, args.out)
    print(f"wrote {len(events)} events to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
