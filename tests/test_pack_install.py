"""Third-party packs: the template built into a wheel, installed, run, uninstalled; and
every refusal, with nothing installed. Offline: pip sees no index, only the test's
own folder of wheels. Installs go into a temporary plugins folder (``--target``),
never into the project's environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.api import StudioError
from studio.app import pack_install
from studio.cli.main import main
from tests.fakes.wheels import make_wheel

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "packaging" / "pack-template"

PLUGIN_SOURCE = '''
from studio.api import hookimpl
STUDIO_API_VERSION = {api}

@hookimpl
def studio_register_generators(register):
    pass
'''


@pytest.fixture(autouse=True)
def _never_into_the_project_environment(monkeypatch):
    """Whatever breaks, no test may install into or uninstall from the project's .venv."""
    real = pack_install._run_pip

    def guarded(args, what, timeout=pack_install.PIP_TIMEOUT_S):
        if args[0] == "uninstall" or (args[0] == "install" and "--dry-run" not in args
                                      and "--target" not in args):
            pytest.fail(f"pip {' '.join(args)} would change the project's environment")
        return real(args, what, timeout)

    monkeypatch.setattr(pack_install, "_run_pip", guarded)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """pip with no index: only the wheels in ``links`` can be found."""
    links = tmp_path / "links"
    links.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv(pack_install.ENV_PLUGINS_DIR, str(tmp_path / "plugins"))
    monkeypatch.setattr(sys, "path", list(sys.path))  # discovery appends the plugins folder
    return links


@pytest.fixture(scope="module")
def template_wheel(tmp_path_factory):
    """The template pack built offline with the studio's own setuptools."""
    work = tmp_path_factory.mktemp("template")
    source = work / "src"
    shutil.copytree(TEMPLATE, source)  # the build writes egg-info beside the sources
    out = work / "dist"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", str(source), "-w", str(out)],
                   check=True, env=env, capture_output=True)
    (wheel,) = out.glob("studio_noise-*.whl")
    return wheel


def pack_wheel(folder: Path, name: str = "studio-extra", api: str = "1",
               requires: tuple[str, ...] = ()) -> Path:
    module = name.replace("-", "_")
    return make_wheel(folder, name, "1.0", {f"{module}/__init__.py": PLUGIN_SOURCE.format(api=api)},
                      requires=requires,
                      entry_points=f"[studio.plugins]\nextra = {module}\n")


def studio_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {}), "QT_QPA_PLATFORM": "offscreen",
           "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "studio.cli.main", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def plugins_folder_empty() -> bool:
    folder = pack_install.plugins_dir()
    return not folder.exists() or not any(folder.iterdir())


def test_template_reads_as_a_pack(template_wheel):
    pack = pack_install.read_wheel(template_wheel)
    assert pack.dist == "studio-noise" and pack.version == "0.1.0"
    assert pack.entry_points == {"noise": "studio_noise.plugin"}
    assert pack.api_versions == {"noise": 1}
    pack_install.check_compatible(pack)


def test_template_installs_runs_and_uninstalls(template_wheel, offline, tmp_path):
    target = pack_install.plugins_dir()
    lines: list[str] = []
    pack = pack_install.install(str(template_wheel), target=target, progress=lines.append)
    assert pack.dist == "studio-noise"
    assert (target / "studio_noise" / "plugin.py").is_file()
    assert "restart Studio" in lines[-1]
    # numpy and pillow are the studio's: nothing but the pack went into the folder
    assert sorted(p.name for p in target.iterdir() if not p.name.startswith(".")) == [
        "studio_noise", "studio_noise-0.1.0.dist-info"]

    env = {pack_install.ENV_PLUGINS_DIR: str(target),
           "STUDIO_DATA_DIR": str(tmp_path / "data")}
    listed = studio_cli("plugins", "list", "--json", env_extra=env)
    assert listed.returncode == 0, listed.stderr
    noise = [p for p in json.loads(listed.stdout) if p["id"] == "noise"]
    assert noise and noise[0]["status"] == "ok" and noise[0]["distribution"] == "studio-noise"
    assert noise[0]["generators"] == ["noise.image"]

    out = tmp_path / "out"
    made = studio_cli("generate", "image", "--generator", "noise.image", "--seed", "7",
                      "--set", "width=64", "--set", "height=48", "--set", "scale=8",
                      "--out", str(out), "--json", env_extra=env)
    assert made.returncode == 0, made.stderr
    import numpy as np
    from PIL import Image

    (png,) = out.glob("*.png")
    with Image.open(png) as img:
        assert img.size == (64, 48)
        assert len(np.unique(np.asarray(img.convert("L")))) > 20  # noise, not a flat fill

    assert main(["plugins", "uninstall", "noise"]) == 0
    assert not (target / "studio_noise").exists()
    assert not any(target.glob("studio_noise*"))
    listed = studio_cli("plugins", "list", "--json", env_extra=env)
    assert "noise" not in {p["id"] for p in json.loads(listed.stdout)}


