"""Writing in the user's voice: their own closest passages as style exemplars (issue #18).

The user's own text is what the history says they kept: text outputs they kept,
favourited or rated 4-5 (and did not delete), and the words their recorded edits
inserted. Items made while recording was paused or in an incognito session have
no generate event in the history, so they never count, whatever the library holds.

The texts are cut into passages (paragraphs, joined up to ``PASSAGE_MIN_WORDS``,
cut at ``PASSAGE_MAX_WORDS``: what MiniLM reads at once). When they hold at least
``MIN_PASSAGES`` passages and ``MIN_WORDS`` words, ``continue`` and ``rewrite``
carry the ``MAX_EXEMPLARS`` passages closest (MiniLM cosine) to the text being
written, unless ``my_voice`` is off in the request or ``writing_voice`` in the
settings. Below that, the voice is silently off and ``VoiceStatus.reason`` says why.

No torch at import: the embedding model loads on the first retrieval, so call
``personalize`` from a worker thread, never from the UI thread.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.api import GenerationRequest, ParamSchema, StudioError

if TYPE_CHECKING:
    from studio.app.history.embeddings import Embedder
    from studio.app.history.profile import Profile
    from studio.app.library import Library

log = logging.getLogger(__name__)

#: The tasks written in the user's voice.
VOICE_TASKS = ("continue", "rewrite")
#: Enough of the user's own text to imitate: fewer passages or words say too little
#: about a voice, and the closest of three passages is barely a choice.
MIN_PASSAGES = 3
MIN_WORDS = 300
#: Passages put into one prompt (SmolLM2-sized models lose the thread past a few).
MAX_EXEMPLARS = 3
PASSAGE_MIN_WORDS = 25
PASSAGE_MAX_WORDS = 120
#: How much of the document before the cursor the similarity reads.
QUERY_CHARS = 1200
#: Must match the writing pack's separator (a line holding only dashes).
SEPARATOR = "\n\n---\n\n"
_DASH_LINE = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Passage:
    """A piece of the user's own text; ``id`` is ``<artifact id>#<n>`` or
    ``edit:<event id>#<n>``, what a job records instead of the text."""

    id: str
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class VoiceStatus:
    """How much of the user's own text there is, and whether it is enough."""

    passages: int
    words: int
    enabled: bool = True

    @property
    def enough(self) -> bool:
        return self.passages >= MIN_PASSAGES and self.words >= MIN_WORDS

    @property
    def ready(self) -> bool:
        """Enough text, and the setting on (a request's own ``my_voice`` wins over it)."""
        return self.enabled and self.enough

    def reason(self) -> str:
        """One line for the writing desk's status."""
        if not self.enabled:
            return "Your voice: off in the settings (writing_voice)"
        if self.words < MIN_WORDS:
            return (f"Your voice: needs {MIN_WORDS} words of your own text, "
                    f"you have {self.words}")
        if self.passages < MIN_PASSAGES:
            return (f"Your voice: needs {MIN_PASSAGES} passages of your own text, "
                    f"you have {self.passages}")
        return (f"Your voice: on, from {self.passages} passages ({self.words} words) "
                "of your own text")


@dataclass(frozen=True)
class Personalized:
    """A request after ``personalize``: what it became and which passages it carries."""

    request: GenerationRequest
    passages: tuple[Passage, ...] = ()
    status: VoiceStatus | None = None


def split_passages(text: str) -> list[str]:
    """Paragraphs of ``text``, short ones joined, long ones cut at sentence ends."""
    text = _DASH_LINE.sub("", text)  # the pack's separator must not appear inside
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    out: list[str] = []
    buf: list[str] = []
    for para in paragraphs:
        if not para:
            continue
        buf.append(para)
        if sum(len(p.split()) for p in buf) >= PASSAGE_MIN_WORDS:
            out.extend(_cut(" ".join(buf)))
            buf = []
    if buf:
        rest = " ".join(buf)
        if out and len(rest.split()) < PASSAGE_MIN_WORDS:
            out[-1] = f"{out[-1]} {rest}"
            if len(out[-1].split()) > PASSAGE_MAX_WORDS:
                out[-1:] = _cut(out[-1])
        else:
            out.extend(_cut(rest))
    return out


def _cut(text: str) -> list[str]:
    words = text.split()
    if len(words) <= PASSAGE_MAX_WORDS:
        return [text]
    sentences = re.split(r"(?<=[.!?…])\s+", text)
    out: list[str] = []
    cur: list[str] = []
    for sentence in sentences:
        n = len(sentence.split())
        if cur and len(" ".join(cur).split()) + n > PASSAGE_MAX_WORDS:
            out.append(" ".join(cur))
            cur = []
        if n > PASSAGE_MAX_WORDS:  # one endless sentence: cut by words
            chunk = sentence.split()
            out.extend(" ".join(chunk[i:i + PASSAGE_MAX_WORDS])
                       for i in range(0, len(chunk), PASSAGE_MAX_WORDS))
            continue
        cur.append(sentence)
    if cur:
        out.append(" ".join(cur))
    return out


