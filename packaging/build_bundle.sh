#!/usr/bin/env bash
# Build the one-folder bundle: dist/studio/ (and dist/Studio.app on macOS).
# Usage: packaging/build_bundle.sh   (VENV=... to use another environment)
# Prints the build time and the bundle's size at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ -x "$VENV/bin/python" ]; then PY="$VENV/bin/python"; else PY="$VENV/Scripts/python.exe"; fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "studio: PyInstaller is not installed in $VENV; run: $PY -m pip install -e '.[dev]'" >&2
    exit 2
fi
# The bundle ships whichever torch the environment has: say which, since a CUDA build
# makes it several GB larger than the CPU one.
"$PY" - <<'PYEOF'
import importlib.metadata as md
import torch.version as v
cuda = v.cuda
print(f"bundling torch {md.version('torch')} ("
      + (f"CUDA {cuda} build: the bundle carries the CUDA libraries" if cuda else "CPU build")
      + ")")
PYEOF
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/studio.spec
end=$(date +%s)
echo "bundle built in $((end - start)) s"
du -sh dist/studio