def test_cli_install_by_path_into_the_plugins_folder(template_wheel, offline, capsys):
    target = pack_install.plugins_dir()
    assert main(["plugins", "install", str(template_wheel), "--target", str(target)]) == 0
    out = capsys.readouterr().out
    assert "installed studio-noise 0.1.0; restart Studio to load it" in out
    assert main(["plugins", "uninstall", "studio-noise"]) == 0  # by distribution name
    assert plugins_folder_empty() or not any(target.glob("studio_noise*"))


def test_a_new_dependency_goes_into_the_plugins_folder_too(offline, tmp_path):
    make_wheel(offline, "leftpad", "1.0", {"leftpad/__init__.py": "PAD = ' '\n"})
    wheel = pack_wheel(tmp_path / "w", requires=("leftpad>=1", "numpy"))
    target = pack_install.plugins_dir()
    pack_install.install(str(wheel), target=target)
    names = {p.name for p in target.iterdir()}
    assert {"studio_extra", "leftpad"} <= names
    # numpy is the studio's; a copy of the same version may sit behind it, never another
    for info in target.glob("numpy-*.dist-info"):
        assert info.name == f"numpy-{pack_install.host_distributions()['numpy']}.dist-info"
    assert pack_install.uninstall("extra") == "studio-extra"
    assert not (target / "studio_extra").exists() and (target / "leftpad").exists()


def test_not_a_pack_is_refused(offline, tmp_path, capsys):
    plain = make_wheel(tmp_path / "w", "leftpad", "1.0", {"leftpad/__init__.py": ""})
    assert main(["plugins", "install", str(plain)]) == 2
    err = capsys.readouterr().err
    assert err == ("studio: leftpad-1.0-py3-none-any.whl (leftpad) is not a Studio pack: it "
                   "declares no entry point in the group 'studio.plugins'\n")
    garbage = tmp_path / "broken-1.0-py3-none-any.whl"
    garbage.write_bytes(b"not a zip")
    assert main(["plugins", "install", str(garbage)]) == 2
    assert "is not a readable wheel" in capsys.readouterr().err
    assert plugins_folder_empty()


def test_newer_api_version_is_refused(offline, tmp_path, capsys):
    wheel = pack_wheel(tmp_path / "w", api="2")
    assert main(["plugins", "install", str(wheel)]) == 2
    err = capsys.readouterr().err
    assert "needs plugin API 2; this Studio speaks 1: update Studio first" in err
    assert err.count("\n") == 1 and plugins_folder_empty()


def test_api_version_that_cannot_be_read_is_refused(offline, tmp_path):
    wheel = pack_wheel(tmp_path / "w", api="int('1')")
    with pytest.raises(StudioError, match="declares no STUDIO_API_VERSION"):
        pack_install.install(str(wheel), target=pack_install.plugins_dir())
    assert plugins_folder_empty()


def test_a_pack_needing_a_newer_studio_is_refused(offline, tmp_path):
    wheel = pack_wheel(tmp_path / "w", requires=("studio>=99",))
    with pytest.raises(StudioError, match=r"needs studio>=99; this is Studio"):
        pack_install.install(str(wheel), target=pack_install.plugins_dir())


