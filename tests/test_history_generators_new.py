"""Held-out history generators gen_d and gen_e: determinism, format, the brief's traits."""

import json
from collections import defaultdict

import pytest

from bench.heldout import gen_d, gen_e
from studio.cli.main import main as studio_main

CASES = [(gen_d, v) for v in gen_d.VARIANTS] + [(gen_e, v) for v in gen_e.VARIANTS]
IDS = [f"{m.__name__.rsplit('.', 1)[1]}-{v}" for m, v in CASES]


def parts(prompt):
    return frozenset(p.strip().lower() for p in prompt.split(",") if p.strip())


def by_user(events):
    users = defaultdict(list)
    for e in events:
        users[e["user"]].append(e)
    return users


def rerun_share(events):
    gens = reruns = 0
    for evs in by_user(events).values():
        prev = None
        for e in evs:
            if e["type"] == "generate":
                gens += 1
                reruns += parts(e["prompt"]) == prev
                prev = parts(e["prompt"])
    return reruns / gens


@pytest.mark.parametrize("mod, variant", CASES, ids=IDS)
def test_deterministic_for_a_seed(mod, variant):
    a = mod.generate(5, 3, 40, variant)
    assert a == mod.generate(5, 3, 40, variant)
    assert a != mod.generate(6, 3, 40, variant)


@pytest.mark.parametrize("mod, variant", CASES, ids=IDS)
def test_events_are_well_formed(mod, variant):
    events = mod.generate(3, 4, 120, variant)
    ids = set()
    for evs in by_user(events).values():
        own: set = set()
        assert [e["ts"] for e in evs] == sorted(e["ts"] for e in evs)
        assert sum(e["type"] == "generate" for e in evs) == 120
        for e in evs:
            assert isinstance(e["ts"], (int, float))
            if e["type"] == "generate":
                assert isinstance(e["prompt"], str) and e["prompt"].strip()
                assert e["modality"] in ("image", "text", "music")
                assert isinstance(e["params"]["seed"], int)
                assert e["id"] not in ids
                ids.add(e["id"])
                own.add(e["id"])
            else:
                assert e["type"] in ("keep", "favourite", "delete", "rate")
                assert e["target"] in own, "a reaction must follow its user's own generate"
                if e["type"] == "rate":
                    assert e["value"] in (1, 2, 3, 4, 5)
    kinds = {e["type"] for e in events}
    assert {"keep", "favourite", "delete"} <= kinds


