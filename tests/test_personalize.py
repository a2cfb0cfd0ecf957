"""Choosing the training images of a personal LoRA, its manifest, names, listing, forgetting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from studio.api import GenerationRequest, Output, StudioError
from studio.app import personal_loras, personalize
from studio.app.studio import Studio
from studio.cli.main import main


@pytest.fixture
def studio():
    s = Studio(backend="thread")
    yield s
    s.close()


def make_image(studio: Studio, prompt: str, *, favourite: bool = True,
               recorded: bool = True) -> str:
    """An image made the way the studio records it (or with recording off), then favourited
    with recording on."""
    req = GenerationRequest(modality="image", task="txt2img", prompt=prompt,
                            generator="image.diffusers", seed=1)
    (art,) = studio.library.add([Output("image", Image.new("RGB", (64, 64), (200, 30, 30)))],
                                req)
    was = studio.settings.recording
    studio.settings.recording = recorded
    studio.record("generate", modality="image", task="txt2img", prompt=prompt,
                  generator="image.diffusers", artifacts=[art.id])
    studio.settings.recording = was
    if favourite:
        studio.library.set_favourite(art.id)
    return art.id


def test_favourites_made_or_favourited_while_recording_was_off_are_left_out(studio):
    kept = [make_image(studio, f"red poppy field {i}") for i in range(8)]
    make_image(studio, "secret portrait", recorded=False)  # incognito or paused
    made = make_image(studio, "made while recording", favourite=False)
    studio.settings.recording = False
    studio.library.set_favourite(made)  # the favourite itself is not in the history
    studio.settings.recording = True
    sel = personalize.select_items(studio, "favourites")
    assert [i.id for i in sel.items] == kept
    assert sel.unrecorded == 1
    assert sel.items[0].caption == "red poppy field 0"  # the image's own prompt


def test_an_unfavourited_or_low_rated_image_is_not_chosen(studio):
    ids = [make_image(studio, f"tree {i}") for i in range(3)]
    studio.library.set_favourite(ids[0], False)
    studio.library.rate(ids[1], 5)
    studio.library.rate(ids[2], 3)
    assert [i.id for i in personalize.select_items(studio, "favourites").items] == ids[1:]
    assert [i.id for i in personalize.select_items(studio, "rated>=4").items] == [ids[1]]
    studio.library.keep(ids[2])
    assert [i.id for i in personalize.select_items(studio, "kept").items] == [ids[2]]


def test_explicit_ids_must_be_recorded_images(studio):
    good = make_image(studio, "a")
    hidden = make_image(studio, "b", recorded=False)
    sel = personalize.select_items(studio, [good, hidden])
    assert [i.id for i in sel.items] == [good] and sel.unrecorded == 1
    with pytest.raises(StudioError, match="no artifact 'nope'"):
        personalize.select_items(studio, ["nope"])


def test_too_few_images_are_refused_with_the_count_and_nothing_written(studio):
    for i in range(5):
        make_image(studio, f"cat {i}")
    items = personalize.select_items(studio, "favourites").items
    with pytest.raises(StudioError, match="needs at least 8 images, you have 5"):
        personalize.training_request(studio, items)
    assert not personal_loras.train_dir(studio.root).exists()


def test_the_cli_refuses_too_few_in_one_line(capsys):
    studio = Studio(backend="thread")
    for i in range(5):
        make_image(studio, f"cat {i}")
    studio.close()
    assert main(["personalize", "train", "image", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "studio: training a LoRA needs at least 8 images, you have 5 (favourites)"]


def test_dry_run_writes_the_manifest_with_edited_captions_and_the_same_key_twice(
        tmp_path, capsys):
    studio = Studio(backend="thread")
    ids = [make_image(studio, f"blue wave {i}") for i in range(9)]
    studio.close()
    captions = tmp_path / "captions.jsonl"
    captions.write_text(json.dumps({"id": ids[3], "caption": "a wave, in my style"}) + "\n")
    args = ["personalize", "train", "image", "--dry-run", "--json", "--name", "waves",
            "--steps", "40", "--captions", str(captions)]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    manifest = json.loads(Path(out["manifest"]).read_text())
    assert out["images"] == 9 and manifest["name"] == "waves"
    assert [i["id"] for i in manifest["items"]] == ids
    assert manifest["items"][3]["caption"] == "a wave, in my style"
    assert manifest["items"][0]["caption"] == "blue wave 0"
    assert out["request"]["generator"] == "image.train"
    assert out["request"]["params"]["steps"] == 40
    # The same training asked again names the same checkpoint folder (so it resumes).
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["manifest"] == out["manifest"]
    assert manifest["checkpoint_dir"] == str(Path(out["manifest"]).parent)


def test_bad_captions_file_names_the_line(tmp_path, capsys):
    studio = Studio(backend="thread")
    for i in range(8):
        make_image(studio, f"x {i}")
    studio.close()
    captions = tmp_path / "c.jsonl"
    captions.write_text('{"id": "a", "caption": "b"}\nnot json\n')
    assert main(["personalize", "train", "image", "--dry-run", "--captions",
                 str(captions)]) == 2
    assert f"{captions}:2: not JSON" in capsys.readouterr().err


def test_a_bad_name_is_refused(studio):
    with pytest.raises(StudioError, match=r"LoRA name '\.\./x'"):
        personal_loras.check_name("../x")


def fake_lora(root: Path, name: str, sources: list[str], family: str = "sd") -> Path:
    """A stored personal LoRA as the engine writes it (the file's bytes do not matter here)."""
    out = Output("lora", b"not really safetensors",
                 {"name": name, "sources": sources, "images": len(sources), "steps": 10,
                  "rank": 4, "base_model": "some/model", "family": family,
                  "initial_loss": 0.5, "final_loss": 0.4})
    req = GenerationRequest(modality="image", generator="image.train", task="train_lora",
                            model="some/model")
    return personal_loras.store_lora(root, out, req)


def test_loras_by_name_resolve_to_the_personal_file(studio):
    path = fake_lora(studio.root, "mine", ["a"])
    assert path == studio.root / "models" / "loras" / "mine.safetensors"
    text = personal_loras.resolve_names("mine:0.8;/elsewhere/x.safetensors:0.5", studio.root)
    assert text == f"{path}:0.8;/elsewhere/x.safetensors:0.5"
    with pytest.raises(StudioError, match="'unknown' is neither a file nor one of your"):
        personal_loras.resolve_names("unknown:0.8", studio.root)
    assert personal_loras.resolve_names("", studio.root) == ""


def test_models_list_shows_personal_loras_and_forget_item_marks_them_stale(capsys):
    studio = Studio(backend="thread")
    ids = [make_image(studio, f"dune {i}") for i in range(8)]
    fake_lora(studio.root, "dunes", ids)
    fake_lora(studio.root, "other", ["zzz"])
    studio.close()
    assert main(["models", "list", "--json"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r.get("kind") == "personal_lora"]
    assert {r["name"]: r["stale"] for r in rows} == {"dunes": False, "other": False}
    assert main(["profile", "forget", "--item", ids[2]]) == 0
    out = capsys.readouterr().out
    assert "personal LoRA dunes was trained on it and is now marked stale" in out
    assert main(["models", "list"]) == 0
    table = capsys.readouterr().out
    assert "PERSONAL LORA" in table
    line = next(row for row in table.splitlines() if row.startswith("dunes"))
    assert "stale" in line
    assert "fresh" in next(row for row in table.splitlines() if row.startswith("other"))
    # Retraining leaves the forgotten image out: its making is no longer in the history.
    studio = Studio(backend="thread")
    try:
        assert ids[2] not in [i.id for i in personalize.select_items(studio).items]
    finally:
        studio.close()


def test_forget_everything_deletes_personal_loras_and_checkpoints(capsys):
    studio = Studio(backend="thread")
    lora = fake_lora(studio.root, "mine", ["a"])
    ckpt = personal_loras.train_dir(studio.root) / "0123abcd"
    ckpt.mkdir(parents=True)
    (ckpt / "state.pt").write_bytes(b"x")
    root = studio.root
    studio.close()
    assert main(["profile", "forget", "--yes"]) == 0
    assert "deleted 1 personal LoRA(s)" in capsys.readouterr().out
    assert not lora.exists() and not lora.with_suffix(".json").exists()
    assert not personal_loras.train_dir(root).exists()


def test_lora_for_the_model_family(studio):
    fake_lora(studio.root, "sdstyle", ["a"], family="sd")
    fake_lora(studio.root, "xlstyle", ["a"], family="sdxl")
    assert [c["name"] for c in personal_loras.for_family(studio.root, "sdxl")] == ["xlstyle"]
    personal_loras.mark_stale(studio.root, "a")
    assert personal_loras.for_family(studio.root, "sdxl") == []


def test_the_profile_page_trains_my_style_with_edited_captions(qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from studio.ui.profile_view import ProfileView

    studio = Studio(backend="thread")
    ids = [make_image(studio, f"ink sketch {i}") for i in range(8)]
    make_image(studio, "incognito sketch", recorded=False)
    submitted: list = []
    monkeypatch.setattr(studio, "submit_quietly", lambda request: submitted.append(request))
    view = ProfileView(studio)
    qtbot.addWidget(view)
    try:
        view.open_training()
        dialog = view.train_dialog
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 8, timeout=10000)
        assert "Images that qualify: 8." in dialog.summary.text()
        assert "while recording was off: 1." in dialog.summary.text()
        assert dialog.train_button.isEnabled()
        dialog.table.item(2, 1).setText("ink sketch, my hand")
        dialog.name.setText("ink")
        dialog.grab().save(str(studio.root / "train_dialog.png"))
        dialog.done(QDialog.DialogCode.Accepted)
        qtbot.waitUntil(lambda: bool(submitted), timeout=10000)
        request = submitted[0]
        manifest = json.loads(Path(request.inputs["manifest"]).read_text())
        assert request.generator == "image.train" and manifest["name"] == "ink"
        assert [i["id"] for i in manifest["items"]] == ids
        assert manifest["items"][2]["caption"] == "ink sketch, my hand"
        # Fewer than 8 kept images: the dialog says so and cannot train.
        view.open_training()
        dialog = view.train_dialog
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 8, timeout=10000)
        dialog.source.setCurrentIndex(dialog.source.findData("kept"))
        qtbot.waitUntil(lambda: "needs at least 8 images, you have 0" in dialog.summary.text(),
                        timeout=10000)
        assert not dialog.train_button.isEnabled()
        dialog.reject()
    finally:
        view.shutdown()
        studio.close()


def test_the_sidebar_offers_in_your_style_for_the_current_image_model(studio):
    from studio.app.suggest.personal_style import with_personal_style

    studio.settings.default_models["image.diffusers"] = "some/model"
    fake_lora(studio.root, "mine", [f"a{i}" for i in range(12)])
    ranked = with_personal_style(studio, {"modality": "image"}, [])
    (card,) = ranked
    assert card.kind == "params" and card.params == {"loras": "mine:0.8"}
    assert "mine" in card.reason and "12 of your images" in card.reason
    assert with_personal_style(studio, {"modality": "text"}, []) == []
    studio.settings.default_models["image.diffusers"] = "other/sd-xl-model"
    assert with_personal_style(studio, {"modality": "image"}, []) == []  # another family
    studio.settings.default_models["image.diffusers"] = "some/model"
    personal_loras.mark_stale(studio.root, "a3")
    assert with_personal_style(studio, {"modality": "image"}, []) == []


def test_the_generate_panel_does_not_offer_the_trainer(open_window):
    win = open_window()
    win.panel.modality.setCurrentText("image")
    offered = [win.panel.generator.itemData(i) for i in range(win.panel.generator.count())]
    assert "image.diffusers" in offered
    assert "image.train" not in offered


def test_the_queue_row_of_a_training_shows_its_loss(qapp):
    from studio.app.jobs import JobEvent
    from studio.ui.jobs_view import RowState

    state = RowState(phase="started")
    state.apply(JobEvent("progress", "j", step=12, total=500, eta=30.0, text="loss 0.1234",
                         stage="generating"))
    assert "12/500" in state.text() and "loss 0.1234" in state.text()
    state.apply(JobEvent("progress", "j", step=13, total=500, stage="generating"))
    assert "loss 0.1234" in state.text()  # kept until the next figure


def test_forget_term_marks_a_lora_stale_when_it_erases_a_training_image(capsys):
    studio = Studio(backend="thread")
    ids = [make_image(studio, f"harbour {i}") for i in range(7)]
    ids.append(make_image(studio, "lighthouse at night"))
    fake_lora(studio.root, "harbours", ids)
    fake_lora(studio.root, "elsewhere", ids[:3])
    studio.close()
    assert main(["profile", "forget", "--term", "lighthouse"]) == 0
    assert "personal LoRA harbours was trained on an image" in capsys.readouterr().out
    cards = {c["name"]: c for c in personal_loras.list_loras(studio.root)}
    assert cards["harbours"]["stale"] and ids[7] in cards["harbours"]["stale_because"]
    assert not cards["elsewhere"]["stale"]


def test_applying_in_your_style_puts_the_lora_in_the_image_settings(open_window, qtbot):
    win = open_window()
    studio = win.studio
    studio.settings.default_models["image.diffusers"] = "some/model"
    fake_lora(studio.root, "mine", [f"a{i}" for i in range(9)])
    win.panel.modality.setCurrentText("image")
    win.panel.generator.setCurrentIndex(win.panel.generator.findData("image.diffusers"))
    view = win.suggestions
    view.refresh_now()

    def card():
        return next((c for c in view.cards() if "mine" in c.text.text()), None)

    qtbot.waitUntil(lambda: card() is not None, timeout=20000)
    card().apply_button.click()
    assert win.panel.params.values()["loras"] == "mine:0.8"
