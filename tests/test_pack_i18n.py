"""The packs' catalogues (<package>/i18n/<lang>.json) and the built-in packs' Chinese."""

import importlib
import json
import logging
import re
import sys
from pathlib import Path

import pytest
import tomllib

from studio.app import pack_i18n
from studio.app.pack_i18n import PackTexts, declared_texts, load_catalogue, package_of
from studio.app.plugins import PluginHost

ROOT = Path(__file__).resolve().parents[1]
PACKS = {"image": "studio_image", "writing": "studio_writing", "music": "studio_music",
         "video": "studio_video"}

PLUGIN = '''
from studio.api import GeneratorInfo, Param, hookimpl

STUDIO_API_VERSION = {api}


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(
        id="{name}.gen", name="Sketchy lines", modality="image", tasks=("txt2img",),
        factory="{name}.plugin:Nothing",
        params=(Param("steps", "int", 4, min=1, max=9, help="how many passes"),
                Param("pen", "choice", "ink", choices=("ink", "pencil"), label="Pen"),
                Param("wobble", "float", 0.5, help="untranslated help")),
    ))
'''


@pytest.fixture(autouse=True)
def _fresh_cache():
    load_catalogue.cache_clear()
    yield
    load_catalogue.cache_clear()


@pytest.fixture
def make_pack(tmp_path, monkeypatch):
    """A pack package on sys.path with the given catalogue text (or none)."""
    from studio.api import API_VERSION

    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(catalogue: str | bytes | None, language: str = "zh_CN") -> PluginHost:
        name = f"sketchy_pack_{len(made)}_{tmp_path.name[-8:].replace('-', '_')}"
        package = tmp_path / name
        (package / "i18n").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "plugin.py").write_text(PLUGIN.format(api=API_VERSION, name=name))
        if catalogue is not None:
            raw = catalogue.encode("utf-8") if isinstance(catalogue, str) else catalogue
            (package / "i18n" / f"{language}.json").write_bytes(raw)
        made.append(name)
        host = PluginHost()
        record = host.register_module(importlib.import_module(f"{name}.plugin"), "sketchy")
        assert record.status == "ok", record.error
        return host

    yield make
    for name in made:
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]


GOOD = json.dumps({"Sketchy lines": "草图线条", "Steps": "步数",
                   "how many passes": "描画遍数", "pencil": "铅笔", "Pen": "笔"},
                  ensure_ascii=False)


def test_a_pack_label_help_choice_and_name_are_translated(make_pack):
    host = make_pack(GOOD)
    texts = PackTexts(host, "zh_CN")
    assert texts.translate("sketchy", "Steps") == "步数"
    assert texts.translate("sketchy", "how many passes") == "描画遍数"
    tr = texts.for_generator(next(iter(host.generators)))
    assert tr("Sketchy lines") == "草图线条"
    assert tr("pencil") == "铅笔"


def test_a_text_the_catalogue_lacks_stays_english(make_pack):
    texts = PackTexts(make_pack(GOOD), "zh_CN")
    assert texts.translate("sketchy", "untranslated help") == "untranslated help"
    assert texts.translate("sketchy", "ink") == "ink"
    assert texts.translate("sketchy", "") == ""
    # A pack nobody registered, or no pack at all, has no catalogue.
    assert texts.translate("nobody", "Steps") == "Steps"


def test_a_language_without_a_catalogue_stays_english(make_pack):
    host = make_pack(GOOD)
    assert PackTexts(host, "fr").translate("sketchy", "Steps") == "Steps"
    assert PackTexts(host, "en").translate("sketchy", "Steps") == "Steps"
    assert PackTexts(host, "../../etc").translate("sketchy", "Steps") == "Steps"


@pytest.mark.parametrize("broken", [
    '{"Steps": "步数",',            # cut short
    '["Steps", "步数"]',           # not an object
    b'{"Steps": "\xff\xfe"}',     # not UTF-8
])
def test_a_broken_catalogue_logs_one_warning_and_stays_english(make_pack, caplog, broken):
    host = make_pack(broken)
    texts = PackTexts(host, "zh_CN")
    with caplog.at_level(logging.WARNING, logger=pack_i18n.__name__):
        for _ in range(5):
            assert texts.translate("sketchy", "Steps") == "Steps"
            assert texts.translate("sketchy", "Pen") == "Pen"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "sketchy_pack" in warnings[0].getMessage()
    assert "English" in warnings[0].getMessage()