def own_texts(profile: Profile, library: Library) -> list[tuple[str, str]]:
    """``(source id, text)`` of the user's own texts, as the history records them."""
    out: list[tuple[str, str]] = []
    for item in profile.liked():
        if item.get("modality") != "text":
            continue
        try:
            art = library.get(item["artifact"])
        except StudioError:
            continue  # emptied from the trash, or not in this library
        if art.trashed is None and art.kind == "text" and (art.text or "").strip():
            out.append((art.id, art.text or ""))
    if profile.log is not None:
        for event in profile.log.events(types=["edit"]):
            text = event.get("text")
            if isinstance(text, str) and event.get("modality") in (None, "", "text") \
                    and len(text.split()) >= PASSAGE_MIN_WORDS:
                out.append((f"edit:{event.id}", text))
    return out


def passages_of(texts: Sequence[tuple[str, str]]) -> list[Passage]:
    """Every passage of ``texts``, each text's passages numbered from 0; repeats once."""
    seen: set[str] = set()
    out: list[Passage] = []
    for source, text in texts:
        for i, part in enumerate(split_passages(text)):
            if part not in seen:
                seen.add(part)
                out.append(Passage(f"{source}#{i}", part))
    return out


class Voice:
    """The user's passages and the retrieval of the closest ones. Thread-safe.

    ``texts`` returns the user's own ``(source id, text)`` pairs (``own_texts`` by
    default); ``enabled`` reads the ``writing_voice`` setting; ``cache`` says whether
    passage vectors may go to the history's embedding cache (not while recording is
    paused or in an incognito session).
    """

    def __init__(self, texts: Callable[[], Sequence[tuple[str, str]]],
                 embedder: Embedder | None = None, enabled: Callable[[], bool] = lambda: True,
                 vectors: Any = None, cache: Callable[[], bool] = lambda: False) -> None:
        self.texts = texts
        self.embedder = embedder
        self.enabled = enabled
        self.vectors = vectors  # an EventLog (text_hash, get_vectors, put_vectors) or None
        self.cache = cache
        self._lock = threading.Lock()
        self._memory: dict[str, np.ndarray] = {}

    def passages(self) -> list[Passage]:
        return passages_of(self.texts())

    def status(self, passages: Sequence[Passage] | None = None) -> VoiceStatus:
        passages = self.passages() if passages is None else passages
        return VoiceStatus(len(passages), sum(p.words for p in passages), bool(self.enabled()))

    def exemplars(self, query: str, k: int = MAX_EXEMPLARS,
                  passages: Sequence[Passage] | None = None) -> list[Passage]:
        """The ``k`` passages closest to ``query``, closest first (any status)."""
        passages = self.passages() if passages is None else list(passages)
        query = query.strip()[-QUERY_CHARS:]
        if not passages or not query or k <= 0:
            return []
        vecs = self._embed([p.text for p in passages])
        q = self._model().encode([query])[0]
        sims = vecs @ np.asarray(q, dtype=np.float32)
        order = sorted(range(len(passages)), key=lambda i: (-float(sims[i]), i))
        # The query itself, already kept, is no example of how to go on from it.
        picked = [passages[i] for i in order if passages[i].text.strip() not in query]
        return picked[:k]

    def personalize(self, request: GenerationRequest,
                    schema: ParamSchema | None = None) -> Personalized:
        """``request`` with the user's closest passages when their voice applies.

        Untouched unless the task is continue or rewrite and the generator declares
        ``exemplars`` (``schema``); ``my_voice`` is set from the ``writing_voice``
        setting when the request does not say, and exemplars the caller already
        gave are kept as they are.
        """
        if request.task not in VOICE_TASKS or (schema is not None and (
                "exemplars" not in schema or "my_voice" not in schema)):
            return Personalized(request)
        params = dict(request.params)
        status = self.status(passages := self.passages())
        params.setdefault("my_voice", status.enabled)
        if not params["my_voice"] or str(params.get("exemplars") or "").strip():
            return Personalized(request.replace(params=params), status=status)
        if not status.enough:
            return Personalized(request.replace(params=params), status=status)
        picked = self.exemplars(request.prompt, passages=passages)
        if picked:
            params["exemplars"] = SEPARATOR.join(p.text for p in picked)
            params["exemplar_ids"] = ",".join(p.id for p in picked)
        return Personalized(request.replace(params=params), tuple(picked), status)

    # -- embeddings ------------------------------------------------------------------

    def _model(self) -> Embedder:
        if self.embedder is None:
            from studio.app.history.embeddings import default_embedder

            self.embedder = default_embedder()
        return self.embedder

    def _embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._memory]
            if missing and self.vectors is not None:
                from studio.app.history.embeddings import from_bytes

                hashes = {t: self.vectors.text_hash(t) for t in missing}
                stored = self.vectors.get_vectors(hashes.values())
                for t, h in hashes.items():
                    if h in stored:
                        self._memory[t] = from_bytes(stored[h])
                missing = [t for t in missing if t not in self._memory]
            if missing:
                model = self._model()
                fresh = model.encode(missing)
                for t, v in zip(missing, fresh, strict=True):
                    self._memory[t] = np.asarray(v, dtype=np.float32)
                if self.vectors is not None and self.cache():
                    self._store(missing, fresh, getattr(model, "name", ""))
            return np.stack([self._memory[t] for t in texts])

    def _store(self, texts: list[str], vecs: np.ndarray, name: str) -> None:
        from studio.app.history.embeddings import MODEL_NAME, to_bytes

        try:
            self.vectors.put_vectors(
                [(self.vectors.text_hash(t), to_bytes(v)) for t, v in zip(texts, vecs,
                                                                          strict=True)],
                name or MODEL_NAME)
        except StudioError as exc:  # a cache: losing it costs a re-embedding later
            log.warning("passage embeddings not cached: %s", exc)


