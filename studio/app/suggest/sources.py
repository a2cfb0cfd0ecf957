"""Candidate sources: each proposes suggestions with a prior mass and a reason.

The prompt sources share one generative model of how people iterate: the next
prompt is an edit of the current one, and the kind of edit (repeat, add, drop,
swap one modifier, return to an earlier prompt, something new) has per-user
odds that depend on how the user reacted to the last output (``UserState.op_probs``).
Within an edit kind, the user's own statistics decide which modifier or prompt:
modifiers they keep adding, ones they dropped or whose outputs they deleted,
prompts they come back to. A candidate's ``sources`` hold P(edit) * P(choice | edit),
so masses from different sources are comparable and the ranker starts calibrated.

The other sources (catalogue, parameters, negative terms, cross-modal ideas,
writing directions, model expansions) give small fixed-scale masses: they fill
the list when history says little and the ranker learns from accept/dismiss
how much this user wants them.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from studio.app.expansion import Taste, taste_from_state
from studio.app.prompts import split_parts, words
from studio.app.suggest.catalogue import Catalogue
from studio.app.suggest.edits import (
    EditModel,
    add_features,
    add_pool,
    drop_features,
    return_features,
    return_pool,
)
from studio.app.suggest.state import UserState
from studio.app.suggest.types import Candidate

#: Every source name; the ranker has one feature per source.
SOURCES: tuple[str, ...] = (
    "repeat", "add", "drop", "swap", "return", "style", "starter", "expand",
    "params", "negative", "cross_modal", "direction",
)

_STOP = set(
    "a an the and or but of to in on at for with from by as is are was were be been it its "
    "this that these those he she they we you i his her their our my your me him them not no "
    "so then than there here when where what which who whom into out up down over under again "
    "very just had has have do did does will would could should can may might one all any some "
    "said like".split()
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quote(text: str, limit: int = 48) -> str:
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1]}…'"


def prompt_candidate(state: UserState, parts: tuple[str, ...], modality: str, source: str,
                     mass: float, reason: str, kind: str = "prompt") -> Candidate:
    """A prompt suggestion with the statistics the ranker's features read."""
    stat = state.prompts.get(frozenset(parts))
    stats: dict[str, float] = {
        "novel": 0.0 if stat else 1.0,
        "recency": math.exp(-(state.step - stat.last) / 8.0) if stat else 0.0,
        "count": float(stat.count) if stat else 0.0,
        "reaction": max(-3.0, min(3.0, stat.reaction)) / 3.0 if stat else 0.0,
        "taste": sum(state.taste(p) for p in parts) / len(parts) if parts else 0.0,
    }
    # A prompt the user ran is offered in their exact words (spacing, case, emphasis).
    text = stat.text if stat else state.text_of(parts)
    return Candidate(kind, text, modality, reason, parts=parts,
                     sources={source: mass}, stats=stats)


# -- the user's history and its one-modifier variations ---------------------------


def _norm(weights: dict[Any, float]) -> dict[Any, float]:
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()} if total > 0 else {}


def _top(weights: dict[Any, float], n: int) -> list[tuple[Any, float]]:
    return sorted(weights.items(), key=lambda kv: kv[1], reverse=True)[:n]


