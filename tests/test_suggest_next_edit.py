"""The next-edit metric on hand-made cases, and the list never offering the prompt as it is."""

import json

import pytest

from studio.app.studio import Studio
from studio.app.suggest import Suggester
from studio.app.suggest.metric import metric_parts
from studio.app.suggest.replay import evaluate, is_edit_hit
from studio.cli.main import main


def write_lines(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def gen(ts, prompt, user="u"):
    return {"ts": ts, "user": user, "type": "generate", "id": f"{user}{ts}", "prompt": prompt}


class Fixed:
    """A system that always proposes the same prompts."""

    def __init__(self, *proposals):
        self.proposals = list(proposals)

    def propose(self, k):
        return self.proposals[:k]

    def observe(self, event):
        pass


LONG = "a, b, c, d, e, f, g, h, i, j"  # ten parts: a one-part swap stays at J = 9/11


def test_the_rule_on_hand_made_cases():
    prev, actual = metric_parts(LONG), metric_parts("a, b, c, d, e, f, g, h, i, k")
    assert is_edit_hit("a, b, c, d, e, f, g, h, i, k", actual, prev)  # exactly it
    assert is_edit_hit(" A,b,c,d,e,f,g,h,i,K , x", actual, prev)  # 10/11 > 9/11
    # Equal to the previous prompt (in metric parts): never, however close.
    assert not is_edit_hit("j, i, h, g, f, e, d, c, b, a", actual, prev)
    # As close as the previous prompt (9/11), not closer: no.
    assert not is_edit_hit("a, b, c, d, e, f, g, h, i, y", actual, prev)
    # Closer than the previous prompt but under the threshold: no.
    short_prev, short_actual = metric_parts("a, b"), metric_parts("a, b, c, d")
    assert not is_edit_hit("a, b, c", short_actual, short_prev)  # 0.75 < 0.8


def test_re_runs_are_not_scored_and_the_previous_prompt_never_counts(tmp_path):
    rows = [gen(1, "a fox, snow"), gen(2, "a fox, snow"), gen(3, "A Fox ,snow "),
            gen(4, "a fox, snow, dusk"), gen(5, "a fox, snow, dusk")]
    path = write_lines(tmp_path / "h.jsonl", rows)
    res = evaluate(path, k=2, systems={
        # The previous prompt first: it fills a slot in the old metric, none in the new.
        "prev_then_edit": lambda: Fixed("a fox, snow", "a fox, snow, dusk"),
        "prev_only": lambda: Fixed("a fox, snow"),
        "not_closer": lambda: Fixed("a fox, rain, dusk"),
    })
    assert res["events"] == 4  # every generate but the first, re-runs included
    ne = res["next_edit"]
    assert ne["events"] == 1  # only "a fox, snow" -> "a fox, snow, dusk" changes the prompt
    assert ne["systems"]["prev_then_edit"] == {"hit@k": 1.0, "mrr": 1.0}
    assert ne["systems"]["prev_only"] == {"hit@k": 0.0, "mrr": 0.0}
    assert ne["systems"]["not_closer"] == {"hit@k": 0.0, "mrr": 0.0}
    # The old metric keeps counting re-runs.
    assert res["systems"]["prev_only"]["hit@k"] == 0.5


def test_baselines_leave_the_previous_prompt_out(tmp_path):
    rows = [gen(1, "p1, x"), gen(2, "p2, y"), gen(3, "p1, x"), gen(4, "p2, y")]
    res = evaluate(write_lines(tmp_path / "h.jsonl", rows), k=1)
    # Before g3 the previous is p2: most_recent offers p1 (not p2) and hits; likewise g4.
    assert res["next_edit"]["events"] == 3
    assert res["next_edit"]["systems"]["most_recent"]["hit@k"] == pytest.approx(2 / 3, abs=1e-4)
    assert res["systems"]["most_recent"]["hit@k"] == 0.0  # the old list: the previous only


def test_cli_eval_prints_the_next_edit_block(tmp_path, capsys):
    path = write_lines(tmp_path / "h.jsonl", [gen(1, "a, b"), gen(2, "a, b, c")])
    assert main(["profile", "eval", "--history", str(path), "--k", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"k", "events", "users", "systems"} <= set(out)
    assert out["next_edit"]["events"] == 1
    assert set(out["next_edit"]["systems"]) == {"studio", "most_recent", "most_frequent"}
    assert set(out["next_edit"]["systems"]["studio"]) == {"hit@k", "mrr"}


HISTORY = ["a fox, snow", "a fox, snow, dusk", "a fox, snow, dusk, ink",
           "a fox, snow, ink", "a fox, snow, dusk, ink", "a fox, snow, dusk"]


def engine():
    s = Suggester()
    for i, p in enumerate(HISTORY * 3):
        s.observe({"type": "generate", "id": f"g{i}", "prompt": p, "modality": "image"})
        if i % 4 == 0:
            s.observe({"type": "favourite", "target": f"g{i}"})
    return s


@pytest.mark.parametrize("kinds", [None, ("prompt", "style")])
def test_the_engine_never_offers_the_box_or_the_last_prompt_run(kinds):
    s = engine()
    last = metric_parts(HISTORY[-1])
    for box in (None, HISTORY[-1], "A Fox,  Snow , Dusk", "a fox, snow, ink", "an owl"):
        out = s.suggest(prompt=box, k=8, kinds=kinds)
        assert out
        avoid = {last} | ({metric_parts(box)} if box else set())
        prompts = [x for x in out if x.kind in ("prompt", "style")]
        assert prompts and all(metric_parts(x.text) not in avoid for x in prompts), \
            (box, [x.text for x in prompts])


def test_a_reweighted_part_is_a_change_the_engine_may_offer():
    s = Suggester()
    for i, p in enumerate(["a fox, (snow:1.2)", "a fox, (snow:1.3)"] * 4):
        s.observe({"type": "generate", "id": f"g{i}", "prompt": p, "modality": "image"})
    texts = [x.text for x in s.suggest(k=5, kinds=("prompt",))]
    assert "a fox, (snow:1.3)" not in texts  # the one just run
    assert "a fox, (snow:1.2)" in texts  # the other weight is a change


def test_cli_suggest_leaves_out_the_prompt_given(capsys):
    studio = Studio()
    try:
        for i, p in enumerate(HISTORY * 2):
            studio.record("generate", modality="image", prompt=p, artifacts=[f"a{i}"])
    finally:
        studio.close()
    for box in ("a fox, snow, ink", "A fox , snow, dusk"):
        assert main(["suggest", "--prompt", box, "--k", "6", "--kinds", "prompt,style",
                     "--json"]) == 0
        items = json.loads(capsys.readouterr().out)
        assert items
        assert all(metric_parts(i["text"]) not in {metric_parts(box),
                                                   metric_parts(HISTORY[-1])} for i in items)


def test_the_why_detail_lists_the_prompts_and_reactions_behind_a_suggestion():
    s = Suggester()
    prompts = ["a fox, snow", "a fox, snow, dusk", "a fox, snow, dusk, ink"]
    for i, p in enumerate(prompts * 2):
        s.observe({"type": "generate", "id": f"g{i}", "prompt": p, "modality": "image"})
    s.observe({"type": "delete", "target": "g5"})
    out = {x.text: x for x in s.suggest(k=8, kinds=("prompt",))}
    back = out["a fox, snow, dusk"]
    assert back.reason.count("\n") == 0
    assert "You ran this prompt 2 times, last 2 generations ago" in back.evidence[0]
    assert any("Built on your prompt 'a fox, snow, dusk, ink', run 2 times; its last "
               "output: deleted or rated low." == line for line in back.evidence)
    assert any(line.startswith("'ink': never dropped before; reactions to outputs with it "
                               "+0 / -2") for line in back.evidence)
    assert back.to_dict()["evidence"] == list(back.evidence)


def test_cli_eval_table_has_a_row_per_next_edit_system(tmp_path, capsys):
    path = write_lines(tmp_path / "h.jsonl", [gen(1, "a, b"), gen(2, "a, b, c")])
    assert main(["profile", "eval", "--history", str(path)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["next_edit", "events", "1"] in rows
    for name in ("studio", "most_recent", "most_frequent"):
        assert any(r[:2] == ["next_edit", name] and r[2].startswith("hit@k=") for r in rows)