def test_a_pack_that_would_replace_torch_is_refused(offline, tmp_path):
    import torch  # noqa: F401  (its distribution is what must not change)

    make_wheel(offline, "torch", "0.0.1", {"torch/__init__.py": ""})
    wheel = pack_wheel(tmp_path / "w", requires=("torch==0.0.1",))
    with pytest.raises(StudioError) as err:
        pack_install.install(str(wheel), target=pack_install.plugins_dir())
    message = str(err.value)
    have = pack_install.host_distributions()["torch"]
    assert f"would change the studio's own packages (torch {have} -> 0.0.1)" in message
    assert "nothing installed" in message and "\n" not in message
    assert plugins_folder_empty()


def test_the_dry_run_guards_the_studio_environment(offline, tmp_path, monkeypatch):
    """Without --target the real install never runs when the dry run shows a change."""
    make_wheel(offline, "torch", "0.0.1", {"torch/__init__.py": ""})
    wheel = pack_wheel(tmp_path / "w", requires=("torch==0.0.1",))
    real = pack_install._run_pip
    calls = []

    def guarded(args, what, timeout=pack_install.PIP_TIMEOUT_S):
        calls.append(args)
        assert "--dry-run" in args, "a real install into the project's environment"
        return real(args, what, timeout)

    monkeypatch.setattr(pack_install, "_run_pip", guarded)
    with pytest.raises(StudioError, match=r"\(torch [^ ]+ -> 0\.0\.1\)"):
        pack_install.install(str(wheel))
    assert len(calls) == 1


def test_the_constraints_pin_every_host_distribution():
    host = pack_install.host_distributions()
    text = pack_install.constraints_text(host, skip=["studio-noise"])
    lines = set(text.splitlines())
    for name in ("torch", "torchaudio", "pyside6", "studio", "numpy"):
        assert f"{name}=={host[name]}" in lines
    assert not any(line.startswith("studio-noise==") for line in lines)


def test_an_unresolvable_name_is_one_line(offline, capsys):
    assert main(["plugins", "install", "studio-no-such-pack"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: fetching studio-no-such-pack failed: ")
    assert "No matching distribution found for studio-no-such-pack" in err
    assert err.count("\n") == 1 and plugins_folder_empty()


def test_no_network_is_one_line(offline, monkeypatch, capsys):
    monkeypatch.delenv("PIP_NO_INDEX")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    assert main(["plugins", "install", "studio-far-away"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: fetching studio-far-away failed: ") and err.count("\n") == 1
    assert plugins_folder_empty()


def test_bad_names_for_uninstall(offline, capsys):
    assert main(["plugins", "uninstall", "nothing-like-it"]) == 2
    assert "no installed pack named 'nothing-like-it'" in capsys.readouterr().err
    assert main(["plugins", "uninstall", "torch"]) == 2
    assert "torch is not a Studio pack" in capsys.readouterr().err
    assert main(["plugins", "uninstall", "image"]) == 2
    assert "built into Studio" in capsys.readouterr().err
    import torch

    assert torch.__version__.startswith("2.11")


def test_a_frozen_app_unpacks_a_pure_pack_into_the_plugins_folder(template_wheel, offline,
                                                                   monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(pack_install, "_run_pip", lambda *a, **k: pytest.fail("pip ran"))
    pack_install.install(str(template_wheel))
    target = pack_install.plugins_dir()
    assert (target / "studio_noise" / "generator.py").is_file()
    assert (target / "studio_noise-0.1.0.dist-info" / "INSTALLER").read_text() == "studio\n"
    monkeypatch.setattr(sys, "frozen", False)
    env = {pack_install.ENV_PLUGINS_DIR: str(target), "STUDIO_DATA_DIR": str(tmp_path / "d")}
    listed = studio_cli("plugins", "list", "--json", env_extra=env)
    noise = [p for p in json.loads(listed.stdout) if p["id"] == "noise"]
    assert noise and noise[0]["status"] == "ok"
    pack_install.uninstall("noise")
    assert not any(target.iterdir())


def test_a_frozen_app_refuses_what_it_cannot_satisfy(offline, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    wheel = pack_wheel(tmp_path / "w", requires=("leftpad>=1", "numpy"))
    with pytest.raises(StudioError, match=r"needs leftpad>=1, which this build of Studio "
                                          r"does not have; refused, nothing installed"):
        pack_install.install(str(wheel))
    assert plugins_folder_empty()
    with pytest.raises(StudioError, match=r"installs packs from a \.whl file, not by name"):
        pack_install.install("studio-noise")

