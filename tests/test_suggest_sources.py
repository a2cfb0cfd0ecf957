"""Candidate sources: each one proposes what it claims, with a reason."""

import concurrent.futures as cf
import json

import pytest

from studio.api import MODALITIES
from studio.app.prompts import jaccard, split_parts
from studio.app.suggest import Suggester
from studio.app.suggest.catalogue import load_catalogue
from studio.app.suggest.sources import history_candidates


def gen(i, prompt, modality="image", **extra):
    return {"type": "generate", "id": f"g{i}", "ts": float(i), "prompt": prompt,
            "modality": modality, **extra}


def feed(s, events):
    for e in events:
        s.observe(e)
    return s


def by_source(cands, source):
    return [c for c in cands if c.source == source]


def test_catalogue_is_large_and_well_formed():
    cat = load_catalogue()
    assert len(cat.styles) >= 150
    cats = {s.category for s in cat.styles}
    assert {"style", "lighting", "palette", "camera", "mood", "music_genre",
            "music_mood"} <= cats
    for s in cat.styles:
        assert s.name and s.prompt and s.tags and set(s.modalities) <= set(MODALITIES)
    for modality in MODALITIES:
        assert cat.starters.get(modality), modality


@pytest.mark.parametrize("modality", MODALITIES)
def test_cold_start_gives_k_suggestions_with_reasons(modality):
    out = Suggester().suggest(modality=modality, k=5)
    assert len(out) == 5
    assert all(s.reason.strip() for s in out)
    assert all(s.text.strip() for s in out)
    assert len({s.id for s in out}) == 5


def test_add_candidates_prefer_the_modifier_the_user_keeps_adding():
    s = Suggester()
    events, i = [], 0
    for subject in ("a fox", "an owl", "a lighthouse", "a cat"):
        events += [gen(i, f"{subject}, snow"), gen(i + 1, f"{subject}, snow, golden hour")]
        i += 2
    events.append(gen(i, "a wolf, snow"))
    feed(s, events)
    cands = history_candidates(s.state, s.catalogue, s.edits, ("a wolf", "snow"), "image",
                               "none")
    adds = sorted(by_source(cands, "add"), key=lambda c: c.mass, reverse=True)
    assert adds[0].parts == ("a wolf", "snow", "golden hour")
    assert "golden hour" in adds[0].reason and "4 times" in adds[0].reason


def test_drop_candidates_target_the_modifier_behind_deleted_outputs():
    s = Suggester()
    events = []
    for i in range(6):
        events.append(gen(i, f"subject {i}, lens flare, watercolor"))
        events.append({"type": "delete", "target": f"g{i}", "ts": i + 0.5})
        events.append(gen(100 + i, f"subject {i}, watercolor, moody"))
        events.append({"type": "favourite", "target": f"g{100 + i}", "ts": i + 0.7})
    feed(s, events)
    base = ("a boat", "lens flare", "watercolor", "moody")
    cands = history_candidates(s.state, s.catalogue, s.edits, base, "image", "none")
    drops = sorted(by_source(cands, "drop"), key=lambda c: c.mass, reverse=True)
    assert "lens flare" not in drops[0].parts
    assert "lens flare" in drops[0].reason
    # And the same signal feeds the negative-prompt source.
    neg = [x for x in s.suggest(modality="image", k=10) if x.kind == "negative"]
    assert neg and "lens flare" in neg[0].text and neg[0].params["negative_prompt"]


def test_returns_offer_a_favourite_prompt_and_live_artifact_targets_count():
    s = Suggester()
    feed(s, [
        {**gen(0, "a koi pond, ink wash"), "artifacts": ["art-0", "art-1"]},
        {"type": "favourite", "target": "art-1", "ts": 0.5},  # live form: an artifact id
        gen(1, "a city, neon"), gen(2, "a city, neon, rain"), gen(3, "a desert, dunes"),
    ])
    cands = history_candidates(s.state, s.catalogue, s.edits, ("a desert", "dunes"), "image",
                               "none")
    returns = sorted(by_source(cands, "return"), key=lambda c: c.mass, reverse=True)
    fav = next(c for c in returns if c.parts == ("a koi pond", "ink wash"))
    assert "liked" in fav.reason
    assert s.state.prompts[frozenset(fav.parts)].reaction > 0


def test_params_source_reports_habitual_settings_per_subject():
    s = Suggester()
    feed(s, [gen(i, f"portrait of a woman {i}, soft light",
                 params={"steps": 30, "sampler": "dpmpp_2m", "seed": i}) for i in range(5)]
         + [gen(10 + i, f"a mountain lake {i}", params={"steps": 20}) for i in range(4)])
    out = s.suggest(modality="image", prompt="portrait of a man, rim light", k=10,
                    kinds=["params"])
    assert len(out) == 1
    assert out[0].params == {"steps": 30, "sampler": "dpmpp_2m"}
    assert "30 steps" in out[0].reason and "portraits" in out[0].reason
    assert "5 times" in out[0].reason


