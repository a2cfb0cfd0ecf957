"""The Studio property, the history wiring and the ``studio suggest`` command."""

import json

from studio.app.studio import Studio
from studio.cli.main import main


def test_studio_suggestions_follow_the_history_and_record_feedback(tmp_path):
    studio = Studio(root=tmp_path / "data")
    try:
        for i, p in enumerate(["a fox, snow", "a fox, snow, dusk", "a fox, snow, dusk, ink"]):
            studio.record("generate", modality="image", prompt=p, params={"steps": 30},
                          artifacts=[f"art{i}"])
        sug = studio.suggestions
        out = sug.suggest(k=5, kinds=["prompt"])
        assert any("a fox" in s.text for s in out)  # built from the history
        studio.record("generate", modality="image", prompt="an owl, moonlight",
                      artifacts=["art9"])
        assert sug.state.last_gen().prompt == "an owl, moonlight"  # and follows it
        sug.accept(out[0].id)
        assert studio.history.count(types=["suggestion_apply"]) == 1
    finally:
        studio.close()
    assert (tmp_path / "data" / "suggest_weights.json").exists()


def test_cli_suggest_json_and_table(capsys):
    assert main(["suggest", "--modality", "music", "--k", "3", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 3 and all(i["modality"] == "music" and i["reason"] for i in items)
    assert main(["suggest", "--prompt", "a fox, snow", "--k", "2"]) == 0
    out = capsys.readouterr().out
    assert "WHY" in out and "a fox, snow" in out


def test_cli_suggest_kinds(capsys):
    assert main(["suggest", "--modality", "image", "--k", "4", "--kinds", "style",
                 "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 4 and {i["kind"] for i in items} == {"style"}
    assert main(["suggest", "--kinds", "prompt,colour"]) == 2
    assert "colour" in capsys.readouterr().err
