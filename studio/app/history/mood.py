"""The mood of the user's recent writing: a lexicon heuristic, not a model.

Each word found in a small hand-made lexicon contributes a valence (unpleasant -1
.. pleasant +1) and an arousal (calm -1 .. excited +1), in the spirit of the
ANEW/NRC-VAD norms but far smaller; a negation just before a word flips its
valence. It reads single words only, so irony, context and other languages are
invisible to it. It is meant to tint suggestions ("quiet, melancholic lately"),
never to judge the user, and it is cheap enough to run on every edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.app.prompts import words

# word -> (valence, arousal)
LEXICON: dict[str, tuple[float, float]] = {
    # pleasant, calm
    "calm": (0.6, -0.7), "peaceful": (0.8, -0.7), "quiet": (0.3, -0.7), "gentle": (0.6, -0.5),
    "serene": (0.8, -0.7), "soft": (0.4, -0.5), "warm": (0.6, -0.2), "cozy": (0.7, -0.5),
    "tender": (0.7, -0.3), "content": (0.6, -0.4), "rest": (0.4, -0.7), "dream": (0.5, -0.2),
    "hope": (0.7, 0.1), "kind": (0.7, -0.2), "safe": (0.6, -0.5), "home": (0.6, -0.3),
    "light": (0.4, 0.0), "sunlight": (0.6, 0.1), "spring": (0.6, 0.2), "bloom": (0.7, 0.2),
    "garden": (0.6, -0.3), "smile": (0.8, 0.2), "friend": (0.7, 0.0), "grace": (0.7, -0.3),
    "beautiful": (0.8, 0.2), "lovely": (0.8, 0.1), "sweet": (0.7, 0.0), "golden": (0.6, 0.1),
    # pleasant, excited
    "happy": (0.8, 0.5), "joy": (0.9, 0.6), "love": (0.9, 0.5), "laugh": (0.8, 0.6),
    "bright": (0.6, 0.4), "dance": (0.7, 0.7), "celebrate": (0.8, 0.7), "wonder": (0.7, 0.4),
    "delight": (0.8, 0.5), "excited": (0.7, 0.8), "thrill": (0.6, 0.8), "vibrant": (0.6, 0.6),
    "glorious": (0.8, 0.5), "triumph": (0.8, 0.7), "sing": (0.7, 0.4), "adventure": (0.6, 0.7),
    "playful": (0.7, 0.5), "festival": (0.7, 0.7), "fire": (0.1, 0.7), "wild": (0.2, 0.7),
    # unpleasant, calm
    "sad": (-0.7, -0.3), "lonely": (-0.7, -0.4), "grey": (-0.3, -0.5), "gray": (-0.3, -0.5),
    "tired": (-0.4, -0.6), "empty": (-0.5, -0.5), "cold": (-0.4, -0.2), "loss": (-0.7, -0.1),
    "grief": (-0.8, 0.0), "melancholy": (-0.5, -0.4), "melancholic": (-0.5, -0.4),
    "gloomy": (-0.6, -0.4), "alone": (-0.5, -0.3), "forgotten": (-0.6, -0.4),
    "rain": (-0.1, -0.3), "fog": (-0.2, -0.4), "winter": (-0.1, -0.3), "dusk": (0.0, -0.4),
    "tears": (-0.6, 0.1), "cry": (-0.6, 0.3), "regret": (-0.6, -0.1), "sorrow": (-0.8, -0.2),
    "decay": (-0.5, -0.2), "ruin": (-0.6, 0.0), "dark": (-0.4, 0.0), "shadow": (-0.3, 0.0),
    "death": (-0.8, 0.2), "dead": (-0.8, 0.0), "bleak": (-0.6, -0.3), "hollow": (-0.5, -0.3),
    # unpleasant, excited
    "angry": (-0.7, 0.8), "anger": (-0.7, 0.8), "rage": (-0.8, 0.9), "fear": (-0.7, 0.7),
    "afraid": (-0.7, 0.6), "scream": (-0.6, 0.9), "storm": (-0.3, 0.7), "war": (-0.8, 0.8),
    "blood": (-0.6, 0.6), "panic": (-0.7, 0.9), "hate": (-0.9, 0.7), "terror": (-0.9, 0.9),
    "horror": (-0.8, 0.8), "chaos": (-0.5, 0.8), "anxious": (-0.6, 0.7), "burn": (-0.4, 0.7),
    "broken": (-0.6, 0.2), "pain": (-0.8, 0.5), "hurt": (-0.7, 0.4), "nightmare": (-0.8, 0.7),
    "violent": (-0.7, 0.8), "monster": (-0.5, 0.6), "danger": (-0.5, 0.7), "cruel": (-0.8, 0.5),
}
_NEGATIONS = frozenset({"not", "no", "never", "without", "nor", "isn't", "wasn't", "don't"})


@dataclass(frozen=True)
class Mood:
    valence: float  # -1 unpleasant .. +1 pleasant
    arousal: float  # -1 calm .. +1 excited
    hits: int  # lexicon words found: with few hits the mood means little

    def label(self) -> str:
        if self.hits == 0:
            return "unknown"
        tone = ("positive" if self.valence > 0.15 else "negative" if self.valence < -0.15
                else "neutral")
        energy = ("energetic" if self.arousal > 0.15 else "calm" if self.arousal < -0.15
                  else "even")
        return f"{energy}, {tone}"


def score_text(text: str) -> Mood:
    """Average valence/arousal of the lexicon words in ``text``."""
    toks = words(text)
    val = aro = 0.0
    hits = 0
    for i, tok in enumerate(toks):
        entry = LEXICON.get(tok)
        if entry is None and tok.endswith("s"):
            entry = LEXICON.get(tok[:-1])  # plural: "storms", "tears" is listed as is
        if entry is None:
            continue
        v, a = entry
        if any(t in _NEGATIONS for t in toks[max(0, i - 2):i]):
            v = -v * 0.5  # "not happy" is unhappy, but less than "sad"
        val += v
        aro += a
        hits += 1
    if not hits:
        return Mood(0.0, 0.0, 0)
    return Mood(val / hits, aro / hits, hits)


def combine(samples: list[tuple[float, float, float, int]], now: float,
            half_life_s: float) -> Mood:
    """Recency-weighted mood of ``(ts, valence, arousal, hits)`` samples."""
    tw = val = aro = 0.0
    hits = 0
    for ts, v, a, h in samples:
        if not h:
            continue
        w = h * 2.0 ** (-max(0.0, now - ts) / half_life_s)
        tw += w
        val += v * w
        aro += a * w
        hits += h
    if tw == 0:
        return Mood(0.0, 0.0, 0)
    return Mood(round(val / tw, 4), round(aro / tw, 4), hits)