def test_cross_modal_ideas():
    s = Suggester()
    feed(s, [gen(0, "a misty forest, watercolor, serene"),
             {"type": "favourite", "target": "g0", "ts": 0.5}])
    doc = "The old lighthouse keeper climbed the stairs.\n\nWaves broke against black rocks."
    out = s.suggest(modality="text", document=doc, k=10, kinds=["cross_modal"])
    by_mod = {x.modality: x for x in out}
    assert "image" in by_mod and {"waves", "rocks"} <= set(by_mod["image"].text.split(", ")[0]
                                                           .split())
    assert "watercolor" in by_mod["image"].text  # in the user's style
    out = s.suggest(modality="music", k=10, kinds=["cross_modal"])
    music = [x for x in out if x.modality == "music"]
    assert music and "music" in music[0].reason.lower()
    out = s.suggest(modality="video", k=10, kinds=["cross_modal"])
    video = [x for x in out if x.modality == "video"]
    assert video and "a misty forest" in video[0].text and "favourite" in video[0].reason


def test_writing_directions_follow_the_document():
    s = Suggester()
    prose = "She walked to the harbour and looked at the boats for a long time. " * 5
    out = s.suggest(modality="text", document=prose, k=3, kinds=["direction"])
    assert out and out[0].kind == "direction" and "dialogue" in out[0].text
    assert "dialogue" in out[0].reason.lower()


def test_catalogue_styles_extend_the_prompt_for_the_modality():
    s = Suggester()
    out = s.suggest(modality="music", prompt="a rainy night", k=5, kinds=["style"])
    cat = load_catalogue()
    music_prompts = {st.prompt for st in cat.for_modality("music")}
    assert len(out) == 5
    for x in out:
        assert x.text.startswith("a rainy night, ") and x.modality == "music"
        assert x.text[len("a rainy night, "):] in music_prompts
        assert x.reason


def test_expansion_source_submits_a_text_request_and_never_waits():
    submitted, futures = [], []

    def submit(request):
        submitted.append(request)
        fut = cf.Future()
        futures.append(fut)
        return fut

    s = Suggester(expander=submit)
    feed(s, [gen(0, "a fox, snow"), gen(1, "a fox, snow, dusk")])
    first = s.suggest(k=5)
    assert all(x.source != "expand" for x in first)
    assert len(submitted) == 1
    req = submitted[0]
    assert (req.modality, req.task, req.params["target"]) == ("text", "expand", "image")
    assert req.prompt == "a fox, snow, dusk"
    futures[0].set_result("a red fox in fresh snow, dusk, long shadows, watercolor")
    again = s.suggest(k=20, kinds=["prompt"])
    assert any(x.source == "expand" and "long shadows" in x.text for x in again)
    assert len(submitted) == 1  # one request per prompt


def test_suggestions_keep_the_users_spelling_of_parts():
    s = Suggester()
    feed(s, [gen(0, "A Fox, (Snow:1.2), Golden Hour"), gen(1, "A Fox, (Snow:1.2)")])
    texts = [x.text for x in s.suggest(k=5, kinds=["prompt"])]
    assert "A Fox, (Snow:1.2), Golden Hour" in texts
    assert "A Fox, (Snow:1.2)" not in texts  # the prompt just run: Generate does that
    assert all("(Snow:1.2)" in t for t in texts if "snow" in t.lower())


def test_to_dict_is_json_ready():
    out = Suggester().suggest(modality="image", k=2)
    d = json.loads(json.dumps(out[0].to_dict()))
    assert set(d) == {"id", "kind", "text", "params", "modality", "reason", "score", "source",
                      "evidence"}
    assert jaccard(split_parts(d["text"]), split_parts(out[0].text)) == 1.0


def test_the_list_never_spends_a_slot_on_running_the_last_prompt_again():
    s = Suggester()
    # The user mostly re-runs, and likes it: the Generate button does that, so
    # every slot of the list goes to a change (issue #16).
    events = []
    for i in range(40):
        events.append(gen(i, f"a fox {i // 10}, watercolor"))
        events.append({"type": "favourite", "target": f"g{i}", "ts": i + 0.5})
    feed(s, events)
    last = frozenset(split_parts(events[-2]["prompt"]))
    out = s.suggest(k=3, kinds=("prompt", "style"))
    assert len(out) == 3
    assert last not in {frozenset(split_parts(x.text)) for x in out}


