"""The profile derived from the log: affinities, evidence, parameters, likes, mood, hours."""

import time

import numpy as np
import pytest

from studio.app.history import EventLog, Profile
from studio.app.history.affinity import AffinityTable
from studio.app.history.mood import score_text

DAY = 86400.0
T0 = 1_750_000_000.0


@pytest.fixture
def log(tmp_path):
    lg = EventLog(tmp_path / "history.sqlite")
    yield lg
    lg.close()


def gen(art, prompt, ts, modality="image", model="sd", **params):
    return {"type": "generate", "ts": ts, "modality": modality, "model": model,
            "prompt": prompt, "params": params or {"steps": 20}, "artifacts": [art]}


def act(etype, art, ts, **kw):
    return {"type": etype, "target": art, "ts": ts, **kw}


def test_decay_halves_a_score_every_half_life():
    table = AffinityTable(half_life_s=DAY)
    table.add("fox", 1.0, T0)
    assert table.score("fox", T0 + DAY) == pytest.approx(0.5)
    table.add("fox", 1.0, T0 - DAY)  # an older event counts with its decayed weight
    assert table.score("fox", T0) == pytest.approx(1.5)


def test_recent_terms_outrank_old_ones_of_equal_count(log):
    log.append_many([gen(f"o{i}", "a castle, gothic", T0 + i) for i in range(5)]
                    + [gen(f"n{i}", "a meadow, impressionist", T0 + 60 * DAY + i)
                       for i in range(5)])
    prof = Profile.open(log, half_life_days=14, follow=False)
    top = [t for t, _ in prof.styles.top(2, now=T0 + 60 * DAY)]
    assert top == ["impressionist", "gothic"]
    assert prof.styles.evidence("gothic")["prompts"] == 5


def test_evidence_and_likes_map_artifacts_to_their_generation(log):
    log.append_many([
        gen("a1", "a fox, watercolor", T0), gen("a2", "a fox, watercolor, snow", T0 + 1),
        gen("a3", "a robot, chrome", T0 + 2), gen("a4", "a robot, neon", T0 + 3),
        act("favourite", "a1", T0 + 10), act("keep", "a2", T0 + 11),
        act("rate", "a3", T0 + 12, value=1), act("delete", "a4", T0 + 13),
        act("rate", "a2", T0 + 14, value=5),
    ])
    prof = Profile.open(log, follow=False)
    ev = prof.styles.evidence("watercolor")
    assert (ev["prompts"], ev["favourites"], ev["keeps"], ev["high_ratings"]) == (2, 1, 1, 1)
    assert sorted(x["artifact"] for x in prof.liked()) == ["a1", "a2"]
    assert sorted(x["artifact"] for x in prof.disliked()) == ["a3", "a4"]
    assert {x["prompt"] for x in prof.disliked()} == {"a robot, chrome", "a robot, neon"}
    now = T0 + 20
    assert prof.subjects.score("fox", now) > 0 > prof.subjects.score("robot", now)
    disliked = [d["term"] for d in prof.to_dict(now)["disliked_terms"]]
    assert "robot" in disliked


def test_rerating_replaces_the_previous_rating(log):
    log.append_many([gen("a1", "a pear", T0), act("rate", "a1", T0, value=5),
                     act("rate", "a1", T0, value=1)])
    prof = Profile.open(log, follow=False)
    ev = prof.subjects.evidence("pear")
    assert (ev["high_ratings"], ev["low_ratings"]) == (0, 1)
    assert prof.subjects.score("pear", T0) == pytest.approx(1 - 2)  # prompt +1, rating 1: -2
    assert [x["artifact"] for x in prof.disliked()] == ["a1"] and not prof.liked()


def test_unfavourite_and_restore_undo_their_counterparts(log):
    log.append_many([gen("a1", "a pear", T0), act("favourite", "a1", T0),
                     act("unfavourite", "a1", T0), act("delete", "a1", T0),
                     act("restore", "a1", T0)])
    prof = Profile.open(log, follow=False)
    assert prof.subjects.evidence("pear")["favourites"] == 0
    assert prof.subjects.evidence("pear")["deletes"] == 0
    assert prof.subjects.score("pear", T0) == pytest.approx(1.0)
    assert not prof.liked() and not prof.disliked()


def test_parameter_preferences_per_modality_and_model(log):
    log.append_many(
        [gen(f"a{i}", "x", T0, steps=30, scheduler="euler", width=768, height=512)
         for i in range(3)]
        + [gen("b1", "x", T0, steps=20, scheduler="dpm", width=768, height=512)]
        + [gen("t1", "a poem", T0, modality="text", model="llm", max_new_tokens=200)])
    prefs = Profile.open(log, follow=False).parameter_preferences()
    img = prefs["image / sd"]
    assert img["runs"] == 4
    assert img["params"]["steps"] == [{"value": 30, "count": 3}, {"value": 20, "count": 1}]
    assert img["params"]["size"][0] == {"value": "768x512", "count": 4}
    assert prefs["text / llm"]["params"]["max_new_tokens"] == [{"value": 200, "count": 1}]


