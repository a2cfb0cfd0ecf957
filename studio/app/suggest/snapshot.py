"""The suggestion engine's derived state on disk, so a start only catches up with the log.

Rebuilding the engine replays the whole history (about 190 µs an event: 19 s at
100,000 events). A snapshot holds what that replay produces, keyed by the id of
the last event it covers, so opening loads it and observes only newer events.
It is a cache: anything wrong with it (damaged, another format version, another
catalogue, a log it does not match) means "rebuild from the history", never an error.

File format (``<data>/suggest_state.bin``): ``MAGIC``, one flag byte (0 clear,
1 sealed with the history's cipher), then UTF-8 JSON. Plain JSON on purpose: a
damaged or planted file can make the engine rebuild, never run code (no pickle).
Not compressed, so a search of the data folder's raw bytes for a prompt (the
privacy tests', or a user's ``grep``) sees what it holds. Floats are written with
``repr`` precision, so a loaded state is bit-for-bit the replayed one;
``-Infinity`` (an empty log-space score) is the one non-standard JSON token,
which Python's json reads back.

The document::

    {"version": 2, "last_id": 1234, "events": 1200, "first": [1, 1700000000.0],
     "catalogue": "<hash>", "suggester": {... Suggester.export_state() ...}}

``events`` (how many log events have ``id <= last_id``) and ``first`` (the oldest
event's id and time) let the opener notice a log that changed under the
snapshot: events forgotten by another process, or a log erased and refilled.
"""

from __future__ import annotations

import gc
import json
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from studio.app.settings import write_atomic
from studio.app.suggest.state import Gen, PromptStat, TermStat, TopTracker, UserState

#: Bump when the layout, or the way the engine reads events, changes: snapshots of
#: another version are ignored and the engine is rebuilt from the history.
SNAPSHOT_VERSION = 3
SNAPSHOT_FILE = "suggest_state.bin"
MAGIC = b"STUDIO-SUGGEST\n"
_AAD = b"suggest-state"  # binds a sealed blob to this use of the key
_CLEAR, _SEALED = 0, 1

_TERM_FIELDS = tuple(f.name for f in fields(TermStat))
_TERM_TYPES = tuple(int if f.type == "int" else float for f in fields(TermStat))


class SnapshotError(Exception):
    """The snapshot cannot be used; ``stale`` when it is intact but out of date."""

    def __init__(self, message: str, stale: bool = False) -> None:
        super().__init__(message)
        self.stale = stale


@dataclass
class Snapshot:
    last_id: int
    events: int
    first: tuple[int, float] | None
    catalogue: str
    suggester: dict[str, Any]


# -- the file ------------------------------------------------------------------------


def write(path: Path, snap: Snapshot, cipher: Any = None) -> None:
    """Write ``snap`` atomically (sealed when ``cipher`` is given, as the history is)."""
    doc = {"version": SNAPSHOT_VERSION, "last_id": snap.last_id, "events": snap.events,
           "first": list(snap.first) if snap.first else None, "catalogue": snap.catalogue,
           "suggester": snap.suggester}
    body = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    if cipher is not None:
        data = MAGIC + bytes([_SEALED]) + cipher.seal(body, _AAD)
    else:
        data = MAGIC + bytes([_CLEAR]) + body
    write_atomic(path, data)