def history_candidates(state: UserState, catalogue: Catalogue, edits: EditModel,
                       base: tuple[str, ...], modality: str, bucket: str) -> list[Candidate]:
    """Repeat, add, drop, swap and return candidates around the base prompt."""
    ops = state.op_probs(bucket, len(base))
    out: list[Candidate] = []
    step = state.step
    subject = catalogue.subject_class(", ".join(base)) if base else None
    for_subject = f" to {subject}" if subject else ""
    prev_parts, before_key = edits.context(state, modality)
    if base:
        stat = state.prompts.get(frozenset(base))
        if stat and stat.reaction > 0:
            why = f"Run it again: you liked its outputs ({_plural(stat.count, 'run')} so far)"
        elif stat:
            why = f"Your current prompt, run {_plural(stat.count, 'time')}"
        else:
            why = "Your current prompt as it stands"
        out.append(prompt_candidate(state, base, modality, "repeat", ops["repeat"], why))

        p_known = 1.0 - state.p_new_term()
        pool = add_pool(state, set(base))
        recent_drops = state.recent_drops(modality)
        adds: dict[str, float] = {}
        if pool:
            probs = edits.add.probs(add_features(state, pool, None, catalogue.category_of,
                                                 recent_drops))
            adds = dict(zip(pool, probs.tolist(), strict=True))
        for part, share in _top(adds, 12):
            t = state.terms[part]
            if t.adds:
                why = f"You often add {_quote(state.text_of((part,)))}{for_subject} " \
                      f"({_plural(t.adds, 'time')})"
            else:
                why = f"{_quote(state.text_of((part,)))} is in {_plural(t.uses, 'prompt')} " \
                      f"of yours"
            out.append(prompt_candidate(state, (*base, part), modality, "add",
                                        ops["add"] * p_known * share, why))

        # The add mass no listed candidate stands for (a modifier the user never
        # used, or one below the top 12) still lands near the base prompt; a
        # placeholder part lets the diversity step count what covers it.
        listed = sum(share for _, share in _top(adds, 12))
        out.append(_phantom(base, (NEW_PART,), modality, "add",
                            ops["add"] * (1.0 - p_known * listed)))

        drops: dict[str, float] = {}
        swap_outs: dict[str, float] = {}
        if len(base) > 1:
            f = drop_features(state, base, prev_parts, bucket)
            drops = dict(zip(base, edits.drop.probs(f).tolist(), strict=True))
            swap_outs = dict(zip(base, edits.swap_out.probs(f).tolist(), strict=True))
        for part, share in _top(drops, 6):
            t = state.terms.get(part)
            if prev_parts is not None and part not in prev_parts and bucket == "neg":
                why = f"Undo adding {_quote(state.text_of((part,)))}: you did not like the result"
            elif t and t.neg > t.pos:
                why = f"Outputs with {_quote(state.text_of((part,)))} did not please you " \
                      f"({_plural(round(t.neg), 'strike')})"
            elif ops["swap"] * swap_outs[part] > ops["drop"] * share:
                # Mostly there for the swaps it stands for: say so.
                why = f"Keep the rest and replace {_quote(state.text_of((part,)))}"
            elif t and t.drops:
                why = f"You have dropped {_quote(state.text_of((part,)))} " \
                      f"{_plural(t.drops, 'time')} before"
            else:
                why = f"Try it without {_quote(state.text_of((part,)))}"
            rest = tuple(p for p in base if p != part)
            out.append(prompt_candidate(state, rest, modality, "drop", ops["drop"] * share, why))

        swap_pool = [p for p, _ in _top(adds, 16)]
        listed_drops = {part for part, _ in _top(drops, 6)}
        for out_part, d_share in _top(swap_outs, 4):
            ins: list[tuple[str, float]] = []
            if swap_pool:
                probs = edits.add.probs(add_features(state, swap_pool, out_part,
                                                     catalogue.category_of, recent_drops))
                ins = _top(dict(zip(swap_pool, probs.tolist(), strict=True)), 4)
            rest = tuple(p for p in base if p != out_part)
            if out_part not in listed_drops and len(rest) >= 4:
                # The prompt without the part is within reach of every swap that
                # replaces it (a new subject, say), whatever comes in its place.
                out.append(prompt_candidate(
                    state, rest, modality, "drop", ops["drop"] * drops.get(out_part, 0.0),
                    f"Keep the rest and replace {_quote(state.text_of((out_part,)))}"))
            listed = sum(share for _, share in ins)
            out.append(_phantom(rest, (NEW_PART,), modality, "swap",
                                ops["swap"] * d_share * (1.0 - p_known * listed)))
            for in_part, share in ins:
                parts = tuple(in_part if p == out_part else p for p in base)
                n = state.swaps.get((out_part, in_part), 0)
                why = (f"You swapped {_quote(state.text_of((out_part,)))} for "
                       f"{_quote(state.text_of((in_part,)))} {_plural(n, 'time')} before" if n
                       else f"Swap {_quote(state.text_of((out_part,)))} for one you like: "
                            f"{_quote(state.text_of((in_part,)))}")
                out.append(prompt_candidate(state, parts, modality, "swap",
                                            ops["swap"] * p_known * d_share * share, why))

    base_key = frozenset(base)
    pool_r = return_pool(state, base_key, modality)
    if pool_r:
        # How often this user comes back is read off the record directly: the edit
        # kinds count only exact returns that are not one edit away, and most
        # returns are to a version with a part changed.
        p_back = max(ops["return"], state.p_near_back())
        probs = edits.ret.probs(return_features(state, pool_r, base_key, before_key))
        for key, share in _top(dict(zip(pool_r, probs.tolist(), strict=True)), 24):
            stat = state.prompts[key]
            ago = step - stat.last
            if key == before_key:
                why = "Go back to the version before this one"
            elif stat.reaction > 0:
                why = f"Back to a prompt you liked ({_plural(stat.count, 'run')}, last " \
                      f"{_plural(ago, 'generation')} ago)"
            elif stat.count > 1:
                why = f"You came back to this prompt {_plural(stat.count - 1, 'time')}"
            else:
                why = f"Your prompt from {_plural(ago, 'generation')} ago"
            out.append(prompt_candidate(state, stat.parts, modality, "return",
                                        p_back * share, why))
    return out