@pytest.mark.parametrize("mod, variant", [(gen_d, "projects"), (gen_e, "mixed")])
def test_cli_writes_a_file_studio_profile_eval_reads(tmp_path, capsys, mod, variant):
    out = tmp_path / "h.jsonl"
    argv = ["--seed", "4", "--users", "2", "--gens", "25", "--variant", variant, str(out)]
    assert mod.main(argv) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == mod.generate(4, 2, 25, variant)
    capsys.readouterr()
    assert studio_main(["profile", "eval", "--history", str(out), "--k", "5", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["events"] == 2 * 25 - 2
    assert res["users"] == 2


@pytest.mark.parametrize("mod", [gen_d, gen_e])
def test_cli_rejects_an_unknown_variant(tmp_path, capsys, mod):
    with pytest.raises(SystemExit) as exc:
        mod.main(["--variant", "nope", str(tmp_path / "h.jsonl")])
    assert exc.value.code == 2
    assert not (tmp_path / "h.jsonl").exists()
    for v in mod.VARIANTS:
        assert f"``{v}``" in mod.__doc__


def test_illustrator_writes_sentences_and_reruns_a_third():
    events = gen_d.generate(11, 8, 200, "illustrator")
    prompts = [e["prompt"] for e in events if e["type"] == "generate"]
    assert not any("," in p for p in prompts)
    assert min(len(p.split()) for p in prompts) >= 3
    assert 0.28 <= rerun_share(events) <= 0.42


def test_weighted_prompts_are_long_weighted_and_rerun_in_batches():
    events = gen_d.generate(11, 8, 200, "weighted")
    prompts = [e["prompt"] for e in events if e["type"] == "generate"]
    assert all(12 <= len(parts(p)) <= 25 for p in prompts)
    assert sum(":1." in p or ":0." in p for p in prompts) / len(prompts) > 0.9
    assert sum("((" in p for p in prompts) > 0
    assert sum("<lora:" in p for p in prompts) / len(prompts) > 0.3
    assert 0.4 <= rerun_share(events) <= 0.6
    assert any(e["params"]["batch_index"] > 0 for e in events if e["type"] == "generate")


def returns_after_a_day(events):
    """Generates whose prompt was last written more than 24 h earlier, and how many of
    those come back to a prompt that had been favourited."""
    total = to_fav = 0
    for evs in by_user(events).values():
        last_seen, prompt_of, favoured = {}, {}, set()
        for e in evs:
            if e["type"] == "favourite":
                favoured.add(prompt_of[e["target"]])
            if e["type"] != "generate":
                continue
            p = parts(e["prompt"])
            prompt_of[e["id"]] = p
            if p in last_seen and e["ts"] - last_seen[p] > 86400:
                total += 1
                to_fav += p in favoured
            last_seen[p] = e["ts"]
    return total, to_fav


def test_returners_come_back_to_their_favourites_days_later():
    events = gen_e.generate(11, 8, 200, "returner")
    total, to_fav = returns_after_a_day(events)
    gens = sum(e["type"] == "generate" for e in events)
    assert total / gens > 0.05
    assert to_fav / total > 0.6
    explorer_total, _ = returns_after_a_day(gen_e.generate(11, 8, 200, "explorer"))
    assert explorer_total < total / 2


def test_projects_users_switch_projects_across_sessions():
    events = gen_d.generate(11, 4, 200, "projects")
    for evs in by_user(events).values():
        gens = [e for e in evs if e["type"] == "generate"]
        # every project kind has its own style vocabulary
        kinds = {kind for kind, (_, styles) in gen_d.PROJECT_KINDS.items()
                 for e in gens if set(e["prompt"].split(", ")[1:]) & set(styles)}
        assert len(kinds) >= 2


def test_mixed_has_text_and_music_sessions():
    events = gen_e.generate(11, 8, 200, "mixed")
    mods = {e["modality"] for e in events if e["type"] == "generate"}
    assert mods == {"image", "text", "music"}


@pytest.mark.parametrize("mod, variant", CASES, ids=IDS)
def test_reactions_follow_a_hidden_quality_not_coin_flips(mod, variant):
    """Outputs of one prompt share its hidden quality, so a prompt judged more than once is
    rarely both favourited and deleted (independent coin flips give 0.36-0.71 here)."""
    events = mod.generate(11, 8, 200, variant)
    prompt_of, verdicts = {}, defaultdict(list)
    for e in events:
        if e["type"] == "generate":
            prompt_of[e["id"]] = (e["user"], parts(e["prompt"]))
        elif e["type"] in ("favourite", "delete"):
            verdicts[prompt_of[e["target"]]].append(e["type"])
    judged = [set(v) for v in verdicts.values() if len(v) >= 2]
    assert len(judged) >= 10
    assert sum(len(v) == 2 for v in judged) / len(judged) < 0.3


@pytest.mark.parametrize("mod, variant", CASES, ids=IDS)
def test_favourited_prompts_are_written_again_more_than_deleted_ones(mod, variant):
    """Moves follow the same quality as reactions: a favourite is re-run or returned to,
    a flop is left behind."""
    events = mod.generate(11, 8, 200, variant)
    uses: dict = defaultdict(int)
    verdict = {}
    for evs in by_user(events).values():
        prompt_of = {}
        for e in evs:
            if e["type"] == "generate":
                prompt_of[e["id"]] = (e["user"], parts(e["prompt"]))
                uses[prompt_of[e["id"]]] += 1
            elif e["type"] in ("favourite", "delete"):
                verdict.setdefault(prompt_of[e["target"]], e["type"])
    fav = [uses[p] for p, v in verdict.items() if v == "favourite"]
    dele = [uses[p] for p, v in verdict.items() if v == "delete"]
    assert sum(fav) / len(fav) > 1.3 * sum(dele) / len(dele)
