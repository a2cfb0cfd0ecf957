"""The local user profile: what the studio has learned, derived from the event log.

``observe(event)`` updates it in O(prompt length), so the sidebar can react to each
action; ``rebuild()`` replays the whole log, which is what makes the profile a cache
rather than a second source of truth. Embeddings are a separate, lazy step
(``embed_pending``) because the model costs seconds to load: the profile is
complete without them, the taste clusters just wait.

How a prompt is read: ``split_parts`` (studio.app.prompts) gives its parts; the
first part is the *subject*, the others are *styles* (modifiers such as
"watercolor" or "soft light"); ``words`` gives the *terms*.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from studio.api import StudioError
from studio.app.history.affinity import AffinityTable, evidence_phrase
from studio.app.history.embeddings import (
    MODEL_NAME,
    Embedder,
    TasteClusters,
    default_embedder,
    from_bytes,
    to_bytes,
)
from studio.app.history.eventlog import EventLog
from studio.app.history.events import Event, clamp_ts
from studio.app.history.mood import combine, score_text
from studio.app.prompts import split_parts, words

log = logging.getLogger(__name__)

#: Bump when the state layout or the way events are read changes: snapshots of
#: another version are ignored and the profile is rebuilt from the log.
PROFILE_VERSION = 1
DAY = 86400.0

# How much each action says about the user's taste (added to the decayed scores).
WEIGHTS = {"generate": 1.0, "keep": 1.0, "favourite": 2.0, "unfavourite": -2.0,
           "delete": -1.0, "restore": 1.0, "suggestion_apply": 0.5,
           "suggestion_dismiss": -0.25, "style_apply": 1.0}
_STOP = frozenset("a an the of in on at and or with by for to from is are it its this that "
                  "as into over under very".split())
_ARTICLES = ("a ", "an ", "the ")
_MOOD_SAMPLES = 200
_PARAM_VALUE_MAX = 64  # longer values (embedded prompts, paths) are not preferences


def subject_of(parts: list[str]) -> str:
    if not parts:
        return ""
    first = parts[0]
    for art in _ARTICLES:
        if first.startswith(art) and len(first) > len(art):
            return first[len(art):]
    return first


def label_terms(prompt: str) -> list[str]:
    """What names a taste cluster: the prompt's subject and styles (whole parts)."""
    parts = split_parts(prompt)
    return [subject_of(parts), *parts[1:]] if parts else []


def terms_of(text: str) -> list[str]:
    return list(dict.fromkeys(w for w in words(text) if w not in _STOP and len(w) > 1))


