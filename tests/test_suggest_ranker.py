"""The ranker learns from accept/dismiss; the list is diverse; weights persist."""

import itertools

import numpy as np

from studio.app.prompts import jaccard
from studio.app.suggest import Suggester
from studio.app.suggest.diversity import DEFAULT_MAX_SIMILARITY, select, similarity_matrix
from studio.app.suggest.features import FEATURES, featurize
from studio.app.suggest.ranker import EXPLICIT_LR, MIN_LOG_MASS_WEIGHT, Ranker
from studio.app.suggest.types import Candidate


def history(s, n=40):
    mods = ["watercolor", "golden hour", "snow", "ink", "soft light", "bokeh", "pastel colors"]
    for i in range(n):
        parts = ["a fox", *mods[i % 3: i % 3 + 2 + i % 4]]
        s.observe({"type": "generate", "id": f"g{i}", "ts": float(i), "modality": "image",
                   "prompt": ", ".join(parts)})
        if i % 5 == 0:
            s.observe({"type": "favourite", "target": f"g{i}", "ts": i + 0.5})
    return s


def rank_of(out, source):
    return next((i for i, x in enumerate(out) if x.source == source), len(out))


def test_accepting_one_source_lifts_it_and_dismissing_sinks_it():
    s = history(Suggester())
    ctx = {"modality": "image", "k": 12}
    before = s.suggest(ctx)
    style_before = max(x.score for x in before if x.source == "style")
    r_before = rank_of(before, "style")
    assert r_before > 0  # the history outranks the catalogue at first
    for _ in range(8):
        out = s.suggest(ctx)
        for x in out:
            if x.source == "style":
                assert s.accept(x.id) is not None
    after = s.suggest(ctx)
    assert max(x.score for x in after if x.source == "style") > style_before
    assert rank_of(after, "style") < r_before

    s2 = history(Suggester())
    first = s2.suggest(ctx)
    top = first[0]
    w_before = s2.ranker.weight(f"src_{top.source}")
    for _ in range(5):
        for x in s2.suggest(ctx):
            if x.source == top.source:
                s2.dismiss(x.id)
    assert s2.ranker.weight(f"src_{top.source}") < w_before
    assert all(x.id != top.id for x in s2.suggest(ctx))  # dismissed: out of the list


def test_accept_and_dismiss_are_recorded_with_features():
    recorded = []
    s = history(Suggester(recorder=lambda kind, **f: recorded.append((kind, f))))
    out = s.suggest(k=3)
    s.accept(out[0].id)
    s.dismiss(out[1].id)
    assert [k for k, _ in recorded] == ["suggestion_apply", "suggestion_dismiss"]
    kind, fields = recorded[0]
    assert fields["target"] == out[0].id and fields["prompt"] == out[0].text
    assert "log_mass" in fields["params"]["features"]
    assert s.accept("no-such-id") is None
    # The same events replayed into a fresh engine teach its ranker the same way.
    s2 = Suggester()
    w = s2.ranker.w.copy()
    s2.observe({"type": kind, **fields})
    assert (s2.ranker.w != w).any()
    # ... but the engine that made them does not learn twice.
    w1 = s.ranker.w.copy()
    s.observe({"type": kind, **fields})
    assert (s.ranker.w == w1).all()


def test_weights_persist(tmp_path):
    store = tmp_path / "w.json"
    s = history(Suggester(store=store))
    out = s.suggest(k=5)
    for x in out:
        s.accept(x.id)
    again = Suggester(store=store)
    assert (again.ranker.w == s.ranker.w).all()
    assert (again.ranker.w != Ranker().w).any()


def test_mmr_keeps_near_duplicates_out():
    s = Suggester()
    base = ["a fox", "snow", "watercolor", "golden hour", "soft light", "bokeh", "ink",
            "pastel colors", "film grain", "35mm", "dusk", "wide angle"]
    for i in range(30):  # twelve-part prompts: one-part edits are over 0.9 similar
        s.observe({"type": "generate", "id": f"g{i}", "ts": float(i), "modality": "image",
                   "prompt": ", ".join([*base[: 10 + i % 3], f"extra {i % 4}"])})
    cap = DEFAULT_MAX_SIMILARITY
    state_cands = s._candidates(_ctx(), "image", tuple(base), "none")
    probs = s.ranker.probs(featurize(state_cands, "image"))
    naive = sorted(range(len(state_cands)), key=lambda i: -probs[i])[:8]
    sim = similarity_matrix(state_cands)
    assert max(sim[a, b] for a, b in itertools.combinations(naive, 2)) > cap  # test has teeth
    out = s.suggest(modality="image", prompt=", ".join(base), k=8)
    prompts = [x for x in out if x.kind in ("prompt", "style")]
    assert len(out) == 8
    for a, b in itertools.combinations(prompts, 2):
        if a.kind != b.kind:
            continue  # a style to add and a prompt to run are different actions
        pa = frozenset(p.strip().lower() for p in a.text.split(","))
        pb = frozenset(p.strip().lower() for p in b.text.split(","))
        assert jaccard(pa, pb) <= cap, (a.text, b.text)


def _ctx():
    from studio.app.suggest.types import SuggestContext

    return SuggestContext(modality="image", k=8)


def test_select_covers_probability_mass_not_just_the_top():
    def c(*parts):
        return Candidate("prompt", ", ".join(parts), "image", "r", parts=parts,
                         sources={"add": 0.1})

    a = c("p1", "p2", "p3", "p4", "p5")
    near = c("p1", "p2", "p3", "p4", "p5", "p6")  # covered by a (5/6 >= 0.8)
    far1 = c("q1", "q2")
    far2 = c("r1", "r2")
    cands = [a, near, far1, far2]
    probs = [0.4, 0.35, 0.2, 0.05]
    picked = select(cands, probs, 2, max_similarity=1.0)
    assert picked == [0, 2]  # 'near' adds nothing a does not already cover


def test_feedback_never_turns_the_sources_estimate_upside_down():
    r = Ranker()
    x = np.array([[0.0] * len(FEATURES), [0.0] * len(FEATURES)])
    lm = FEATURES.index("log_mass")
    x[0, lm], x[1, lm] = -8.0, -1.0  # the user keeps taking the least likely one
    for _ in range(200):
        r.update(x, 0, EXPLICIT_LR)
    assert r.weight("log_mass") >= MIN_LOG_MASS_WEIGHT > 0
    assert r.probs(x)[1] > r.probs(x)[0] or r.weight("log_mass") == MIN_LOG_MASS_WEIGHT


def test_reactions_to_outputs_of_an_offered_prompt_teach_the_ranker():
    def run(reaction):
        s = history(Suggester())
        offered = s.suggest({"modality": "image", "k": 8, "kinds": ("prompt", "style")})
        s.observe({"type": "generate", "id": "s1", "ts": 100.0, "modality": "image",
                   "prompt": offered[2].text})
        direction = s._outcomes["s1"]  # the offer's features against the list's average
        if reaction:
            s.observe({"type": reaction[0], "target": "s1", "ts": 100.5,
                       **({"value": reaction[1]} if len(reaction) > 1 else {})})
        return s.ranker.w.copy(), direction

    neutral, d = run(None)
    assert np.abs(d).sum() > 0
    for reaction, sign in ((("favourite",), 1), (("keep",), 1), (("rate", 5), 1),
                           (("delete",), -1), (("rate", 1), -1)):
        w, _ = run(reaction)
        assert sign * float((w - neutral) @ d) > 0, reaction
    w, _ = run(("rate", 3))
    assert np.allclose(w, neutral)  # three stars say nothing
