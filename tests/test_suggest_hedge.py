"""The engine follows whichever way of listing has served the user best."""

import numpy as np

from studio.app.prompts import jaccard, split_parts
from studio.app.suggest import Suggester, suggester
from studio.app.suggest.hedge import HEAD_START, ListHedge


def test_the_models_list_holds_until_another_earns_a_lead():
    h = ListHedge()
    assert h.choose() == "model"
    h.record({"model": False, "blend": True, "recent": True})
    assert h.choose() == "model"  # one hit is not a lead over the head start
    for _ in range(10):
        h.record({"model": False, "blend": True, "recent": False})
    assert h.choose() == "blend"
    for _ in range(40):
        h.record({"model": True, "blend": False, "recent": False})
    assert h.choose() == "model"  # and it follows a user whose habits change back
    again = ListHedge.from_dict(h.to_dict())
    assert again.hits == h.hits and HEAD_START > 0


def cycle_history(n):
    # Five long prompts far apart, visited in turn, each visit with a new take
    # note: the next prompt is never an edit of the last one, nor exactly an
    # earlier one, but always close to the prompt four back.
    looks = ["oil painting", "watercolor", "ink drawing", "pixel art", "gouache"]
    prompts = [", ".join([f"subject {j}", looks[j], *(f"detail {j}.{d}" for d in range(8))])
               for j in range(5)]
    return [f"{prompts[(i * 4) % 5]}, take {i}" for i in range(n)]


def test_a_user_the_model_cannot_follow_gets_their_latest_prompts(monkeypatch):
    # A model that misjudges this user: it lists the prompt as it stands and then
    # the least likely candidates it has.
    def misjudge(cands, probs, k, *args, anchor=None, **kw):
        worst = [int(i) for i in np.argsort(probs) if i != anchor]
        return ([anchor] if anchor is not None else []) + worst[:k - 1]

    monkeypatch.setattr(suggester, "select", misjudge)
    s = Suggester()
    seq = cycle_history(80)
    hits = []
    for i, prompt in enumerate(seq):
        if i:
            out = s.suggest(k=5, kinds=("prompt", "style"))
            actual = split_parts(prompt)
            hits.append(any(jaccard(split_parts(x.text), actual) >= 0.8 for x in out))
        s.observe({"type": "generate", "id": f"g{i}", "ts": float(i), "prompt": prompt,
                   "modality": "image"})
    assert s.hedge.choose() in ("blend", "recent")
    assert not any(hits[4:7])  # the model's list misses...
    assert all(hits[-40:])  # ...until the hedge turns to the latest prompts


def test_the_prompt_box_holding_the_last_prompt_is_not_typing():
    s = Suggester()
    for i, prompt in enumerate(["a fox, snow, ink, watercolor, bokeh, dusk",
                                "an owl, night, ink, watercolor, bokeh, dusk"]):
        s.observe({"type": "generate", "id": f"g{i}", "ts": float(i), "prompt": prompt,
                   "modality": "image"})
    s.suggest(modality="image", prompt="an owl, night, ink, watercolor, bokeh, dusk", k=5)
    assert s._lists is not None  # scored against the next prompt, as after a refresh
    s.suggest(modality="image", prompt="a heron, reeds", k=5)
    assert s._lists is None  # a new prompt being typed is not


def test_a_user_who_keeps_returning_to_favourites_gets_their_most_run_prompts():
    import random

    rng = random.Random(5)
    favs = [f"subject {j}, style {j}, light {j % 3}, mood {j % 4}" for j in range(10)]
    s = Suggester()
    for i in range(400):
        prompt = rng.choices(favs, [1 / (j + 1) for j in range(10)])[0] \
            if rng.random() < 0.8 else f"new idea {i}, style {i % 7}"
        if i:
            s.suggest(k=5, kinds=("prompt", "style"))
        s.observe({"type": "generate", "id": f"g{i}", "ts": float(i), "prompt": prompt,
                   "modality": "image"})
    assert s.hedge.hits["frequent"] > s.hedge.hits["recent"]
    out = s.suggest(k=5, kinds=("prompt", "style"))
    top3 = {frozenset(split_parts(f)) for f in favs[:3]}
    assert top3 <= {frozenset(split_parts(x.text)) for x in out}
