"""Replay evaluation: metric by hand, output shape, errors, and studio vs the baselines."""

import json

import pytest

from bench.history_gen import SETTINGS, generate, write
from studio.app.suggest.replay import ReplayFormatError, evaluate, metric_parts
from studio.cli.main import main

# Two users, interleaved and one line out of time order. With k=2, by hand:
#   user a: fs, fs, ci, dr, fs   user b: "Sea, Storm ", "sea,storm,night", "SEA , storm"
#   most_recent   a: g2 hit@1; g3, g4, g5 miss          b: h2 miss; h3 hit@2
#                 -> hits 2/6 = 0.3333, mrr (1 + 0.5) / 6 = 0.25
#   most_frequent a: g2 hit@1; g3, g4 miss; g5 hit@1 (fs counted twice)
#                 b: h2 miss; h3 hit@2 (tie at one use each: newer first)
#                 -> hits 3/6 = 0.5, mrr (2 + 0.5) / 6 = 0.4167
TINY = [
    {"ts": 1, "user": "a", "type": "generate", "id": "g1", "prompt": "a fox, snow"},
    {"ts": 1, "user": "b", "type": "generate", "id": "h1", "prompt": "Sea, Storm "},
    {"ts": 2, "user": "a", "type": "generate", "id": "g2", "prompt": "a fox, snow"},
    {"ts": 2.5, "user": "a", "type": "favourite", "target": "g2"},
    {"ts": 4, "user": "a", "type": "generate", "id": "g4", "prompt": "a dog, rain"},
    {"ts": 3, "user": "a", "type": "generate", "id": "g3", "prompt": "a cat, ink"},
    {"ts": 3.5, "user": "a", "type": "rate", "target": "g3", "value": 2},
    {"ts": 2, "user": "b", "type": "generate", "id": "h2", "prompt": "sea,storm,night"},
    {"ts": 2.1, "user": "b", "type": "delete", "target": "h2"},
    {"ts": 3, "user": "b", "type": "generate", "id": "h3", "prompt": "SEA , storm"},
    {"ts": 5, "user": "a", "type": "generate", "id": "g5", "prompt": "a fox, snow"},
]


def write_lines(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_baselines_match_the_hand_computed_metric(tmp_path):
    res = evaluate(write_lines(tmp_path / "h.jsonl", TINY), k=2)
    assert res["k"] == 2 and res["events"] == 6 and res["users"] == 2
    assert res["systems"]["most_recent"] == {"hit@k": 0.3333, "mrr": 0.25}
    assert res["systems"]["most_frequent"] == {"hit@k": 0.5, "mrr": 0.4167}


def test_iso_timestamps_order_events_like_epoch_seconds(tmp_path):
    import datetime as dt

    def iso(t):
        return dt.datetime.fromtimestamp(1_700_000_000 + t, dt.timezone.utc).isoformat()

    rows = [{**r, "ts": iso(r["ts"]).replace("+00:00", "Z")} for r in TINY]
    res = evaluate(write_lines(tmp_path / "iso.jsonl", rows), k=2)
    assert res == evaluate(write_lines(tmp_path / "h.jsonl", TINY), k=2)


def test_metric_parts_lowercase_and_strip():
    assert metric_parts(" A Fox ,SNOW,, (x:1.2)") == {"a fox", "snow", "(x:1.2)"}


def test_output_shape(tmp_path):
    res = evaluate(write_lines(tmp_path / "h.jsonl", TINY))
    assert res["k"] == 5 and isinstance(res["events"], int)
    assert set(res["systems"]) == {"studio", "most_recent", "most_frequent"}
    for v in res["systems"].values():
        assert set(v) == {"hit@k", "mrr"}
        assert 0.0 <= v["mrr"] <= v["hit@k"] <= 1.0
    json.dumps(res)


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not valid JSON"),
    ('["a list"]', "JSON object"),
    ('{"ts": 9, "user": "a", "type": "explode"}', "unknown event type"),
    ('{"ts": "later", "user": "a", "type": "keep", "target": "g1"}', "'ts'"),
    ('{"ts": 9, "user": "a", "type": "generate", "id": "x"}', "'prompt'"),
    ('{"ts": 9, "user": "a", "type": "keep"}', "'target'"),
    ('{"ts": 9, "user": "a", "type": "rate", "target": "g1"}', "numeric 'value'"),
])
def test_malformed_lines_name_their_line(tmp_path, bad, message):
    path = write_lines(tmp_path / "h.jsonl", [*TINY[:3], "", bad, *TINY[3:]])
    with pytest.raises(ReplayFormatError) as info:
        evaluate(path)
    assert "h.jsonl:5:" in str(info.value) and message in str(info.value)


def test_cli_eval_reports_a_bad_line_without_traceback(tmp_path, capsys):
    path = write_lines(tmp_path / "h.jsonl", [TINY[0], "{oops"])
    assert main(["profile", "eval", "--history", str(path)]) == 2
    assert "h.jsonl:2:" in capsys.readouterr().err


@pytest.mark.parametrize("setting, seed", [("short", 11), ("short", 13)])
def test_studio_beats_both_baselines_on_generated_histories(tmp_path, setting, seed):
    path = tmp_path / "gen.jsonl"
    write(generate(SETTINGS[setting], users=4, gens=150, seed=seed), path)
    res = evaluate(path, k=5)["systems"]
    best = max(res["most_recent"]["hit@k"], res["most_frequent"]["hit@k"])
    assert res["studio"]["hit@k"] > 1.2 * best, res
    assert res["studio"]["mrr"] > max(res["most_recent"]["mrr"], res["most_frequent"]["mrr"])


def test_odd_histories_replay_without_surprises(tmp_path):
    # Unicode, emphasis, empty and comma-only prompts, 300-part prompts, unknown
    # modalities, numeric ids and users, reactions to unknown or later targets,
    # equal timestamps: each is scored, none stops the replay.
    import random

    rng = random.Random(3)
    words = ["fox", "(snow:1.3)", "ÄÖ ünïcode", "日本語", "  spaced   out ", "", ",", "🙂",
             "x" * 300]
    lines, ts = [], 0.0
    for i in range(600):
        ts += rng.choice([0, 1, 3600])
        user = rng.choice(["u1", 2])
        if rng.random() < 0.7:
            n = rng.choice([0, 1, 3, 300])
            lines.append({"ts": ts, "user": user, "type": "generate", "id": i,
                          "prompt": ", ".join(rng.choice(words) for _ in range(n)),
                          "modality": rng.choice(["image", "text", "hologram"])})
        else:
            lines.append({"ts": ts, "user": user, "type": rng.choice(["keep", "rate"]),
                          "target": rng.choice([i - 1, i + 5, "nope"]), "value": 9})
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    res = evaluate(path, k=5)
    generates = sum(x["type"] == "generate" for x in lines)
    assert res["users"] == 2 and res["events"] == generates - 2
    for system in res["systems"].values():
        assert 0.0 <= system["mrr"] <= system["hit@k"] <= 1.0
    assert res["systems"]["studio"]["hit@k"] > 0