def test_returns_rank_earlier_prompts_by_how_many_others_came_since():
    s = Suggester()
    # "b" was last run long ago in generations but only two distinct prompts ago:
    # re-rolls of "c" do not push it back.
    feed(s, [gen(0, "a koi pond, ink wash, gold"), gen(1, "a city, neon, rain, night"),
             *[gen(2 + i, "a desert, dunes, noon, haze") for i in range(30)],
             gen(40, "a ship, storm, oil painting, dark")])
    cands = history_candidates(s.state, s.catalogue, s.edits,
                               ("a ship", "storm", "oil painting", "dark"), "image", "none")
    returns = sorted(by_source(cands, "return"), key=lambda c: c.mass, reverse=True)
    assert returns[0].parts == ("a desert", "dunes", "noon", "haze")
    assert returns[1].parts == ("a city", "neon", "rain", "night")


def test_a_user_who_replaces_the_subject_gets_the_look_without_it():
    # Same look, new subject each time: the subject is swapped out, never dropped.
    look = "watercolor, golden hour, soft light, pastel colors, bokeh"
    subjects = ["a fox", "an owl", "a lighthouse", "a koi pond", "a cabin", "a whale",
                "a tram", "a heron", "a windmill", "a violin", "a kite", "a barn"]
    s = feed(Suggester(), [gen(i, f"{subj}, {look}") for i, subj in enumerate(subjects)])
    assert s.edits.swap_out.theta[2] > s.edits.drop.theta[2]  # learned: the subject goes
    nxt = split_parts(f"a lantern, {look}")
    out = s.suggest(modality="image", k=5)
    assert any(jaccard(split_parts(x.text), nxt) >= 0.8 for x in out)
    without = [x for x in out if set(split_parts(x.text)) == set(split_parts(look))]
    assert without and "replace 'a barn'" in without[0].reason


def test_emphasis_makes_a_different_prompt_and_known_prompts_keep_their_words():
    s = feed(Suggester(), [gen(0, "A Fox,  (snow:1.2), watercolor"),
                           gen(1, "a fox, (snow:1.4), watercolor, ink")])
    assert frozenset(("a fox", "(snow:1.2)", "watercolor")) in s.state.prompts
    out = s.suggest(modality="image", k=5)
    texts = [x.text for x in out]
    assert "a fox, (snow:1.4), watercolor, ink" not in texts  # the last prompt: Generate
    back = [x for x in out if set(split_parts(x.text, keep_weights=True))
            == {"a fox", "(snow:1.2)", "watercolor"}]
    assert back and back[0].text == "A Fox,  (snow:1.2), watercolor"
    # never one part at two emphases in one suggestion
    for x in out:
        assert not {"(snow:1.2)", "(snow:1.4)"} <= set(split_parts(x.text, keep_weights=True))


def test_coming_back_to_changed_versions_counts_as_coming_back():
    # The user alternates between two ideas and touches a part on every visit:
    # never an exact return, always near the version two back.
    s = Suggester()
    for i in range(40):
        idea = ("a fox, watercolor, snow, dusk, soft light, bokeh, pastel, calm" if i % 2 else
                "a ship, ink drawing, storm, night, rim light, fog, grain, epic")
        s.observe(gen(i, f"{idea}, take {i}"))
    assert s.state.p_near_back() > 0.8
    cands = history_candidates(s.state, load_catalogue(), s.edits, s.state.last_gen().parts,
                               "image", "none")
    back = max((c for c in cands if c.source == "return"), key=lambda c: c.mass)
    assert "a ship" in back.text and back.mass > 0.5
    out = s.suggest(modality="image", k=5)
    assert any(jaccard(split_parts(x.text), split_parts(
        "a ship, ink drawing, storm, night, rim light, fog, grain, epic, take 40")) >= 0.8
        for x in out)


def test_the_sidebars_mixed_list_holds_several_kinds_of_idea():
    s = feed(Suggester(), [gen(i, p, params={"steps": 30, "sampler": "dpmpp_2m"})
                           for i, p in enumerate([
                               "a red fox, watercolor, snow, golden hour, soft light",
                               "a red fox, watercolor, forest, golden hour, soft light",
                               "a red fox, ink, forest, golden hour, soft light"])])
    mixed = s.suggest(modality="image", k=7)
    per_source: dict[str, int] = {}
    for x in mixed:
        per_source[x.source] = per_source.get(x.source, 0) + 1
    assert len(mixed) == 7 and max(per_source.values()) <= 2
    assert {"params", "cross_modal"} & {x.kind for x in mixed}
    # asked for prompts only (the replay, `studio suggest --kinds`): pure coverage
    prompts = s.suggest(modality="image", k=7, kinds=("prompt", "style"))
    assert all(x.kind in ("prompt", "style") for x in prompts)


def test_asking_for_one_kind_gets_only_that_kind():
    s = feed(Suggester(), [gen(i, p) for i, p in enumerate(
        ["a fox, watercolor", "a fox, watercolor, snow", "a fox, ink, snow, dusk"])])
    for kind in ("style", "prompt", "params", "negative", "cross_modal"):
        out = s.suggest(modality="image", k=6, kinds=(kind,))
        assert all(x.kind == kind for x in out), kind