def test_entries_that_are_not_text_are_left_out(make_pack, caplog):
    host = make_pack(json.dumps({"Steps": "步数", "Pen": 3, "Sketchy lines": ""}))
    texts = PackTexts(host, "zh_CN")
    with caplog.at_level(logging.WARNING, logger=pack_i18n.__name__):
        assert texts.translate("sketchy", "Steps") == "步数"
        assert texts.translate("sketchy", "Pen") == "Pen"
        assert texts.translate("sketchy", "Sketchy lines") == "Sketchy lines"
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_the_package_is_the_entry_modules_package():
    import studio_image.plugin

    assert package_of(studio_image.plugin) == "studio_image"
    assert package_of(importlib.import_module("studio_image")) == "studio_image"
    assert package_of(sys.modules["json"]) == "json"
    top = type(sys)("lonely_module")  # a pack that is one top-level module
    assert package_of(top) == ""
    assert load_catalogue("", "zh_CN") == {}


# -- the built-in packs ------------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_host():
    host = PluginHost()
    host.discover()
    for pack in PACKS:
        assert host.records[pack].status == "ok", host.records[pack].error
    return host


def _catalogue(pack: str) -> dict[str, str]:
    path = ROOT / "plugins" / pack / PACKS[pack] / "i18n" / "zh_CN.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_a_builtin_catalogue_covers_every_text_its_pack_declares(builtin_host, pack):
    catalogue = _catalogue(pack)
    declared: set[str] = set()
    for gid in builtin_host.records[pack].generators:
        info = builtin_host.generators[gid]
        declared |= set(declared_texts(info))
        # A choice that reads as a word is shown to the user: it needs a name too.
        declared |= {c for p in info.params.params for c in p.choices
                     if re.search(r"[A-Za-z]", c)}
    missing = sorted(declared - set(catalogue))
    assert missing == [], f"add these to {PACKS[pack]}/i18n/zh_CN.json"
    names = {m.name for gid in builtin_host.records[pack].generators
             for m in builtin_host.generators[gid].models}  # renamed where it helps
    stale = sorted(set(catalogue) - declared - names)
    assert stale == [], "the pack no longer declares these"
    assert all(v.strip() for v in catalogue.values())


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_the_host_reads_a_builtin_catalogue_through_its_package(builtin_host, pack):
    texts = PackTexts(builtin_host, "zh_CN")
    gid = builtin_host.records[pack].generators[0]
    info = builtin_host.generators[gid]
    assert texts.for_generator(gid)(info.name) == _catalogue(pack)[info.name]
    assert texts.modality(info.modality) == _catalogue(pack)[info.modality]


def test_the_words_chinese_tools_use(builtin_host):
    texts = PackTexts(builtin_host, "zh_CN")
    image = texts.for_generator("image.diffusers")
    assert image("Steps") == "步数"
    assert image("Negative prompt") == "反向提示词"
    assert image("Sampler") == "采样器"
    assert image("Change amount") == "重绘强度"
    assert image("txt2img") == "文生图"
    assert texts.task("rewrite") == "改写"


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_a_builtin_pack_ships_its_catalogues_as_package_data(pack):
    project = tomllib.loads((ROOT / "plugins" / pack / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"][PACKS[pack]]
    assert "i18n/*.json" in data


def test_the_bundle_collects_the_catalogues():
    spec = (ROOT / "packaging" / "studio.spec").read_text()
    assert 'collect_data_files(pack, includes=["i18n/*.json"])' in spec
    template = ROOT / "packaging" / "pack-template"
    assert json.loads((template / "studio_noise" / "i18n" / "zh_CN.json").read_text("utf-8"))
    assert "package-data" in (template / "pyproject.toml").read_text()


def test_the_template_catalogue_covers_the_template_pack(monkeypatch):
    template = ROOT / "packaging" / "pack-template"
    monkeypatch.syspath_prepend(str(template))
    plugin = importlib.import_module("studio_noise.plugin")
    try:
        infos = []
        plugin.studio_register_generators(infos.append)
        catalogue = json.loads((template / "studio_noise" / "i18n" / "zh_CN.json")
                               .read_text(encoding="utf-8"))
        declared = {t for info in infos for t in declared_texts(info)}
        assert declared and declared <= set(catalogue)
    finally:
        for name in [m for m in sys.modules if m.startswith("studio_noise")]:
            del sys.modules[name]
