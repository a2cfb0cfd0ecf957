import importlib.metadata as md
import json
import os
import subprocess
import sys
import textwrap
import types

import pytest

from studio.api import GeneratorInfo, hookimpl
from studio.app.plugins import PluginHost

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _ep(name, value):
    return md.EntryPoint(name=name, value=value, group="studio.plugins")


def _module(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    return mod


def test_fake_pack_is_discovered_with_generators(fake_entry_points):
    host = PluginHost()
    host.discover()
    rec = host.records["fake"]
    assert rec.status == "ok", rec.error
    assert rec.generators == ["fake.image", "fake.text"]
    assert rec.modalities == ["image", "text"]
    assert host.generator("fake.image").default_model == "fake/model-a"
    assert host.styles[0]["name"] == "Fake watercolor" and host.styles[0]["plugin"] == "fake"


def test_broken_import_is_isolated(fake_entry_points):
    fake_entry_points.insert(0, _ep("broken", "tests.fakes.does_not_exist"))
    host = PluginHost()
    host.discover()
    assert host.records["broken"].status == "error"
    assert "ModuleNotFoundError" in host.records["broken"].error
    assert host.records["fake"].status == "ok"


def test_wrong_api_version_and_missing_version_are_refused():
    host = PluginHost()
    old = host.register_module(_module("old", STUDIO_API_VERSION=0), "old")
    none = host.register_module(_module("none"), "none")
    assert old.status == "error" and "plugin API 0" in old.error
    assert none.status == "error" and "STUDIO_API_VERSION" in none.error


def test_raising_hook_fails_only_that_pack():
    @hookimpl
    def studio_register_generators(register):
        raise RuntimeError("hook exploded")

    good_info = GeneratorInfo(id="good.g", name="G", modality="text", tasks=("chat",),
                              factory="m:C")

    @hookimpl
    def good_register(register):
        register(good_info)

    host = PluginHost()
    bad = host.register_module(_module("bad", STUDIO_API_VERSION=1,
                                       studio_register_generators=studio_register_generators),
                               "bad")
    good = host.register_module(
        _module("good", STUDIO_API_VERSION=1, studio_register_generators=good_register), "good"
    )
    assert bad.status == "error" and "hook exploded" in bad.error
    assert good.status == "ok" and host.generators == {"good.g": good_info}


def test_duplicate_generator_id_and_hook_typos_are_errors():
    info = GeneratorInfo(id="dup", name="D", modality="text", tasks=("chat",), factory="m:C")

    @hookimpl
    def reg(register):
        register(info)

    host = PluginHost()
    host.register_module(_module("a", STUDIO_API_VERSION=1, studio_register_generators=reg), "a")
    b = host.register_module(_module("b", STUDIO_API_VERSION=1, studio_register_generators=reg),
                             "b")
    assert b.status == "error" and "already registered by a" in b.error
    typo = host.register_module(
        _module("t", STUDIO_API_VERSION=1, studio_register_generator=reg), "t"
    )
    assert typo.status == "error" and "studio_register_generator" in typo.error


def test_disabled_safe_mode_and_allowlist(fake_entry_points, monkeypatch):
    host = PluginHost(disabled=["fake"])
    host.discover()
    assert host.records["fake"].status == "disabled"
    assert not any(g.startswith("fake.") for g in host.generators)
    monkeypatch.setenv("STUDIO_NO_PLUGINS", "1")
    host = PluginHost()
    host.discover()
    assert host.records["fake"].status == "disabled"  # not a built-in distribution
    builtins = [r for r in host.records.values() if r.builtin]
    assert all(r.status == "ok" for r in builtins), [(r.name, r.error) for r in builtins]
    monkeypatch.delenv("STUDIO_NO_PLUGINS")
    monkeypatch.setenv("STUDIO_LOAD_PLUGINS", "other")
    host = PluginHost()
    host.discover()
    assert host.records["fake"].status == "disabled"
    assert "STUDIO_LOAD_PLUGINS" in host.records["fake"].error


def _make_dist(site, dist, module, source):
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.3\n")
    (info / "entry_points.txt").write_text(f"[studio.plugins]\n{module} = {module}\n")


def test_cli_lists_third_party_pack_that_raises_at_import(tmp_path):
    """The issue's acceptance check, through a real installed-distribution layout."""
    site = tmp_path / "site"
    site.mkdir()
    _make_dist(site, "studio-broken-pack", "broken_pack", "raise ImportError('no such lib')\n")
    _make_dist(site, "studio-good-pack", "good_pack", """
        from studio.api import GeneratorInfo, hookimpl
        STUDIO_API_VERSION = 1
        @hookimpl
        def studio_register_generators(register):
            register(GeneratorInfo(id="good.text", name="Good", modality="text",
                                   tasks=("chat",), factory="good_pack:G"))
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), ROOT])}
    out = subprocess.run([sys.executable, "-m", "studio", "plugins", "list", "--json"],
                         capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr
    listed = {p["name"]: p for p in json.loads(out.stdout)}
    assert listed["broken_pack"]["status"] == "error"
    assert "no such lib" in listed["broken_pack"]["error"]
    assert listed["broken_pack"]["distribution"] == "studio-broken-pack"
    good = listed["good_pack"]
    assert (good["status"], good["version"], good["modalities"]) == ("ok", "0.3", ["text"])
    for p in listed.values():
        assert {"id", "name", "version", "modalities", "status", "error"} <= p.keys()


@pytest.mark.parametrize("args", [["--version"], ["plugins", "list", "--json"]])
def test_cheap_commands_import_neither_torch_nor_qt(args):
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['studio', *{args!r}]\n"
        "try:\n    runpy.run_module('studio', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "import studio.app.studio, studio.app.engine, studio.app.library\n"
        "bad = [m for m in ('torch', 'PySide6', 'diffusers', 'transformers') if m in sys.modules]\n"
        "print('HEAVY', bad, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert "HEAVY []" in out.stderr, out.stderr
