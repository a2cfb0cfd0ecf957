"""Studio-wide population: synthetic usage histories of a generative-art studio.

Each simulated user has a hidden taste over terms (which ones they like to write) and a
hidden, private quality of each term (what actually comes out well for them); both drift
slowly between sessions. Every output gets a hidden quality from its prompt's terms plus
the luck of the seed. Reactions are thresholds on that quality with per-user thresholds:
``favourite`` above a high bar, ``keep`` above a middle one, ``delete`` below a low one,
an optional 1-5 ``rate``; users who are less diligent skip some reactions. The next move
depends on how the last output came out: re-run the same prompt with a new seed, make a
small edit, go back to the session's best prompt after a failure, or start over.
Sessions are separated by hours to weeks; a user's vocabulary grows as sessions go by.

Variants (``--variant``):

- ``illustrator``: natural-language prompts without commas ("a quiet harbour town at dusk
  painted in soft watercolour with warm light"); edits replace a phrase inside the
  sentence or add one; 30-40% of generates are exact re-runs.
- ``weighted``: long A1111-style prompts of 12-25 comma parts with numeric weights
  ``(term:1.2)``, ``((term))`` emphasis and LoRA tags ``<lora:name:0.7>``, a negative
  prompt in ``params``; edits mostly move one weight by 0.1 or toggle one LoRA; 40-60%
  of generates are re-runs, often in batches of 2-4.
- ``projects``: users who juggle 2-4 projects (a book cover, a game's item icons, a
  poster series, ...), each with its own house style, and switch between them across
  sessions days apart, coming back to that project's latest or favourite prompt and
  continuing from there.

Output: JSON lines ``generate`` / ``keep`` / ``favourite`` / ``delete`` / ``rate``, in
time order (users interleaved). Usage::

    python -m bench.heldout.gen_d --seed S --users U --gens G [--variant V] OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random

VARIANTS = ("illustrator", "weighted", "projects")

DAY = 86400.0
T0 = 1_735_689_600  # 2025-01-01 00:00 UTC


# ---------------------------------------------------------------- the person


class Person:
    """Hidden taste, private quality per term, thresholds and habits of one user."""

    def __init__(self, rng: random.Random, rerun: tuple[float, float], bar: float) -> None:
        self.taste: dict[str, float] = {}
        self.qual: dict[str, float] = {}
        self.known: set[str] = set()
        self.rng = rng
        self.fav_thr = rng.uniform(1.0, 1.5)
        self.keep_thr = rng.uniform(0.15, 0.55)
        self.del_thr = rng.uniform(-0.9, -0.35)
        self.diligence = rng.uniform(0.55, 0.97)
        self.rate_prob = rng.choice((0.0, 0.0, 0.15, 0.4))
        self.rerun = rng.uniform(*rerun)
        self.luck_sd = rng.uniform(0.45, 0.7)
        self.session_mean = rng.uniform(6, 20)
        # How demanding the user is: their own choices already lean towards what works.
        self.bar = bar + rng.uniform(-0.15, 0.15)

    def _ensure(self, term: str) -> None:
        if term not in self.taste:
            t = self.rng.gauss(0, 1)
            self.taste[term] = t
            # Liking a term and getting good results with it are related, not the same.
            self.qual[term] = 0.55 * t + 0.8 * self.rng.gauss(0, 1)

    def drift(self, days: float) -> None:
        step = 0.05 * math.sqrt(max(days, 0.1))
        for term in self.taste:
            self.taste[term] += self.rng.gauss(0, step)
            self.qual[term] += self.rng.gauss(0, step)

    def pick(self, options: list[str], exclude: set[str] | frozenset = frozenset(),
             known_only: bool = True) -> str | None:
        pool = [o for o in options if o not in exclude and (o in self.known or not known_only)]
        if not pool:
            pool = [o for o in options if o not in exclude]
        if not pool:
            return None
        for o in pool:
            self._ensure(o)
        weights = [math.exp(1.3 * self.taste[o]) for o in pool]
        choice = self.rng.choices(pool, weights)[0]
        self.known.add(choice)  # a term once written stays in the user's vocabulary
        return choice

    def learn(self, options: list[str], n: int) -> None:
        """Discover up to n new terms (vocabulary grows over time)."""
        for _ in range(n):
            term = self.pick(options, exclude=self.known, known_only=False)
            if term is not None:
                self.known.add(term)

    def quality(self, contributions: list[tuple[str, float]], penalty: float = 0.0) -> float:
        if not contributions:
            return self.rng.gauss(0, self.luck_sd)
        for term, _ in contributions:
            self._ensure(term)
        s = sum(self.qual[t] * w for t, w in contributions)
        return (0.8 * s / math.sqrt(len(contributions)) - penalty - self.bar
                + self.rng.gauss(0, self.luck_sd))

    def reactions(self, gid: str, q: float) -> list[tuple[str, dict]]:
        out: list[tuple[str, dict]] = []
        looked = self.rng.random() < self.diligence
        if q >= self.fav_thr and looked:
            if self.rng.random() < 0.4:
                out.append(("keep", {"target": gid}))
            out.append(("favourite", {"target": gid}))
        elif q >= self.keep_thr and looked and self.rng.random() < 0.85:
            out.append(("keep", {"target": gid}))
        elif q <= self.del_thr and looked and self.rng.random() < 0.8:
            out.append(("delete", {"target": gid}))
        if looked and self.rng.random() < self.rate_prob:
            value = 1 + sum(q >= b for b in (self.del_thr, (self.del_thr + self.keep_thr) / 2,
                                             self.keep_thr, self.fav_thr))
            out.append(("rate", {"target": gid, "value": value}))
        return out


def session_gap(rng: random.Random) -> float:
    """Hours to weeks: log-normal around a day and a half, 2 h to 4 weeks."""
    hours = math.exp(rng.gauss(math.log(34), 1.15))
    return min(max(hours, 2.0), 24 * 28) * 3600 + rng.uniform(0, 600)


# ---------------------------------------------------------------- variants


class Variant:
    """Prompt structure, edits and session starts of one kind of user."""

    rerun_range = (0.3, 0.4)
    bar = 0.6
    batch_sizes = (1,)
    modality = "image"

    def __init__(self, person: Person, rng: random.Random) -> None:
        self.p = person
        self.rng = rng

    def vocabulary(self) -> list[str]:
        raise NotImplementedError

    def fresh(self):
        raise NotImplementedError

    def edit(self, prompt, big: bool):
        raise NotImplementedError

    def render(self, prompt) -> str:
        raise NotImplementedError

    def score(self, prompt) -> float:
        raise NotImplementedError

    def params(self, batch_index: int, base_seed: int) -> dict:
        return {"seed": base_seed + batch_index, "steps": self.rng.choice((20, 25, 30)),
                "cfg": self.rng.choice((5.0, 6.0, 7.0, 7.5)), "width": 768, "height": 768}

    def session_start(self, hist: History):
        """The first prompt of a session: a fresh one, a favourite or the last one."""
        r = self.rng.random()
        if hist.last is None or r < 0.22:
            return self.fresh()
        if r < 0.42 and hist.favourites:
            fav = self.rng.choice(hist.favourites[-6:])
            return fav if self.rng.random() < 0.6 else self.edit(fav, big=False)
        return hist.last if self.rng.random() < 0.5 else self.edit(hist.last, big=False)


class History:
    """What a user has done so far: the prompts and how they came out."""

    def __init__(self) -> None:
        self.last = None
        self.favourites: list = []
        self.session: list[tuple[object, float]] = []

    def record(self, prompt, q: float, favourited: bool) -> None:
        self.last = prompt
        self.session.append((prompt, q))
        if favourited and prompt not in self.favourites:
            self.favourites.append(prompt)


# -- illustrator: sentences ---------------------------------------------------

SUBJECTS_NL = [
    "a quiet harbour town", "an old lighthouse on a cliff", "a fox sleeping in the snow",
    "a girl reading under a walnut tree", "a busy night market", "a mountain monastery",
    "a cat asleep on a windowsill", "two children flying a kite",
    "a ruined castle overgrown with ivy",
    "a tram crossing a stone bridge", "a lonely cabin among the pines",
    "a fisherman mending his nets",
    "a field of sunflowers", "a dragon curled around a tower", "a small bakery on a rainy street",
    "an astronaut resting in a garden", "a heron standing in the reeds",
    "a canal lined with houseboats",
    "a greenhouse full of ferns", "a woman cycling along the coast", "a fairground after closing",
    "an owl in a hollow oak", "a village square with a fountain", "a paper boat in a puddle",
]
TIMES_NL = [
    "at dusk", "at dawn", "in the rain", "under a full moon", "in early spring",
    "on a misty morning",
    "in late autumn", "after a snowfall", "at golden hour", "at midnight",
    "on a hot summer afternoon",
    "during a thunderstorm",
]
MEDIA_NL = [
    "painted in soft watercolour", "painted in gouache", "drawn in ink and wash",
    "in the style of a vintage storybook", "as a linocut print", "drawn in coloured pencil",
    "as an oil painting with thick brushstrokes", "in flat pastel colours",
    "as a loose pencil sketch",
    "drawn in charcoal", "as a risograph print", "as a detailed pen drawing",
]
LIGHT_NL = [
    "with warm light", "with long shadows", "with glowing lanterns", "with soft diffuse light",
    "with dramatic backlight", "with a pale blue glow", "with dappled sunlight", "with candlelight",
    "with a pink sky", "with mist rolling in",
]
EXTRA_NL = [
    "and a calm mood", "and a sense of nostalgia", "and tiny details everywhere",
    "in muted colours", "in a limited palette", "seen from above", "in a wide panoramic view",
    "with lots of empty space", "and a cosy atmosphere", "full of small birds",
]
SLOTS_NL = (("subject", SUBJECTS_NL), ("time", TIMES_NL), ("medium", MEDIA_NL),
            ("light", LIGHT_NL), ("extra", EXTRA_NL))


class Illustrator(Variant):
    rerun_range = (0.32, 0.44)
    bar = 0.8

    def vocabulary(self) -> list[str]:
        return [w for _, opts in SLOTS_NL for w in opts]

    def _pick(self, slot: str, exclude=frozenset()) -> str | None:
        return self.p.pick(dict(SLOTS_NL)[slot], exclude=exclude)

    def fresh(self):
        d = {"subject": self._pick("subject")}
        for slot, prob in (("time", 0.75), ("medium", 0.9), ("light", 0.65), ("extra", 0.35)):
            if self.rng.random() < prob:
                d[slot] = self._pick(slot)
        return tuple((s, d[s]) for s, _ in SLOTS_NL if d.get(s))

    def edit(self, prompt, big: bool):
        d = dict(prompt)
        moves = ["replace", "replace", "replace", "add", "drop"] + (["subject"] * (3 if big else 1))
        for _ in range(2 if big and self.rng.random() < 0.5 else 1):
            move = self.rng.choice(moves)
            empty = [s for s, _ in SLOTS_NL if s not in d]
            optional = [s for s in d if s != "subject"]
            if move == "add" and empty:
                slot = self.rng.choice(empty)
                d[slot] = self._pick(slot)
            elif move == "drop" and len(optional) > 1:
                del d[self.rng.choice(optional)]
            elif move == "subject":
                d["subject"] = self._pick("subject", {d["subject"]})
            else:
                slot = self.rng.choice(optional or ["subject"])
                d[slot] = self._pick(slot, {d[slot]}) or d[slot]
        new = tuple((s, d[s]) for s, _ in SLOTS_NL if d.get(s))
        return new if new != prompt else self.edit(prompt, big=True)

    def render(self, prompt) -> str:
        return " ".join(phrase for _, phrase in prompt)

    def score(self, prompt) -> float:
        return self.p.quality([(phrase, 1.0) for _, phrase in prompt])


# -- weighted: A1111-style ----------------------------------------------------

W_CATS = {
    "quality": ["masterpiece", "best quality", "ultra detailed", "highres", "8k", "absurdres",
                "sharp focus", "intricate details", "high quality", "detailed background"],
    "subject": ["1girl", "1boy", "knight in ornate armor", "cyberpunk street samurai", "witch",
                "mecha pilot", "elf ranger", "portrait of an old wizard", "fantasy landscape",
                "dragon", "android girl", "pirate captain"],
    "feature": ["silver hair", "long hair", "blue eyes", "glowing eyes", "red scarf", "hood up",
                "flowing cape", "holding sword", "looking at viewer", "smile", "freckles",
                "short black hair", "scar across face", "detailed face", "solo", "upper body",
                "full body"],
    "scene": ["night", "rain", "neon lights", "cherry blossoms", "forest", "ancient ruins",
              "city background", "starry sky", "snow", "fog", "sunset", "throne room",
              "floating islands", "wet streets"],
    "style": ["cinematic lighting", "volumetric lighting", "rim light", "depth of field", "bokeh",
              "anime style", "oil painting", "concept art", "artstation", "octane render",
              "film grain", "dynamic angle", "from below", "wide shot", "close-up",
              "dramatic shadows", "vibrant colors", "muted colors", "by greg rutkowski",
              "by alphonse mucha", "by makoto shinkai", "by wlop", "by ilya kuvshinov"],
}
W_COUNTS = {"quality": (2, 5), "subject": (1, 2), "feature": (2, 6), "scene": (2, 4),
            "style": (3, 7)}
LORAS = ["add_detail", "epiNoiseoffset", "more_details", "ghibli_style", "cyberpunk_v2",
         "lineart_flat", "film_photo", "detail_tweaker", "ink_wash", "thick_impasto"]
NEGATIVE = ("lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, "
            "cropped, worst quality, low quality, jpeg artifacts, signature, watermark, blurry")


class Weighted(Variant):
    """Prompt: (terms, loras); a term is (cat, text, weight, style) with style in
    "plain", "num" (``(t:1.2)``) and "paren" (``((t))``); a lora is (name, weight)."""

    rerun_range = (0.2, 0.32)
    bar = 1.0
    batch_sizes = (2, 2, 3, 4)

    def __init__(self, person: Person, rng: random.Random) -> None:
        super().__init__(person, rng)
        # Each term and LoRA works best at a hidden strength.
        self.ideal: dict[str, float] = {}
        self.neg_extra = rng.choice(("", ", nsfw", ", deformed, ugly", ", 3d, render"))

    def vocabulary(self) -> list[str]:
        return [t for opts in W_CATS.values() for t in opts] + ["lora:" + n for n in LORAS]

    def _ideal(self, key: str) -> float:
        if key not in self.ideal:
            base = 0.7 if key.startswith("lora:") else 1.1
            self.ideal[key] = round(base + self.rng.uniform(-0.2, 0.25), 1)
        return self.ideal[key]

    def _term(self, cat: str, exclude: set[str]):
        text = self.p.pick(W_CATS[cat], exclude=exclude)
        if text is None:
            return None
        r = self.rng.random()
        if r < 0.25:
            w = self.rng.choice((0.8, 0.9, 1.1, 1.2, 1.2, 1.3, 1.4))
            return (cat, text, w, "num")
        if r < 0.33:
            return (cat, text, 1.21, "paren")
        return (cat, text, 1.0, "plain")

    def fresh(self):
        terms: list = []
        used: set[str] = set()
        for cat in W_CATS:
            lo, hi = W_COUNTS[cat]
            for _ in range(self.rng.randint(lo, hi)):
                t = self._term(cat, used)
                if t:
                    terms.append(t)
                    used.add(t[1])
        while len(terms) < 12:
            t = self._term(self.rng.choice(("feature", "scene", "style")), used)
            if t:
                terms.append(t)
                used.add(t[1])
        loras: list = []
        for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3))):
            taken = {"lora:" + n for n, _ in loras}
            name = self.p.pick(["lora:" + n for n in LORAS], exclude=taken)
            if name and len(terms) + len(loras) < 25:
                loras.append((name[5:], round(self.rng.choice((0.5, 0.6, 0.7, 0.8, 1.0)), 1)))
        return (tuple(terms[:25 - len(loras)]), tuple(loras))

    def edit(self, prompt, big: bool):
        terms, loras = list(prompt[0]), list(prompt[1])
        n = len(terms) + len(loras)
        r = self.rng.random() + (0.35 if big else 0.0)
        if r < 0.42:  # one weight by 0.1
            i = self.rng.randrange(len(terms))
            cat, text, w, style = terms[i]
            if style == "paren":
                w = 1.2
            ideal = self._ideal(text)
            toward = 0.1 if w < ideal else -0.1
            step = toward if self.rng.random() < 0.7 else -toward
            w = round(min(max(w + step, 0.5), 1.8), 1)
            terms[i] = (cat, text, w, "plain" if w == 1.0 else "num")
        elif r < 0.64:  # toggle one LoRA, or nudge its strength
            names = {nm for nm, _ in loras}
            if loras and (self.rng.random() < 0.45 or n >= 25):
                j = self.rng.randrange(len(loras))
                if self.rng.random() < 0.5:
                    del loras[j]
                else:
                    nm, w = loras[j]
                    loras[j] = (nm, round(min(max(w + self.rng.choice((-0.1, 0.1)), 0.1), 1.2), 1))
            else:
                taken = {"lora:" + x for x in names}
                name = self.p.pick(["lora:" + x for x in LORAS], exclude=taken)
                if name:
                    loras.append((name[5:], round(self.rng.choice((0.5, 0.6, 0.7, 0.8)), 1)))
        elif r < 0.78:  # swap a term for another of its kind
            i = self.rng.randrange(len(terms))
            new = self._term(terms[i][0], {t[1] for t in terms})
            if new:
                terms[i] = new
        elif r < 0.9 and n < 25:
            new = self._term(self.rng.choice(("feature", "scene", "style", "quality")),
                             {t[1] for t in terms})
            if new:
                terms.insert(self.rng.randint(len(terms) // 2, len(terms)), new)
        elif r < 1.0 and n > 12:
            del terms[self.rng.randrange(len(terms))]
        else:  # a new subject, the style stack stays
            subj = [i for i, t in enumerate(terms) if t[0] == "subject"] or [0]
            new = self._term("subject", {t[1] for t in terms})
            if new:
                terms[subj[0]] = new
        out = (tuple(terms), tuple(loras))
        return out if out != prompt else self.edit(prompt, big)

    def render(self, prompt) -> str:
        parts = []
        for _, text, w, style in prompt[0]:
            if style == "num":
                parts.append(f"({text}:{w:.1f})")
            elif style == "paren":
                parts.append(f"(({text}))")
            else:
                parts.append(text)
        parts += [f"<lora:{name}:{w:.1f}>" for name, w in prompt[1]]
        return ", ".join(parts)

    def score(self, prompt) -> float:
        contrib = [(text, w) for _, text, w, _ in prompt[0]]
        contrib += [("lora:" + name, 1.5) for name, _ in prompt[1]]
        penalty = sum(2.0 * (w - self._ideal(text)) ** 2
                      for _, text, w, s in prompt[0] if s != "plain")
        penalty += sum(2.5 * (w - self._ideal("lora:" + name)) ** 2 for name, w in prompt[1])
        return self.p.quality(contrib, penalty)

    def params(self, batch_index: int, base_seed: int) -> dict:
        return {"seed": base_seed + batch_index, "steps": 28, "cfg": 7.0,
                "sampler": "DPM++ 2M Karras", "width": 512, "height": 768,
                "negative_prompt": NEGATIVE + self.neg_extra, "batch_index": batch_index}


# -- projects: several projects, each with a house style ----------------------

PROJECT_KINDS = {
    "book cover": (
        ["a lone wanderer on a moor", "a lighthouse in a storm",
         "a girl with a lantern in a dark forest",
         "a ship in a bottle", "a burning city skyline", "a key on an old map",
         "a raven on a gravestone",
         "a door in a hillside"],
        ["book cover art", "title space at the top", "vertical composition", "dramatic composition",
         "painterly", "high contrast", "fantasy novel cover", "thriller novel cover",
         "minimalist silhouette", "muted palette", "gold foil accents"]),
    "item icons": (
        ["health potion", "iron sword", "wooden shield", "magic scroll", "golden key",
         "treasure chest",
         "fire gem", "leather boots", "bow and quiver", "mana potion", "war hammer", "amulet",
         "spell book", "bread loaf"],
        ["game item icon", "flat shading", "isometric view", "centered", "plain background",
         "thick outline", "pixel art", "rpg inventory style", "glossy highlights", "hand painted",
         "soft drop shadow", "vibrant colours"]),
    "poster series": (
        ["jazz festival", "mountain railway", "city marathon", "botanical garden exhibition",
         "sci-fi film night", "harbour regatta", "winter ski resort", "planetarium opening"],
        ["vintage travel poster", "art deco", "space for bold typography", "screen print texture",
         "limited palette", "bauhaus shapes", "swiss design", "retro 1960s", "paper grain",
         "geometric layout"]),
    "album art": (
        ["a neon palm tree", "a car driving into the night", "a face made of clouds",
         "an empty swimming pool",
         "a cassette tape melting", "a desert motel"],
        ["square album cover", "synthwave", "vaporwave colours", "grainy film photo", "surreal",
         "centered composition", "chrome text space", "dreamy haze", "double exposure"]),
    "character sheet": (
        ["dwarf cleric", "elven ranger", "tiefling bard", "human paladin", "halfling rogue",
         "orc shaman", "gnome artificer"],
        ["character portrait", "half body", "fantasy rpg", "parchment background", "ink lines",
         "watercolour wash", "dynamic pose", "detailed armour", "three quarter view"]),
    "children's book": (
        ["a bear who lost his hat", "a mouse sailing a teacup", "a rabbit picnic",
         "a dragon learning to read",
         "a snail racing a turtle", "a hedgehog in the rain"],
        ["children's book illustration", "soft pastel colours", "gouache texture", "cute",
         "round shapes", "warm light", "whimsical", "double page spread", "simple background"]),
}


class Projects(Variant):
    """Prompt: (kind, subject, house parts, extra parts)."""

    rerun_range = (0.25, 0.38)
    bar = 0.35

    def __init__(self, person: Person, rng: random.Random) -> None:
        super().__init__(person, rng)
        kinds = rng.sample(sorted(PROJECT_KINDS), rng.randint(2, 4))
        self.projects = [self._new_project(k) for k in kinds]
        self.current = 0
        self.spare = [k for k in PROJECT_KINDS if k not in kinds]

    def _new_project(self, kind: str) -> dict:
        styles = PROJECT_KINDS[kind][1]
        house = tuple(self.rng.sample(styles, self.rng.randint(2, 4)))
        return {"kind": kind, "house": house, "latest": None, "favourites": []}

    def vocabulary(self) -> list[str]:
        return [w for subj, sty in PROJECT_KINDS.values() for w in subj + sty]

    def fresh(self):
        proj = self.projects[self.current]
        subjects, styles = PROJECT_KINDS[proj["kind"]]
        subject = self.p.pick(subjects)
        extras = []
        for _ in range(self.rng.randint(1, 4)):
            e = self.p.pick(styles, exclude=set(proj["house"]) | set(extras))
            if e:
                extras.append(e)
        return (proj["kind"], subject, proj["house"], tuple(extras))

    def edit(self, prompt, big: bool):
        kind, subject, house, extras = prompt
        subjects, styles = PROJECT_KINDS[kind]
        extras = list(extras)
        used = set(house) | set(extras)
        r = self.rng.random() + (0.3 if big else 0.0)
        # Icons and posters are series: the next item in the same style is the usual move.
        series = kind in ("item icons", "poster series", "character sheet")
        if r < (0.4 if series else 0.2):
            subject = self.p.pick(subjects, exclude={subject}) or subject
        elif r < 0.55:
            if extras:
                i = self.rng.randrange(len(extras))
                extras[i] = self.p.pick(styles, exclude=used) or extras[i]
        elif r < 0.75 and len(extras) < 5:
            e = self.p.pick(styles, exclude=used)
            if e:
                extras.append(e)
        elif r < 0.88 and extras:
            del extras[self.rng.randrange(len(extras))]
        else:
            h = list(house)
            i = self.rng.randrange(len(h))
            h[i] = self.p.pick(styles, exclude=used) or h[i]
            house = tuple(h)
        out = (kind, subject, house, tuple(extras))
        return out if out != prompt else self.edit(prompt, True)

    def render(self, prompt) -> str:
        _, subject, house, extras = prompt
        return ", ".join((subject, *house, *extras))

    def score(self, prompt) -> float:
        _, subject, house, extras = prompt
        return self.p.quality([(subject, 1.0)] + [(t, 1.0) for t in house + extras])

    def session_start(self, hist: History):
        # Mostly a different project than last time; sometimes one is finished and a new one starts.
        if self.spare and self.rng.random() < 0.04:
            self.projects[self.rng.randrange(len(self.projects))] = self._new_project(
                self.spare.pop(self.rng.randrange(len(self.spare))))
        if len(self.projects) > 1 and self.rng.random() < 0.7:
            others = [i for i in range(len(self.projects)) if i != self.current]
            self.current = self.rng.choice(others)
        proj = self.projects[self.current]
        if proj["latest"] is None:
            return self.fresh()
        base = proj["latest"]
        if proj["favourites"] and self.rng.random() < 0.55:
            base = self.rng.choice(proj["favourites"][-4:])
        return base if self.rng.random() < 0.55 else self.edit(base, big=False)

    def note(self, prompt, q: float, favourited: bool) -> None:
        proj = self.projects[self.current]
        if prompt[0] != proj["kind"]:
            return
        if q > self.p.del_thr:  # a flop is deleted, so the library shows the one before it
            proj["latest"] = prompt
        if favourited and prompt not in proj["favourites"]:
            proj["favourites"].append(prompt)
            proj["house"] = prompt[2]  # a favourite sets the project's look


VARIANT_CLASSES = {"illustrator": Illustrator, "weighted": Weighted, "projects": Projects}


# ---------------------------------------------------------------- the loop


def _user_events(rng: random.Random, user: str, gens: int, variant: str,
                 next_id: list[int]) -> list[dict]:
    cls = VARIANT_CLASSES[variant]
    person = Person(rng, cls.rerun_range, cls.bar)
    sim = cls(person, rng)
    vocab = sim.vocabulary()
    person.learn(vocab, max(6, len(vocab) // 4))
    hist = History()
    t = T0 + rng.uniform(0, 21 * DAY)
    events: list[dict] = []
    made = 0
    first_session = True
    while made < gens:
        if not first_session:
            gap = session_gap(rng)
            t += gap
            person.drift(gap / DAY)
            person.learn(vocab, rng.choice((0, 0, 1, 1, 2, 3)))
        first_session = False
        hist.session = []
        length = max(1, int(rng.expovariate(1 / person.session_mean)) + 1)
        prompt = sim.session_start(hist)
        last_q = None
        for step in range(length):
            if made >= gens:
                break
            batch = 1
            if step > 0:
                prompt, batch = _next_move(sim, person, hist, prompt, last_q)
            batch = min(batch, gens - made)
            base_seed = rng.randrange(2**32)
            outs = []
            for b in range(batch):
                gid = f"g{next_id[0]}"
                next_id[0] += 1
                events.append({"ts": int(t), "user": user, "type": "generate", "id": gid,
                               "prompt": sim.render(prompt), "modality": sim.modality,
                               "params": sim.params(b, base_seed)})
                outs.append((gid, sim.score(prompt)))
                t += rng.uniform(3, 12) if b + 1 < batch else rng.uniform(8, 40)
                made += 1
            favourited = False
            for gid, q in outs:  # a batch is looked at once it is done
                for kind, extra in person.reactions(gid, q):
                    t += rng.uniform(2, 15)
                    events.append({"ts": int(t), "user": user, "type": kind, **extra})
                    favourited |= kind == "favourite"
            last_q = max(q for _, q in outs)
            hist.record(prompt, last_q, favourited)
            if isinstance(sim, Projects):
                sim.note(prompt, last_q, favourited)
            t += rng.uniform(20, 240)
    return events


def _next_move(sim: Variant, person: Person, hist: History, prompt, last_q: float):
    rng = sim.rng
    if last_q >= person.fav_thr:
        p_rerun = person.rerun * 1.6  # more of a good thing
    elif last_q >= person.keep_thr:
        p_rerun = person.rerun * 1.3  # close: try another seed
    elif last_q > person.del_thr:
        p_rerun = person.rerun * 0.75
    else:
        p_rerun = person.rerun * 0.25
    if rng.random() < min(p_rerun, 0.9):
        return prompt, rng.choice(sim.batch_sizes)
    if last_q <= person.del_thr:
        good = [(q, p) for p, q in hist.session if q >= person.keep_thr and p != prompt]
        if good and rng.random() < 0.45:
            return max(good, key=lambda x: x[0])[1], 1
        if rng.random() < 0.12:
            return sim.fresh(), 1
        return sim.edit(prompt, big=True), 1
    if rng.random() < 0.04:
        return sim.fresh(), 1
    return sim.edit(prompt, big=False), 1


def generate(seed: int, users: int, gens: int, variant: str = "illustrator") -> list[dict]:
    """Events of `users` users with `gens` generates each, in time order."""
    if variant not in VARIANT_CLASSES:
        raise ValueError(f"unknown variant {variant!r} (choose from {', '.join(VARIANTS)})")
    events: list[dict] = []
    next_id = [1]
    for u in range(users):
        rng = random.Random(f"gen_d:{seed}:{variant}:{u}")
        events += _user_events(rng, f"u{u + 1}", gens, variant, next_id)
    events.sort(key=lambda e: e["ts"])  # stable: a user's same-second events keep their order
    return events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.heldout.gen_d",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--gens", type=int, default=200, help="generate events per user")
    ap.add_argument("--variant", choices=VARIANTS, default="illustrator",
                    help="illustrator: comma-free sentences; weighted: A1111 weights, LoRAs, "
                         "batches; projects: 2-4 projects revisited across sessions")
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
