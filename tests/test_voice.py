"""Writing in the user's voice (issue #18): whose text counts, how much is enough, and
which passages a continue or rewrite carries."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from studio.api import GenerationRequest, Output, Param, ParamSchema
from studio.app import voice
from studio.app.studio import Studio

SCHEMA = ParamSchema((Param("my_voice", "bool", True), Param("exemplars", "str", ""),
                      Param("exemplar_ids", "str", "")))

SEA = ("The tide came in grey and slow over the harbour wall. Gulls argued on the mooring "
       "posts while the fishing boats knocked together, and the salt wind smelled of tar, "
       "rope and cold water.")
KITCHEN = ("Bread rose under a cloth by the oven. Flour dusted the table, the kettle ticked "
           "as it cooled, and the whole kitchen smelled of yeast, butter and toasted crust.")
TRAIN = ("The night train rattled through empty stations. Commuters dozed against the "
         "windows, the conductor punched tickets, and the rails hummed beneath the carriage "
         "all the way to the city.")


class WordEmbedder:
    """A deterministic bag-of-words embedder: no model, same words, same direction."""

    name = "test-words"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in re.findall(r"[a-z]+", text.lower()):
                out[i, zlib.crc32(w.encode()) % 64] += 1.0
            n = np.linalg.norm(out[i])
            out[i] /= n if n else 1.0
        return out


@pytest.fixture
def studio(tmp_path):
    s = Studio(root=tmp_path / "data", backend="thread")
    yield s
    s.close()


def keep_text(studio: Studio, text: str, mark: str = "keep") -> str:
    """A text output made and kept the way the studio records it."""
    req = GenerationRequest(modality="text", task="continue", prompt="draft",
                            generator="text.transformers", seed=1)
    (art,) = studio.library.add([Output("text", text)], req)
    studio.record("generate", modality="text", task="continue", prompt="draft",
                  generator="text.transformers", artifacts=[art.id])
    if mark == "keep":
        studio.library.keep(art.id)
    elif mark == "favourite":
        studio.library.set_favourite(art.id)
    elif mark == "rate":
        studio.library.rate(art.id, 5)
    return art.id


def words(n: int, topic: str = "lantern") -> str:
    return " ".join([topic] * n)


def test_split_passages_joins_short_paragraphs_and_cuts_long_ones():
    text = "One two.\n\nThree four five.\n\n" + "Word " * 30 + "\n\n---\n\n" + \
        ". ".join(["a b c d e f g h i j"] * 30) + "."
    parts = voice.split_passages(text)
    assert parts[0].startswith("One two. Three four five. Word")
    assert all(len(p.split()) <= voice.PASSAGE_MAX_WORDS for p in parts)
    assert not any("---" in p for p in parts)
    assert sum(len(p.split()) for p in parts) == len(text.replace("---", "").split())


def test_retrieval_picks_the_users_own_closest_passage(studio):
    """With the real MiniLM: each query finds the passage on its topic."""
    for text in (SEA, KITCHEN, TRAIN):
        keep_text(studio, text)
    v = voice.for_studio(studio)
    assert v.exemplars("Waves broke against the pier and the boats rocked.", k=1)[0].text == SEA
    assert v.exemplars("She kneaded the dough and waited for it to bake.", k=1)[0].text \
        == KITCHEN
    assert v.exemplars("The locomotive pulled out of the platform at midnight.", k=1)[0].text \
        == TRAIN


def test_below_the_threshold_no_exemplars_and_the_reason(studio):
    keep_text(studio, words(120))
    v = voice.Voice(lambda: voice.own_texts(studio.profile, studio.library), WordEmbedder())
    out = v.personalize(GenerationRequest(modality="text", task="continue", prompt="lantern"),
                        SCHEMA)
    assert "exemplars" not in out.request.params and out.passages == ()
    assert out.status.reason() == "Your voice: needs 300 words of your own text, you have 120"
    keep_text(studio, words(179, "harbour"))
    status = v.status()
    assert (status.words, status.passages, status.ready) == (299, 3, False)
    keep_text(studio, words(1, "kettle") + " " + words(30, "salt"))
    assert v.status().ready and v.status().words == 330
    # Enough words in too few passages is not a voice either.
    assert voice.VoiceStatus(2, 400).reason() == \
        "Your voice: needs 3 passages of your own text, you have 2"


def test_enough_text_puts_the_closest_passages_and_their_ids_in_the_request(studio):
    ids = [keep_text(studio, f"{words(100, topic)}", mark)
           for topic, mark in (("harbour", "keep"), ("kettle", "favourite"),
                               ("station", "rate"), ("orchard", "keep"))]
    v = voice.Voice(lambda: voice.own_texts(studio.profile, studio.library), WordEmbedder())
    assert v.status().ready and v.status().reason().startswith("Your voice: on, from 4 passages")
    out = v.personalize(GenerationRequest(modality="text", task="rewrite",
                                          prompt="the kettle by the station"), SCHEMA)
    params = out.request.params
    assert params["my_voice"] is True
    picked = params["exemplar_ids"].split(",")
    assert len(picked) == voice.MAX_EXEMPLARS
    assert {p.split("#")[0] for p in picked[:2]} == {ids[1], ids[2]}
    assert params["exemplars"].split(voice.SEPARATOR)[0] in (words(100, "kettle"),
                                                            words(100, "station"))


def test_my_voice_off_the_setting_other_tasks_and_other_packs_leave_the_request(studio):
    for topic in ("harbour", "kettle", "station"):
        keep_text(studio, words(110, topic))
    v = voice.Voice(lambda: voice.own_texts(studio.profile, studio.library), WordEmbedder())
    off = GenerationRequest(modality="text", task="continue", prompt="kettle",
                            params={"my_voice": False})
    assert "exemplars" not in v.personalize(off, SCHEMA).request.params
    chat = GenerationRequest(modality="text", task="chat", prompt="kettle")
    assert v.personalize(chat, SCHEMA).request == chat
    plain = GenerationRequest(modality="text", task="continue", prompt="kettle")
    assert v.personalize(plain, ParamSchema((Param("top_p", "float", 1.0),))).request == plain
    v.enabled = lambda: False
    out = v.personalize(plain, SCHEMA)
    assert out.request.params == {"my_voice": False}
    assert out.status.reason() == "Your voice: off in the settings (writing_voice)"


def test_incognito_paused_deleted_and_unkept_texts_are_not_the_users_voice(studio):
    mine = keep_text(studio, words(40, "mine"))
    keep_text(studio, words(40, "unkept"), mark="none")
    gone = keep_text(studio, words(40, "trashed"))
    studio.library.trash(gone)
    studio.incognito = True
    secret = keep_text(studio, words(40, "secret"))
    studio.library.set_favourite(secret)
    studio.incognito = False
    studio.set_recording(False)
    paused = keep_text(studio, words(40, "paused"))
    studio.set_recording(True)
    studio.library.keep(paused)  # kept later: its making was never recorded
    sources = [s for s, _ in voice.own_texts(studio.profile, studio.library)]
    assert sources == [mine]


def test_recorded_edits_count_as_the_users_own_text(studio):
    studio.record("edit", modality="text", text=words(30, "ink"), chars_before=0,
                  chars_after=150)
    studio.record("edit", modality="text", text="too short", chars_before=0, chars_after=9)
    studio.record("edit", modality="image", text=words(30, "mask"), chars_before=0,
                  chars_after=150)
    texts = voice.own_texts(studio.profile, studio.library)
    assert [t for _, t in texts] == [words(30, "ink")]
    assert texts[0][0].startswith("edit:")


def test_passage_vectors_are_cached_only_while_recording(studio):
    for topic in ("harbour", "kettle", "station"):
        keep_text(studio, words(110, topic))
    emb = WordEmbedder()
    v = voice.for_studio(studio)
    v.embedder = emb
    studio.set_recording(False)
    v.exemplars("kettle")
    hashes = [studio.history.text_hash(words(110, t)) for t in ("harbour", "kettle")]
    assert studio.history.get_vectors(hashes) == {}
    studio.set_recording(True)
    fresh = voice.for_studio(studio)  # the same one: its memory holds the vectors
    assert fresh is v
    v._memory.clear()
    v.exemplars("kettle")
    assert set(studio.history.get_vectors(hashes)) == set(hashes)


def test_a_request_to_the_writing_pack_is_prepared_then_voiced(studio):
    """The CLI's path: the task the engine picks, the setting as the default switch."""
    for topic in ("harbour", "kettle", "station"):
        keep_text(studio, words(110, topic))
    voice.for_studio(studio).embedder = WordEmbedder()
    request = GenerationRequest(modality="text", prompt="the kettle",
                                generator="text.transformers")
    out = voice.personalize_request(studio, request)
    assert out.request.task == "continue" and out.request.seed is not None
    assert out.request.params["exemplar_ids"].split(",")[0].split("#")[0] == \
        keep_ids(studio)["kettle"]
    studio.settings.writing_voice = False
    off = voice.personalize_request(studio, request).request.params
    assert off["my_voice"] is False and not off["exemplars"]
    explicit = request.replace(params={"my_voice": True})
    assert voice.personalize_request(studio, explicit).request.params["exemplars"]
    chat = voice.personalize_request(studio, request.replace(task="chat"))
    assert "my_voice" not in chat.request.params and chat.passages == ()


def keep_ids(studio: Studio) -> dict[str, str]:
    return {a.text.split()[0]: a.id for a in studio.library.list(kind="text")}