def test_mood_is_a_lexicon_heuristic_over_writing(log):
    assert score_text("a calm, peaceful garden").valence > 0.5
    assert score_text("I am not happy").valence < 0
    assert score_text("storm, rage and fear").arousal > 0.5
    assert score_text("the table has four legs").hits == 0
    log.append_many([
        {"type": "edit", "ts": T0, "target": "t1", "chars_before": 0, "chars_after": 40,
         "changed_ratio": 1.0, "text": "grief and lonely winter, tears in the fog"},
        gen("t2", "a sad, tired and empty song", T0 + 1, modality="text"),
    ])
    mood = Profile.open(log, follow=False).mood()
    assert mood["valence"] < -0.3 and mood["texts"] == 2 and "lexicon" in mood["method"]
    assert mood["label"].endswith("negative")


def test_active_hours_count_local_hours(log):
    stamps = [T0, T0 + 60, T0 + 3600]
    log.append_many([act("keep", "x", ts) for ts in stamps])
    hours = Profile.open(log, follow=False).to_dict()["active_hours"]
    expected = [0] * 24
    for ts in stamps:
        expected[time.localtime(ts).tm_hour] += 1
    assert hours == expected


def sample_history(n=300):
    rng = np.random.default_rng(0)
    subjects, styles = ["fox", "owl", "ship", "castle"], ["watercolor", "ink", "neon", "oil"]
    events = []
    for i in range(n):
        ts = T0 + i * 3000
        events.append(gen(f"a{i}", f"a {subjects[rng.integers(4)]}, {styles[rng.integers(4)]}",
                          ts, steps=int(rng.integers(2)) * 10 + 20))
        kind = ["keep", "favourite", "delete", "rate", "restore"][rng.integers(5)]
        extra = {"value": int(rng.integers(1, 6))} if kind == "rate" else {}
        events.append(act(kind, f"a{rng.integers(i + 1)}", ts + 5, **extra))
    return events


def test_incremental_updates_equal_a_rebuild(log):
    events = sample_history()
    live = Profile.open(log, follow=True)
    for i in range(0, len(events), 50):
        log.append_many(events[i:i + 50])
    rebuilt = Profile.open(log, follow=False)
    assert live.to_dict() == rebuilt.to_dict()
    live.rebuild()
    assert live.to_dict() == rebuilt.to_dict()
    live.close()


def test_snapshot_reload_then_catch_up(log):
    events = sample_history(100)
    log.append_many(events[:120])
    first = Profile.open(log, follow=False)
    first.save()
    log.append_many(events[120:])

    class Counting(Profile):
        seen = 0

        def observe(self, event):
            Counting.seen += 1
            super().observe(event)

    reopened = Counting.open(log, follow=False)
    assert Counting.seen == len(events) - 120  # only the events after the snapshot
    assert reopened.last_id == log.last_id()
    fresh = Profile(log)
    fresh.rebuild()
    assert reopened.to_dict() == fresh.to_dict()


def test_a_snapshot_with_another_half_life_is_not_reused(log):
    log.append_many([gen("a1", "a fox", T0)])
    p = Profile.open(log, half_life_days=14, follow=False)
    p.save()
    q = Profile.open(log, half_life_days=2, follow=False)
    assert q.half_life_days == 2 and q.subjects.half_life_s == 2 * DAY


def test_observe_accepts_the_flat_dict_form():
    prof = Profile()
    prof.observe({"id": 1, "ts": T0, "type": "generate", "session": "s", "project": None,
                  "modality": "image", "prompt": "a fox, ink", "artifacts": ["a1"]})
    prof.observe({"id": 2, "ts": T0, "type": "favourite", "session": "s", "target": "a1"})
    assert prof.styles.evidence("ink")["favourites"] == 1


def test_describe_speaks_plainly_with_evidence(log):
    log.append_many([gen(f"a{i}", "a fox, watercolor", T0 + i) for i in range(3)]
                    + [act("favourite", "a0", T0 + 5)])
    text = "\n".join(Profile.open(log, follow=False).describe())
    assert "watercolor: 3 prompts, 1 favourite" in text
    assert "image / sd: 3 runs; steps 20 (3 of 3)" in text
    assert Profile().describe() == ["Studio has not learned anything yet: the history is empty."]
