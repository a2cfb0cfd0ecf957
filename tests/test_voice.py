"""Writing in the user's voice (issue #18): whose text counts, how much is enough, and
which passages a continue or rewrite carries."""

from __future__ import annotations

import json
import re
import types
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


# -- profile-aware expansion ---------------------------------------------------------------

from studio.api import Generator, GeneratorInfo, hookimpl  # noqa: E402
from studio.app import expansion  # noqa: E402
from studio.app.plugins import PluginHost  # noqa: E402

SEEN: list[dict] = []


class SteeredExpander(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        SEEN.append(dict(request.params))
        progress(1, 1)
        return [Output("text", f"{request.prompt}, wide view, {request.params['prefer']}")]


@hookimpl
def _register_steered(register):
    register(GeneratorInfo(
        id="tiny.steered", name="Steered", modality="text", tasks=("continue", "expand"),
        factory=f"{__name__}:SteeredExpander",
        params=(Param("target", "choice", "image", choices=("image", "music", "video"),
                      tasks=("expand",)),
                Param("prefer", "str", "", tasks=("expand",)),
                Param("avoid", "str", "", tasks=("expand",)))))


def taste_history(studio: Studio) -> None:
    """A user who keeps watercolour, dusk and soft light and deletes neon, at 30 steps."""
    n = 0
    for prompt, reaction in (("a harbour, watercolour, dusk", "favourite"),
                             ("a harbour, watercolour, soft light", "keep"),
                             ("a street, neon, rain", "delete"),
                             ("a fox, watercolour, dusk, soft light", "favourite"),
                             ("a car, neon", "delete"), ("a tree, pencil", None)):
        art = f"x{n}"
        n += 1
        studio.record("generate", modality="image", prompt=prompt, artifacts=[art],
                      params={"steps": 30, "guidance_scale": (7.0, 5.0, 6.0)[n % 3],
                              "seed": n, "negative_prompt": "blurry"})
        if reaction:
            studio.record(reaction, target=art)


def test_taste_from_the_profile_names_liked_disliked_and_usual(studio):
    taste_history(studio)
    taste = expansion.taste_from_profile(studio.profile, "image", exclude=["a harbour"])
    assert taste.liked == ("watercolour", "dusk", "soft light")
    assert taste.disliked == ("neon", "rain")  # neon deleted twice, rain once
    assert taste.params == {"steps": 30}  # guidance varies: no habit; seeds never are
    assert taste.expand_params() == {"prefer": "watercolour, dusk, soft light",
                                     "avoid": "neon, rain"}
    assert taste.reason() == ("uses 3 terms you like: watercolour, dusk, soft light; "
                              "avoids: neon, rain; your usual steps 30")
    assert taste.suggested_params("image", "blurry, Neon") == {
        "steps": 30, "negative_prompt": "blurry, Neon, rain"}
    assert taste.suggested_params("image", "blurry")["negative_prompt"] == "blurry, neon, rain"
    assert "negative_prompt" not in taste.suggested_params("music")
    assert expansion.taste_from_profile(studio.profile, "music") == expansion.Taste()


def test_the_sidebar_expansion_is_steered_and_says_so(tmp_path):
    SEEN.clear()
    studio = Studio(root=tmp_path / "data", backend="thread")
    host = PluginHost()
    mod = types.ModuleType("steered_pack")
    mod.STUDIO_API_VERSION = 1
    mod.studio_register_generators = _register_steered
    assert host.register_module(mod, "steered").status == "ok"
    studio.__dict__["plugins"] = host
    studio.settings.suggest_expansions = True
    studio.settings.device = "cpu"
    try:
        taste_history(studio)
        engine = studio.engine  # the window starts it at launch
        sug = studio.suggestions
        found = []
        for _ in range(200):
            found = [s for s in sug.suggest(k=20, kinds=["prompt"], modality="image",
                                            prompt="a lighthouse") if s.source == "expand"]
            if found:
                break
            engine.wait(engine.jobs()[0].id, timeout=10)
        (s,) = found
        assert SEEN[-1]["prefer"] == "watercolour, dusk, soft light"
        assert SEEN[-1]["avoid"] == "neon, rain"
        assert s.text == "a lighthouse, wide view, watercolour, dusk, soft light"
        assert s.reason.endswith("; uses 3 terms you like: watercolour, dusk, soft light; "
                                 "avoids: neon, rain; your usual steps 30")
        assert s.params == {"steps": 30, "negative_prompt": "blurry, neon, rain"}
    finally:
        studio.close()


def test_an_expand_request_carries_the_profile_unless_it_names_its_own(studio):
    taste_history(studio)
    request = GenerationRequest(modality="text", task="expand", prompt="a harbour at night",
                                generator="text.transformers")
    params = voice.personalize_request(studio, request).request.params
    assert (params["prefer"], params["avoid"]) == ("watercolour, dusk, soft light",
                                                   "neon, rain")
    own = voice.personalize_request(studio, request.replace(params={"prefer": ""}))
    assert own.request.params["prefer"] == "" and own.request.params["avoid"] == ""


# -- the writing desk's switch ---------------------------------------------------------------


def test_the_desk_shows_the_switch_and_why_the_voice_is_off(open_window, qtbot, tmp_path,
                                                            monkeypatch):
    pytest.importorskip("pytestqt")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    before = Studio(root=tmp_path / "data", backend="thread")
    keep_text(before, words(120, "kettle"))
    before.close()
    win = open_window()
    desk = win.writing
    index = desk.generator.findData("text.transformers")
    if index < 0:
        pytest.skip("the writing pack is not installed")
    desk.generator.setCurrentIndex(index)
    desk.params_button.setChecked(True)
    switch = desk.params._fields["my_voice"].editor
    assert switch.isChecked() and "exemplars" not in desk.params._fields
    qtbot.waitUntil(lambda: desk.voice_label.text() ==
                    "Your voice: needs 300 words of your own text, you have 120")
    seen = []
    win.writing.requested.disconnect(win.submit)
    win.writing.requested.connect(lambda req, _cb: seen.append(req))
    desk.editor.setPlainText("The kettle")
    cursor = desk.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    desk.editor.setTextCursor(cursor)
    desk.continue_button.click()  # not enough text: sent at once, as it was
    assert len(seen) == 1 and seen[0].params["my_voice"] is True
    assert "exemplars" not in seen[0].params
    # Enough text now: the passages go with Continue, found on the desk's worker.
    for topic in ("harbour", "station"):
        keep_text(win.studio, words(110, topic))
    # The window embeds in a child process: torch stays out of the UI's.
    from studio.app.embed_process import ProcessEmbedder

    assert isinstance(desk.voice.embedder, ProcessEmbedder)
    desk.voice.embedder = WordEmbedder()
    desk.refresh_voice()
    qtbot.waitUntil(lambda: desk.voice_label.text().startswith("Your voice: on, from 3"))
    desk.continue_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen[1].params["exemplar_ids"].split(",")[0].startswith(
        keep_ids(win.studio)["kettle"])
    # The switch off: nothing of the user's text goes.
    switch.click()
    assert not switch.isChecked()
    desk.continue_button.click()
    assert len(seen) == 3 and seen[2].params["my_voice"] is False
    assert "exemplars" not in seen[2].params
    desk.grab().save(str(tmp_path / "desk.png"))


def test_the_setting_is_the_desks_default_for_the_switch(open_window, tmp_path, monkeypatch):
    pytest.importorskip("pytestqt")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    before = Studio(root=tmp_path / "data", backend="thread")
    before.settings.writing_voice = False
    before.save_settings()
    before.close()
    desk = open_window().writing
    index = desk.generator.findData("text.transformers")
    if index < 0:
        pytest.skip("the writing pack is not installed")
    desk.generator.setCurrentIndex(index)
    assert desk.params.values().get("my_voice") is False
    assert desk.build_request("continue", "x", {}).params["my_voice"] is False


def test_the_history_records_which_passages_a_job_used_not_their_text(studio):
    """Regression: a voiced request's generate event copied the user's passages into the
    history, where forgetting the text they came from (forget --term) missed them."""
    secret = "The quartermaster's lantern swung over the pier."
    studio.record("generate", modality="text", task="continue", prompt="draft",
                  params={"exemplars": secret, "exemplar_ids": "a1#0", "my_voice": True})
    (event,) = list(studio.history.events(types=["generate"]))
    assert event.get("params") == {"exemplar_ids": "a1#0", "my_voice": True}
    assert "quartermaster" not in json.dumps(event.to_dict())