#: A part no prompt has: "some modifier we cannot name" in a placeholder candidate.
NEW_PART = "\x00unlisted"


def _phantom(parts: tuple[str, ...], extra: tuple[str, ...], modality: str, source: str,
             mass: float) -> Candidate:
    """Probability mass for prompts the sources cannot list; never shown, only covered."""
    return Candidate("prompt", "", modality, "", parts=(*parts, *extra),
                     sources={source: max(mass, 0.0)}, stats={"phantom": 1.0, "novel": 1.0})


# -- the curated catalogue and cold-start starters -----------------------------------


def catalogue_candidates(state: UserState, catalogue: Catalogue, base: tuple[str, ...],
                         modality: str, limit: int = 8) -> list[Candidate]:
    """Catalogue styles added to the base prompt, preferring tags of modifiers the user likes."""
    if modality == "text" and not base:
        return []  # a mood word alone is not a writing prompt; directions cover text
    styles = [s for s in catalogue.for_modality(modality)
              if s.category not in ("writing_direction",) and not set(s.parts) & set(base)]
    if not styles:
        return []
    liked: dict[str, float] = {}
    for part in state.top_terms.top(24):
        style = catalogue.style_of_part.get(part)
        if style is not None and state.taste(part) >= 0:
            for tag in style.tags:
                liked[tag] = liked.get(tag, 0.0) + 1.0
    used = set(state.terms)
    scored = []
    for s in styles:
        if set(s.parts) <= used:
            continue  # already in the user's vocabulary: the history sources cover it
        match = sum(liked.get(t, 0.0) for t in s.tags)
        scored.append((match, -len(scored), s))
    scored.sort(reverse=True)
    p_new = state.p_new_term() if state.step else 0.5
    out = []
    for match, _, s in scored[:limit]:
        good = [t for t in s.tags if liked.get(t)]
        if good:
            why = f"{s.name} ({s.category}) suits your taste for {', '.join(good[:2])} looks"
        else:
            why = f"{s.name}: a {s.category.replace('_', ' ')} worth trying"
        parts = (*base, *s.parts) if base else s.parts
        mass = 0.02 * p_new * (1.0 + min(match, 3.0)) / (1.0 + len(styles) / 10.0)
        cand = prompt_candidate(state, parts, modality, "style", mass, why, kind="style")
        cand.text = ", ".join(x for x in (state.text_of(base), s.prompt) if x)
        if s.negative:
            cand.params = {"negative_prompt": s.negative}
        out.append(cand)
    return out