@lru_cache(maxsize=8192)
def parse_prompt(prompt: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(subject, styles, terms)`` of a prompt; cached: a favourite re-reads its prompt."""
    parts = split_parts(prompt)
    return subject_of(parts), tuple(parts[1:]), tuple(terms_of(prompt))


def _value_key(value: str | int | float | bool) -> str:
    # JSON text of a parameter value (read back with json.loads), without json.dumps'
    # overhead for the common numbers.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


class Profile:
    """Derived features of one user's history. Thread-safe."""

    def __init__(self, log: EventLog | None = None, half_life_days: float = 14.0) -> None:
        self.log = log
        self.half_life_days = float(half_life_days)
        self._lock = threading.RLock()
        self._dispose: list[Any] = []
        self._reset()

    # -- lifecycle ---------------------------------------------------------------

    @classmethod
    def open(cls, log: EventLog, half_life_days: float = 14.0, follow: bool = True) -> Profile:
        """Load the saved snapshot, catch up with newer events, and (``follow``) keep
        observing what the log appends from now on."""
        prof = cls(log, half_life_days)
        try:
            saved = log.load_state(PROFILE_VERSION)
        except Exception:
            # A snapshot that cannot be read is only a cache: rebuild from the log.
            log_msg = "profile snapshot unreadable; rebuilding from the history"
            logging.getLogger(__name__).warning(log_msg, exc_info=True)
            saved = None
        if saved and saved[1].get("half_life_days") == prof.half_life_days:
            prof._load(saved[1])
            prof.last_id = saved[0]
        prof.catch_up()
        if follow:
            prof._dispose.append(log.subscribe(prof.observe))
            prof._dispose.append(log.subscribe_forget(prof.rebuild))
        return prof

    def close(self) -> None:
        for dispose in self._dispose:
            dispose()
        self._dispose.clear()

    def catch_up(self) -> int:
        """Observe the log's events newer than the last one seen; return how many."""
        if self.log is None:
            return 0
        n = 0
        for event in self.log.events(since_id=self.last_id):
            self.observe(event)
            n += 1
        return n

    def rebuild(self) -> None:
        """Forget the derived state and replay the whole log (embeddings stay cached)."""
        with self._lock:
            self._reset()
            self.catch_up()

    def save(self) -> None:
        """Store a snapshot in the log's database so the next start only catches up."""
        if self.log is None:
            return
        # Another process may have forgotten events since: follow it first (this
        # rebuilds the profile), so what is saved holds nothing that was erased.
        refresh = getattr(self.log, "refresh", None)
        try:
            if refresh is not None:
                refresh()
        except StudioError as exc:  # encrypted elsewhere, no passphrase here: keep out
            logging.getLogger(__name__).warning("profile snapshot not saved: %s", exc)
            return
        with self._lock:
            self.log.save_state(PROFILE_VERSION, self.last_id, self._state())

    def _reset(self) -> None:
        hl = self.half_life_days * DAY
        self.last_id = 0
        self.n_events = 0
        self.first_ts: float | None = None
        self.last_ts: float | None = None
        self.type_counts: Counter[str] = Counter()
        self.subjects = AffinityTable(hl)
        self.styles = AffinityTable(hl)
        self.terms = AffinityTable(hl)
        # "modality / model" -> param -> json(value) -> count
        self.params: dict[str, dict[str, dict[str, int]]] = {}
        self.runs: Counter[str] = Counter()  # "modality / model" -> generations
        self.tasks: Counter[str] = Counter()
        # generate event id -> [modality, model, prompt]; artifact id -> generate event id
        self.gens: dict[str, list[str]] = {}
        self.artifacts: dict[str, str] = {}
        # artifact id -> [favourite, kept, rating (0 = none), deleted]
        self.marks: dict[str, list[int]] = {}
        self.hours = [0] * 24
        self.weekdays = [0] * 7
        self.mood_samples: list[list[float]] = []
        # text -> [weight, cluster it?]: waiting for the embedding step
        self.pending: dict[str, list[float]] = {}
        self.clusters = TasteClusters()
        self.embedded = 0

    # -- observing ---------------------------------------------------------------

    def observe(self, event: Event | Mapping[str, Any]) -> None:
        """Update the profile with one event (embedding excluded: see ``embed_pending``)."""
        if not isinstance(event, Event):
            event = Event.from_dict(event)
        with self._lock:
            if event.id and event.id <= self.last_id:
                return  # already seen (snapshot + catch-up overlap, duplicate delivery)
            self.last_id = max(self.last_id, event.id)
            ts = event.ts
            self.n_events += 1
            self.type_counts[event.type] += 1
            self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
            self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
            local = time.localtime(clamp_ts(ts))
            self.hours[local.tm_hour] += 1
            self.weekdays[local.tm_wday] += 1
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is not None:
                handler(event, ts)

    def _credit(self, prompt: str, weight: float, ts: float, evidence: str | None,
                count: int = 1) -> None:
        subject, styles, terms = parse_prompt(prompt)
        if not subject and not styles:
            return
        self.subjects.add(subject, weight, ts, evidence, count)
        self.styles.add_all(styles, weight, ts, evidence, count)
        self.terms.add_all(terms, weight, ts, evidence, count)

    def _on_generate(self, ev: Event, ts: float) -> None:
        prompt = ev.get("prompt") or ""
        modality = ev.get("modality") or ""
        model = ev.get("model") or ev.get("generator") or "default"
        key = str(ev.id)
        self.gens[key] = [modality, model, prompt]
        for art in ev.get("artifacts") or ():
            self.artifacts[art] = key
        if isinstance(ev.get("ref"), str):
            self.artifacts[ev.get("ref")] = key
        self._credit(prompt, WEIGHTS["generate"], ts, "prompts")
        self.tasks[f"{modality}/{ev.get('task') or '?'}"] += 1
        slot = f"{modality} / {model}"
        self.runs[slot] += 1
        prefs = self.params.setdefault(slot, {})
        params = dict(ev.get("params") or {})
        if "width" in params and "height" in params:
            params["size"] = f"{params['width']}x{params['height']}"
        for name, value in params.items():
            if isinstance(value, (str, int, float, bool)) and len(str(value)) <= _PARAM_VALUE_MAX:
                counts = prefs.setdefault(name, {})
                vk = _value_key(value)
                counts[vk] = counts.get(vk, 0) + 1
        if prompt:
            self._queue_text(prompt, cluster=True)
            if modality == "text":
                self._mood(prompt, ts)

    def _target(self, ev: Event) -> tuple[str, list[str] | None]:
        target = ev.get("target") or ""
        gen = self.gens.get(self.artifacts.get(target, ""))
        return target, gen

    def _mark(self, target: str) -> list[int]:
        return self.marks.setdefault(target, [0, 0, 0, 0])

    def _on_keep(self, ev: Event, ts: float) -> None:
        target, gen = self._target(ev)
        mark = self._mark(target)
        if mark[1]:
            return  # keeping twice says nothing new
        mark[1] = 1
        if gen:
            self._credit(gen[2], WEIGHTS["keep"], ts, "keeps")

    def _toggle(self, ev: Event, ts: float, slot: int, on: bool, weight: str,
                evidence: str) -> None:
        """Favourite/unfavourite and delete/restore: a flag per output, counted once."""
        target, gen = self._target(ev)
        mark = self._mark(target)
        if bool(mark[slot]) == on:
            return  # a repeated click changes nothing
        mark[slot] = int(on)
        if gen:
            self._credit(gen[2], WEIGHTS[weight], ts, evidence, 1 if on else -1)

    def _on_favourite(self, ev: Event, ts: float) -> None:
        self._toggle(ev, ts, 0, True, "favourite", "favourites")

    def _on_unfavourite(self, ev: Event, ts: float) -> None:
        self._toggle(ev, ts, 0, False, "unfavourite", "favourites")

    def _on_delete(self, ev: Event, ts: float) -> None:
        self._toggle(ev, ts, 3, True, "delete", "deletes")

    def _on_restore(self, ev: Event, ts: float) -> None:
        self._toggle(ev, ts, 3, False, "restore", "deletes")

    def _on_rate(self, ev: Event, ts: float) -> None:
        target, gen = self._target(ev)
        mark = self._mark(target)
        old, new = mark[2], int(ev.get("value"))
        mark[2] = new
        if not gen:
            return
        # A re-rating replaces the old one: undo its weight and its evidence.
        delta = (new - 3) - ((old - 3) if old else 0)
        if old >= 4:
            self._credit(gen[2], 0.0, ts, "high_ratings", -1)
        elif old and old <= 2:
            self._credit(gen[2], 0.0, ts, "low_ratings", -1)
        evidence = "high_ratings" if new >= 4 else "low_ratings" if new <= 2 else None
        self._credit(gen[2], float(delta), ts, evidence)

    def _on_suggestion_apply(self, ev: Event, ts: float) -> None:
        text = ev.get("prompt") or ev.get("suggestion") or ""
        self._credit(text, WEIGHTS["suggestion_apply"], ts, None)

    def _on_suggestion_dismiss(self, ev: Event, ts: float) -> None:
        text = ev.get("prompt") or ev.get("suggestion") or ""
        self._credit(text, WEIGHTS["suggestion_dismiss"], ts, None)

    def _on_style_apply(self, ev: Event, ts: float) -> None:
        self.styles.add_all(split_parts(ev.get("style") or ""), WEIGHTS["style_apply"], ts)

    def _on_edit(self, ev: Event, ts: float) -> None:
        text = ev.get("text")
        if isinstance(text, str) and text.strip():
            self._mood(text, ts)
            self._queue_text(text, cluster=False)

    def _mood(self, text: str, ts: float) -> None:
        m = score_text(text)
        if m.hits:
            self.mood_samples.append([ts, m.valence, m.arousal, m.hits])
            if len(self.mood_samples) > _MOOD_SAMPLES:
                self.mood_samples.sort(key=lambda s: s[0])
                del self.mood_samples[: len(self.mood_samples) - _MOOD_SAMPLES]

    def _queue_text(self, text: str, cluster: bool) -> None:
        slot = self.pending.get(text)
        if slot is None:
            self.pending[text] = [1.0, 1.0 if cluster else 0.0]
        else:
            slot[0] += 1
            slot[1] = max(slot[1], 1.0 if cluster else 0.0)

    # -- embeddings (the lazy step) -------------------------------------------------

    def embed_pending(self, embedder: Embedder | None = None, batch_size: int = 256) -> int:
        """Embed the texts seen since the last call (cached vectors are reused) and
        feed prompts to the taste clusters; return how many texts were processed.
        Runs on the caller's thread: call it from a worker (``embed_in_background``)."""
        if self.log is None:
            return 0
        done = 0
        while True:
            with self._lock:
                batch = list(self.pending.items())[:batch_size]
            if not batch:
                return done
            texts = [t for t, _ in batch]
            hashes = [self.log.text_hash(t) for t in texts]
            cached = self.log.get_vectors(hashes)
            missing = [i for i, h in enumerate(hashes) if h not in cached]
            if missing:
                model = embedder or default_embedder()
                vecs = model.encode([texts[i] for i in missing])
                fresh = [(hashes[i], to_bytes(v)) for i, v in zip(missing, vecs, strict=True)]
                self.log.put_vectors(fresh, getattr(model, "name", MODEL_NAME))
                cached.update(fresh)
            with self._lock:
                for (text, (weight, cluster)), h in zip(batch, hashes, strict=True):
                    if self.pending.get(text) is None:
                        continue  # reset by a rebuild meanwhile
                    del self.pending[text]
                    self.embedded += 1
                    if cluster:
                        self.clusters.add(from_bytes(cached[h]), label_terms(text), text, weight)
            done += len(batch)

    def embed_in_background(self, embedder: Embedder | None = None) -> threading.Thread:
        """Run ``embed_pending`` on a daemon thread (never on the UI thread)."""
        def work() -> None:
            try:
                self.embed_pending(embedder)
            except Exception:
                log.warning("embedding the history failed", exc_info=True)

        thread = threading.Thread(target=work, name="studio-profile-embed", daemon=True)
        thread.start()
        return thread

    def vector(self, text: str) -> Any:
        """The cached embedding of ``text`` (a numpy array) or None."""
        if self.log is None:
            return None
        h = self.log.text_hash(text)
        blob = self.log.get_vectors([h]).get(h)
        return None if blob is None else from_bytes(blob)

    # -- reading -----------------------------------------------------------------

    def liked(self) -> list[dict[str, Any]]:
        """Outputs the user favourited, kept or rated >= 4 (and did not delete)."""
        return self._outputs(lambda m: not m[3] and (m[0] or m[1] or m[2] >= 4))

    def disliked(self) -> list[dict[str, Any]]:
        """Outputs the user deleted or rated <= 2."""
        return self._outputs(lambda m: bool(m[3]) or 0 < m[2] <= 2)

    def _outputs(self, test: Any) -> list[dict[str, Any]]:
        with self._lock:
            out = []
            for art, mark in self.marks.items():
                if test(mark):
                    gen = self.gens.get(self.artifacts.get(art, ""))
                    out.append({"artifact": art, "generate_event": self.artifacts.get(art),
                                "prompt": gen[2] if gen else None,
                                "modality": gen[0] if gen else None,
                                "favourite": bool(mark[0]), "kept": bool(mark[1]),
                                "rating": mark[2] or None, "deleted": bool(mark[3])})
            return out

    def parameter_preferences(self) -> dict[str, dict[str, Any]]:
        """Per "modality / model": runs, and each parameter's values by use, most first."""
        with self._lock:
            out: dict[str, dict[str, Any]] = {}
            for slot, prefs in self.params.items():
                out[slot] = {"runs": self.runs[slot], "params": {
                    name: [{"value": json.loads(v), "count": c}
                           for v, c in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))]
                    for name, counts in sorted(prefs.items())}}
            return out

    def mood(self, now: float | None = None) -> dict[str, Any]:
        now = (self.last_ts or time.time()) if now is None else now
        with self._lock:
            m = combine([tuple(s) for s in self.mood_samples], now,  # type: ignore[misc]
                        self.half_life_days * DAY)
        return {"valence": m.valence, "arousal": m.arousal, "label": m.label(),
                "words_matched": m.hits, "texts": len(self.mood_samples),
                "method": "lexicon heuristic (studio.app.history.mood)"}

    def to_dict(self, now: float | None = None, top: int = 10) -> dict[str, Any]:
        """The profile as data: what ``studio profile show --json`` and the export print.
        Scores are decayed to ``now`` (default: the time of the last event)."""
        with self._lock:
            now = (self.last_ts or time.time()) if now is None else now
            peak = sorted(range(24), key=lambda h: (-self.hours[h], h))[:3]
            return {
                "events": self.n_events,
                "first_event": self.first_ts,
                "last_event": self.last_ts,
                "half_life_days": self.half_life_days,
                "by_type": dict(self.type_counts),
                "subjects": [self.subjects.describe(k, now)
                             for k, _ in self.subjects.top(top, now)],
                "styles": [self.styles.describe(k, now) for k, _ in self.styles.top(top, now)],
                "terms": [self.terms.describe(k, now) for k, _ in self.terms.top(2 * top, now)],
                "disliked_terms": [self.terms.describe(k, now)
                                   for k, _ in self.terms.top(top, now, negative=True)],
                "parameters": self.parameter_preferences(),
                "tasks": dict(self.tasks),
                "liked": self.liked(),
                "disliked": self.disliked(),
                "mood": self.mood(now),
                "active_hours": list(self.hours),
                "peak_hours": [h for h in peak if self.hours[h]],
                "active_weekdays": list(self.weekdays),
                "clusters": self.clusters.summary(),
                "embeddings": {"model": MODEL_NAME, "embedded": self.embedded,
                               "pending": len(self.pending)},
            }

    def describe(self, now: float | None = None) -> list[str]:
        """What the studio believes about the user, in plain words, with the evidence."""
        d = self.to_dict(now, top=5)
        if not d["events"]:
            return ["Studio has not learned anything yet: the history is empty."]
        day = time.strftime
        lines = [f"Learned from {d['events']} actions, "
                 f"{day('%Y-%m-%d', time.localtime(clamp_ts(d['first_event'])))} to "
                 f"{day('%Y-%m-%d', time.localtime(clamp_ts(d['last_event'])))} "
                 f"(recent actions count more; half-life {d['half_life_days']:g} days)."]
        for title, key in (("You often make", "subjects"), ("Styles you return to", "styles")):
            if d[key]:
                lines.append(f"{title}:")
                lines.extend(f"  {e['term']}: {evidence_phrase(e)}" for e in d[key])
        if d["disliked_terms"]:
            lines.append("You seem to avoid: " + ", ".join(
                f"{e['term']} ({evidence_phrase(e)})" for e in d["disliked_terms"]))
        if d["parameters"]:
            lines.append("Your usual settings:")
            for slot, pref in sorted(d["parameters"].items(), key=lambda kv: -kv[1]["runs"]):
                params = pref["params"]
                if "size" in params:  # width and height say the same, twice
                    params = {k: v for k, v in params.items() if k not in ("width", "height")}
                favs = [f"{name} {vals[0]['value']} ({vals[0]['count']} of {pref['runs']})"
                        for name, vals in params.items() if vals][:6]
                lines.append(f"  {slot}: {pref['runs']} runs" +
                             (f"; {', '.join(favs)}" if favs else ""))
        lines.append(f"Outputs you liked: {len(d['liked'])}; disliked: {len(d['disliked'])}.")
        if d["clusters"]:
            lines.append("Taste clusters: " + "; ".join(
                f"{c['label']} ({c['size']:g})" for c in d["clusters"][:5]))
        elif d["embeddings"]["pending"]:
            lines.append(f"Taste clusters: not computed yet ({d['embeddings']['pending']} "
                         "texts waiting for embedding).")
        mood = d["mood"]
        if mood["words_matched"]:
            lines.append(f"Mood of your recent writing: {mood['label']} (valence "
                         f"{mood['valence']:+.2f}, arousal {mood['arousal']:+.2f}; a word-list "
                         f"heuristic over {mood['texts']} texts).")
        if d["peak_hours"]:
            lines.append("You work most around " + ", ".join(
                f"{h:02d}:00" for h in d["peak_hours"]) + " (local time).")
        return lines

    # -- snapshot ------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        return {
            "half_life_days": self.half_life_days, "n_events": self.n_events,
            "first_ts": self.first_ts, "last_ts": self.last_ts,
            "type_counts": dict(self.type_counts), "subjects": self.subjects.data,
            "styles": self.styles.data, "terms": self.terms.data, "params": self.params,
            "runs": dict(self.runs), "tasks": dict(self.tasks), "gens": self.gens,
            "artifacts": self.artifacts, "marks": self.marks, "hours": self.hours,
            "weekdays": self.weekdays, "mood_samples": self.mood_samples,
            "pending": self.pending, "clusters": self.clusters.state(),
            "embedded": self.embedded,
        }

    def _load(self, s: dict[str, Any]) -> None:
        hl = self.half_life_days * DAY
        self.n_events, self.first_ts, self.last_ts = s["n_events"], s["first_ts"], s["last_ts"]
        self.type_counts = Counter(s["type_counts"])
        self.subjects = AffinityTable(hl, s["subjects"])
        self.styles = AffinityTable(hl, s["styles"])
        self.terms = AffinityTable(hl, s["terms"])
        self.params, self.runs, self.tasks = s["params"], Counter(s["runs"]), Counter(s["tasks"])
        self.gens, self.artifacts, self.marks = s["gens"], s["artifacts"], s["marks"]
        self.hours, self.weekdays = s["hours"], s["weekdays"]
        self.mood_samples, self.pending = s["mood_samples"], s["pending"]
        self.clusters = TasteClusters(state=s["clusters"])
        self.embedded = s["embedded"]