def read(path: Path, cipher: Any = None) -> Snapshot | None:
    """The snapshot at ``path``; None when there is none. Raises ``SnapshotError``."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc}") from exc
    if not data.startswith(MAGIC) or len(data) <= len(MAGIC):
        raise SnapshotError("not a suggestion snapshot")
    flag, body = data[len(MAGIC)], data[len(MAGIC) + 1:]
    if flag == _SEALED:
        if cipher is None:
            raise SnapshotError("sealed, but the history is not encrypted", stale=True)
        try:
            body = cipher.open_blob(body, _AAD)
        except Exception as exc:  # wrong key or tampered: both mean "not this history's"
            raise SnapshotError("cannot be opened with the history's key") from exc
    elif flag == _CLEAR:
        if cipher is not None:
            # Written before `profile encrypt`: it must not stand in for sealed data.
            raise SnapshotError("in clear, but the history is encrypted", stale=True)
    else:
        raise SnapshotError(f"unknown flag {flag}")
    try:
        doc = json.loads(body)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise SnapshotError(f"damaged: {exc}") from exc
    if not isinstance(doc, dict):
        raise SnapshotError("damaged: not a JSON object")
    if doc.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(f"format version {doc.get('version')!r}, "
                            f"this build reads {SNAPSHOT_VERSION}", stale=True)
    try:
        first = doc["first"]
        return Snapshot(last_id=int(doc["last_id"]), events=int(doc["events"]),
                        first=(int(first[0]), float(first[1])) if first else None,
                        catalogue=str(doc["catalogue"]), suggester=dict(doc["suggester"]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotError(f"damaged: {exc!r}") from exc


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a snapshot's objects are built.

    Loading creates a few hundred thousand containers, none of them garbage; the
    collector would walk them again and again (about a third of the load time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- UserState <-> JSON ----------------------------------------------------------------
# Dicts are written in insertion order and read back in it: several sources break
# ties by that order, so a loaded state must iterate exactly like the replayed one.


def encode_user_state(s: UserState) -> dict[str, Any]:
    # Generations and prompt statistics are written as columns, and prompt texts,
    # their parts and parameter sets once each: at 100,000 events that is what
    # keeps reading the snapshot well under the time a replay takes.
    texts: dict[str, int] = {}
    parts_of: list[str] = []
    modalities: dict[str, int] = {}
    params: dict[str, int] = {}
    param_sets: list[dict[str, Any]] = []
    g_ts, g_text, g_mod, g_params, g_reaction, g_negative = [], [], [], [], [], []
    for g in s.gens:
        p = texts.get(g.prompt)
        if p is None:
            p = texts[g.prompt] = len(texts)
            # Parts never hold a comma (they are split on it), so one joined string
            # per prompt reads back faster than a JSON list.
            parts_of.append(",".join(g.parts))
        key = json.dumps(g.params, separators=(",", ":"))
        q = params.get(key)
        if q is None:
            q = params[key] = len(param_sets)
            param_sets.append(g.params)
        g_ts.append(g.ts)
        g_text.append(p)
        g_mod.append(modalities.setdefault(g.modality, len(modalities)))
        g_params.append(q)
        g_reaction.append(g.reaction)
        g_negative.append(g.negative)
    index = {key: i for i, key in enumerate(s.prompts)}
    stats = list(s.prompts.values())
    prompts = {"text": [texts[st.text] for st in stats],
               "modality": [st.modality for st in stats],
               "count": [st.count for st in stats], "first": [st.first for st in stats],
               "last": [st.last for st in stats], "log_use": [st.log_use for st in stats],
               "reaction": [st.reaction for st in stats]}

    def tracker(t: TopTracker, keys: dict[Any, int] | None = None) -> dict[str, Any]:
        enc = (lambda k: keys[k]) if keys is not None else (lambda k: k)
        return {"size": t.size, "scores": [[enc(k), v] for k, v in t.scores.items()],
                "min": None if t._min_key is None else enc(t._min_key)}

    return {
        "texts": list(texts), "parts": parts_of, "modalities": list(modalities),
        "params": param_sets,
        "gens": {"ts": g_ts, "text": g_text, "modality": g_mod, "params": g_params,
                 "reaction": g_reaction, "negative": g_negative},
        "by_ref": s.by_ref, "prompts": prompts,
        "recent": [index[k] for k in s.recent],
        "terms": [[name, *(getattr(t, f) for f in _TERM_FIELDS)] for name, t in s.terms.items()],
        "surface": s.surface,
        "swaps": [[a, b, n] for (a, b), n in s.swaps.items()],
        "swap_neighbours": s.swap_neighbours,
        "before_last": {m: list(p) for m, p in s.before_last.items()},
        "drops_log": {m: [[step, part] for step, part in log] for m, log in s.drops_log.items()},
        "op_counts": s.op_counts, "new_term_adds": s.new_term_adds,
        "known_term_adds": s.known_term_adds, "last_by_modality": s.last_by_modality,
        "near_back": s.near_back, "near_total": s.near_total,
        "param_counts": [[*key, counts] for key, counts in s.param_counts.items()],
        "negative_counts": s.negative_counts, "texts_count": s.texts,
        "top_terms": tracker(s.top_terms), "top_added": tracker(s.top_added),
        "top_prompts": tracker(s.top_prompts, index),
        "top_counts": tracker(s.top_counts, index),
        "favourites": [index[k] for k in s.favourites],
    }


def decode_user_state(d: dict[str, Any], subject_of: Any = None) -> UserState:
    """The ``UserState`` of ``encode_user_state``; raises on a malformed document.

    Values go through ``float``/``int``/``str`` so a damaged file fails here, at
    load time (and the engine rebuilds), rather than in a later ``suggest()``.
    """
    texts = [str(t) for t in d["texts"]]
    parts = [tuple(ps.split(",")) if ps else () for ps in d["parts"]]
    if len(parts) != len(texts):
        raise ValueError("texts and parts differ in length")
    modalities = [str(m) for m in d["modalities"]]
    # Generations share their parameter dicts: nothing writes to a Gen's params.
    param_sets = [dict(p) for p in d["params"]]
    g = d["gens"]
    cols = (g["ts"], g["text"], g["modality"], g["params"], g["reaction"], g["negative"])
    if len({len(c) for c in cols}) != 1:
        raise ValueError("generation columns differ in length")
    s = UserState(subject_of=subject_of)
    s.gens = [Gen(i, float(ts), texts[p], parts[p], modalities[m], param_sets[q],
                  float(reaction), str(neg))
              for i, (ts, p, m, q, reaction, neg) in enumerate(zip(*cols, strict=True))]
    s.by_ref = {str(k): int(v) for k, v in d["by_ref"].items()}
    pr = d["prompts"]
    cols = (pr["text"], pr["modality"], pr["count"], pr["first"], pr["last"], pr["log_use"],
            pr["reaction"])
    if len({len(c) for c in cols}) != 1:
        raise ValueError("prompt columns differ in length")
    keys: list[frozenset[str]] = []
    for p, modality, count, first, last, log_use, reaction in zip(*cols, strict=True):
        key = frozenset(parts[p])
        keys.append(key)
        s.prompts[key] = PromptStat(parts[p], texts[p], str(modality), int(count), int(first),
                                    int(last), float(log_use), float(reaction))
    s.recent = OrderedDict((keys[i], None) for i in d["recent"])
    if any(len(row) != len(_TERM_FIELDS) + 1 for row in d["terms"]):
        raise ValueError("a term row has the wrong length")
    s.terms = {str(row[0]): TermStat(*(conv(v) for conv, v in zip(_TERM_TYPES, row[1:],
                                                                    strict=True)))
               for row in d["terms"]}
    s.surface = {str(k): str(v) for k, v in d["surface"].items()}
    s.swaps = {(str(a), str(b)): int(n) for a, b, n in d["swaps"]}
    s.swap_neighbours = {str(k): {str(x): int(n) for x, n in v.items()}
                         for k, v in d["swap_neighbours"].items()}
    s.before_last = {str(m): tuple(str(p) for p in ps) for m, ps in d["before_last"].items()}
    s.drops_log = {str(m): [(int(step), str(part)) for step, part in log]
                   for m, log in d["drops_log"].items()}
    s.op_counts = {str(k): {str(op): float(n) for op, n in v.items()}
                   for k, v in d["op_counts"].items()}
    s.new_term_adds = float(d["new_term_adds"])
    s.known_term_adds = float(d["known_term_adds"])
    s.last_by_modality = {str(m): int(i) for m, i in d["last_by_modality"].items()}
    s.near_back, s.near_total = float(d["near_back"]), float(d["near_total"])
    if any(not 0 <= i < len(s.gens) for i in [*s.last_by_modality.values(),
                                              *s.by_ref.values()]):
        raise ValueError("a generation index is out of range")
    s.param_counts = {(str(mod), str(subj), str(name)): {str(v): int(n) for v, n in c.items()}
                      for mod, subj, name, c in d["param_counts"]}
    s.negative_counts = {str(k): int(v) for k, v in d["negative_counts"].items()}
    s.texts = int(d["texts_count"])

    def tracker(t: dict[str, Any], keyed: list[Any] | None = None) -> TopTracker:
        dec = (lambda k: keyed[k]) if keyed is not None else str
        out = TopTracker(int(t["size"]))
        out.scores = {dec(k): float(v) for k, v in t["scores"]}
        out._min_key = None if t["min"] is None else dec(t["min"])
        if out._min_key is not None and out._min_key not in out.scores:
            raise ValueError("a top tracker's minimum is not among its keys")
        return out

    s.top_terms = tracker(d["top_terms"])
    s.top_added = tracker(d["top_added"])
    s.top_prompts = tracker(d["top_prompts"], keys)
    s.top_counts = tracker(d["top_counts"], keys)
    s.favourites = OrderedDict((keys[i], None) for i in d["favourites"])
    return s