def starter_candidates(state: UserState, catalogue: Catalogue, modality: str,
                       typing: bool = False) -> list[Candidate]:
    """Popular first prompts, so the sidebar is useful on the first launch."""
    out = []
    for i, text in enumerate(catalogue.starters.get(modality, [])):
        parts = tuple(split_parts(text))
        if frozenset(parts) in state.prompts:
            continue
        # Full weight until the user has a history in this modality, fading
        # as it grows (their own prompts say more than anyone's).
        mass = 0.03 / (1.0 + i) * (1.0 if state.last_gen(modality) is None
                                   else 0.2 / (1.0 + state.step / 5.0))
        if typing:
            mass *= 0.01  # the user has an idea already: styles for it come first
        out.append(prompt_candidate(state, parts, modality, "starter", mass,
                                    f"A popular way to start with {modality}"))
        out[-1].text = text
    return out


# -- parameters and negative prompts ---------------------------------------------------


def params_candidates(state: UserState, catalogue: Catalogue, base: tuple[str, ...],
                      modality: str) -> list[Candidate]:
    """"You usually use 30 steps and dpmpp_2m for portraits": the user's habitual settings."""
    subject = catalogue.subject_class(", ".join(base)) if base else None
    for subj in ([subject] if subject else []) + ["*"]:
        habits: dict[str, Any] = {}
        support = 0
        for (mod, s, name), counts in state.param_counts.items():
            if mod != modality or s != subj:
                continue
            total = sum(counts.values())
            value, n = max(counts.items(), key=lambda kv: kv[1])
            if total >= 3 and n / total >= 0.5:
                habits[name] = _unrepr(value)
                support = max(support, n)
        if habits:
            shown = sorted(habits.items())[:3]
            desc = " and ".join(_describe(k, v) for k, v in shown)
            where = f" for {subj}" if subj != "*" else f" for {modality}"
            return [Candidate("params", desc, modality,
                              f"You usually use {desc}{where} ({_plural(support, 'time')})",
                              params=habits, sources={"params": 0.04},
                              stats={"count": float(support), "novel": 0.0})]
    return []


def _unrepr(value: str) -> Any:
    import ast

    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _describe(name: str, value: Any) -> str:
    if name == "steps":
        return f"{value} steps"
    if isinstance(value, str) and name in ("sampler", "scheduler", "sampler_name"):
        return value  # "dpmpp_2m" names itself; "flux-schnell" alone would not
    return f"{name} {value}"


def negative_candidates(state: UserState, catalogue: Catalogue,
                        modality: str) -> list[Candidate]:
    """Negative-prompt terms: the user's own habitual ones, and words behind deleted outputs."""
    if modality not in ("image", "video"):
        return []
    out = []
    habitual = _top({k: float(v) for k, v in state.negative_counts.items()}, 4)
    if habitual and habitual[0][1] >= 2:
        text = ", ".join(k for k, _ in habitual)
        out.append(Candidate(
            "negative", text, modality,
            f"Your usual negative prompt ({_plural(int(habitual[0][1]), 'time')})",
            params={"negative_prompt": text}, sources={"negative": 0.03},
            stats={"count": habitual[0][1], "novel": 0.0}))
    disliked = [(p, t) for p, t in state.terms.items()
                if t.neg >= 2 and t.neg > 2 * t.pos and t.heads * 2 <= t.uses]
    disliked.sort(key=lambda pt: pt[1].neg, reverse=True)
    if disliked:
        part, t = disliked[0]
        extra = [n for n in catalogue.negatives[:2] if n not in state.negative_counts]
        text = ", ".join([state.text_of((part,)), *extra])
        out.append(Candidate(
            "negative", text, modality,
            f"Outputs with {_quote(state.text_of((part,)))} were deleted or rated low "
            f"({_plural(round(t.neg), 'time')}); keep it out",
            params={"negative_prompt": text}, sources={"negative": 0.02},
            stats={"count": t.neg, "taste": -1.0}))
    return out


# -- cross-modal ideas and writing directions -------------------------------------------