_voices: weakref.WeakKeyDictionary[Any, Voice] = weakref.WeakKeyDictionary()
_voices_lock = threading.Lock()


def for_studio(studio: Any, embedder: Embedder | None = None) -> Voice:
    """The studio's ``Voice`` (one per ``Studio``): its history, library and settings.

    ``embedder`` is taken by the first call only: the window passes a
    ``studio.app.embed_process.ProcessEmbedder`` so that torch stays out of its process.
    """
    with _voices_lock:
        voice = _voices.get(studio)
        if voice is None:
            voice = Voice(lambda: own_texts(studio.profile, studio.library), embedder=embedder,
                          enabled=lambda: bool(getattr(studio.settings, "writing_voice", True)),
                          vectors=_LazyLog(studio), cache=lambda: bool(studio.recording))
            _voices[studio] = voice
        return voice


def personalize_request(studio: Any, request: GenerationRequest) -> Personalized:
    """``request`` prepared by ``studio``'s engine (its errors propagate), then
    personalized by ``Voice.personalize``. ``my_voice`` comes from the settings when
    the request does not say. A history or library that cannot be read leaves the
    request without exemplars (logged): it never fails the job.
    """
    prepared = studio.engine.prepare(request)
    if prepared.task == "expand":
        return Personalized(_expand_with_taste(studio, request, prepared))
    if prepared.task not in VOICE_TASKS:
        return Personalized(prepared)
    v = for_studio(studio)
    schema = studio.engine.pick_generator(prepared).params
    if "my_voice" in schema and "my_voice" not in request.params:
        # The schema's default filled it in; the setting is the user's default.
        prepared = prepared.replace(params={**prepared.params, "my_voice": bool(v.enabled())})
    try:
        return v.personalize(prepared, schema)
    except StudioError as exc:
        log.warning("writing without your voice: %s", exc)
        return Personalized(prepared)


def _expand_with_taste(studio: Any, request: GenerationRequest,
                       prepared: GenerationRequest) -> GenerationRequest:
    """An ``expand`` request steered by the profile's liked and disliked terms, unless
    the request names its own (an empty ``prefer`` turns it off)."""
    from studio.app.expansion import taste_from_profile
    from studio.app.prompts import split_parts

    schema = studio.engine.pick_generator(prepared).params
    if "prefer" not in schema or "avoid" not in schema or \
            {"prefer", "avoid"} & set(request.params):
        return prepared
    try:
        taste = taste_from_profile(studio.profile, str(prepared.params.get("target", "image")),
                                   exclude=split_parts(prepared.prompt))
    except StudioError as exc:
        log.warning("expanding without your profile: %s", exc)
        return prepared
    return prepared.replace(params={**prepared.params, **taste.expand_params()})


class _LazyLog:
    """The studio's history, opened when first needed (not at ``for_studio``)."""

    def __init__(self, studio: Any) -> None:
        self._studio = weakref.ref(studio)

    def __getattr__(self, name: str) -> Any:
        studio = self._studio()
        if studio is None:
            raise StudioError("the studio is closed")
        return getattr(studio.history, name)