def _key_phrase(text: str, limit: int = 6) -> str:
    """The content words of the last sentence worth illustrating, in order."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if words(s)]
    if not sentences:
        return ""
    best = max(sentences[-3:], key=lambda s: len([w for w in words(s) if w not in _STOP]))
    content = [w for w in words(best) if w not in _STOP and len(w) > 2]
    return " ".join(content[:limit])


def cross_modal_candidates(state: UserState, catalogue: Catalogue, modality: str,
                           document: str | None, selection: str | None) -> list[Candidate]:
    out: list[Candidate] = []
    liked_image = [p for p in state.top_terms.top(12) if state.taste(p) >= 0
                   and state.prompts and _modality_of_term(state, p) == "image"][:2]
    passage = selection or (document.strip().split("\n\n")[-1] if document else "")
    phrase = _key_phrase(passage) if passage else ""
    if phrase:
        style = liked_image or ["storybook illustration"]
        parts = (phrase, *style)
        why = ("An illustration for the passage you are writing, in your usual style"
               if liked_image else "An illustration for the passage you are writing")
        out.append(prompt_candidate(state, parts, "image", "cross_modal", 0.05, why,
                                    kind="cross_modal"))
    last_image = state.last_gen("image")
    if last_image is not None and last_image.parts and modality in ("music", "image"):
        tags: dict[str, float] = {}
        for part in last_image.parts:
            style = catalogue.style_of_part.get(part)
            for tag in style.tags if style else ():
                tags[tag] = tags.get(tag, 0.0) + 1.0
        for w in words(last_image.prompt):
            tags[w] = tags.get(w, 0.0) + 0.5
        music = sorted(catalogue.for_modality("music"),
                       key=lambda s: -sum(tags.get(t, 0.0) for t in s.tags))
        genre = next((s for s in music if s.category == "music_genre"), None)
        mood = next((s for s in music if s.category == "music_mood"), None)
        if genre and mood:
            shared = [t for t in genre.tags + mood.tags if tags.get(t)][:2]
            parts = tuple(split_parts(f"{genre.prompt}, {mood.prompt}"))
            why = f"Music for your image {_quote(state.text_of(last_image.parts[:2]))}"
            if shared:
                why += f": it reads {' and '.join(shared)}"
            out.append(prompt_candidate(state, parts, "music", "cross_modal", 0.03, why,
                                        kind="cross_modal"))
    fav = next((k for k in reversed(state.favourites)
                if state.prompts[k].modality == "image"), None)
    if fav is not None and modality in ("video", "image"):
        stat = state.prompts[fav]
        motion = "slow dolly-in"
        parts = (*stat.parts, motion)
        out.append(prompt_candidate(
            state, parts, "video", "cross_modal", 0.03,
            f"Bring your favourite image {_quote(state.text_of(stat.parts[:2]))} to life",
            kind="cross_modal"))
    return out


def _modality_of_term(state: UserState, part: str) -> str:
    last = state.terms[part].last
    return state.gens[last].modality if last < len(state.gens) else "image"


def direction_candidates(state: UserState, catalogue: Catalogue, document: str | None,
                         limit: int = 3) -> list[Candidate]:
    """Continue-writing directions, chosen by what the document lacks or leans on."""
    entries = [s for s in catalogue.styles if s.category == "writing_direction"]
    if not entries:
        return []
    doc = document or ""
    doc_words = words(doc)
    has_dialogue = any(q in doc for q in ('"', "“", "”", "«"))
    is_poem = bool(doc) and sum(len(line) < 60 for line in doc.splitlines() if line.strip()) \
        > 0.7 * max(1, len([line for line in doc.splitlines() if line.strip()]))
    vocab = set(doc_words)
    scored = []
    for i, s in enumerate(entries):
        score, why = 0.2, f"A direction to continue: {s.name.lower()}"
        if "dialogue" in s.tags and doc and not has_dialogue:
            score, why = 1.0, "No dialogue in your draft yet: let the characters speak"
        elif "poetry" in s.tags and is_poem:
            score, why = 0.9, "Your draft reads like a poem: give it a turn"
        elif "description" in s.tags and doc and len(vocab) < 0.3 * max(1, len(doc_words)):
            score, why = 0.7, "Your recent lines repeat their words: ground them in the place"
        elif "tense" in s.tags and doc and len(doc_words) > 400:
            score, why = 0.6, "A long stretch without a turn: raise the stakes"
        scored.append((score, -i, s, why))
    scored.sort(reverse=True)
    return [Candidate("direction", s.prompt, "text", why, sources={"direction": 0.03 * score},
                      stats={"novel": 1.0}) for score, _, s, why in scored[:limit]]


# -- model-written expansions (optional, asynchronous) ------------------------------------


class ExpansionSource:
    """Prompt expansion in the user's style through the writing plugin, off by default.

    ``submit`` takes a ``GenerationRequest`` (modality "text", task "expand") and
    returns something with ``done()`` and ``result()`` (a ``concurrent.futures.Future``
    or the engine's job wrapper), or None when it cannot run one now; the text of
    the result is the expanded prompt. A refresh never waits: it submits once per
    base prompt and shows the expansion on a later refresh when it has arrived.
    A failed expansion is remembered as "none", so a broken generator costs one
    job per prompt, not one per refresh.
    """

    def __init__(self, submit: Callable[[Any], Any], max_pending: int = 2,
                 max_cached: int = 256) -> None:
        self.submit = submit
        self.max_pending = max_pending
        self.max_cached = max_cached
        self._pending: dict[tuple[str, str], Any] = {}
        self._done: OrderedDict[tuple[str, str], str] = OrderedDict()  # "" = none
        self._tastes: dict[tuple[str, str], Taste] = {}  # what steered each expansion

    def clear(self) -> None:
        """Drop every cached and pending expansion (after the history forgot something)."""
        self._pending.clear()
        self._done.clear()
        self._tastes.clear()

    def _remember(self, key: tuple[str, str], text: str) -> None:
        self._done[key] = text
        self._done.move_to_end(key)
        while len(self._done) > self.max_cached:
            self._tastes.pop(self._done.popitem(last=False)[0], None)

    def _submit(self, base_text: str, modality: str, taste: Taste) -> Any:
        from studio.api import GenerationRequest

        params = {"target": modality}
        request = GenerationRequest(modality="text", task="expand", prompt=base_text,
                                    params={**params, **taste.expand_params()} if taste
                                    else params)
        try:
            return self.submit(request)
        except Exception:
            if not taste:
                raise
        # A text pack without prefer/avoid still expands, unsteered (issue #18).
        return self.submit(request.replace(params=params))

    def candidates(self, state: UserState, base_text: str, modality: str) -> list[Candidate]:
        key = (modality, base_text)
        for k, fut in list(self._pending.items()):
            if fut.done():
                del self._pending[k]
                try:
                    result = fut.result()
                except Exception:  # a failed expansion costs one suggestion, nothing else
                    result = ""
                text = getattr(result, "text", result)
                self._remember(k, text.strip() if isinstance(text, str) else "")
        if key not in self._done and key not in self._pending and base_text \
                and len(self._pending) < self.max_pending:
            # The user's liked terms steer it, their disliked ones are kept out.
            taste = taste_from_state(state, modality, exclude=split_parts(base_text))
            self._tastes[key] = taste
            try:
                fut = self._submit(base_text, modality, taste)
            except Exception:
                # Refused before it ran (no such target, no generator): not again.
                fut = None
                self._remember(key, "")
            if fut is not None:
                self._pending[key] = fut
        text = self._done.get(key)
        if not text:
            return []
        parts = tuple(split_parts(text))
        taste = self._tastes.get(key, Taste())
        reason = "Your prompt expanded in your style by the writing model"
        if taste:
            reason += f"; {taste.reason()}"
        cand = prompt_candidate(state, parts, modality, "expand", 0.04, reason)
        last = state.last_gen(modality)
        cand.params = taste.suggested_params(modality, last.negative if last else "")
        return [cand]
