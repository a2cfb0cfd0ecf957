#!/usr/bin/env bash
# Make the runtime lock files (packaging/locks/<os>-<arch>-<variant>-py<XY>.txt) with
# the pinned uv. Each lock pins torch and torchaudio with every dependency and its
# hashes, for one platform, from the index that publishes that build:
#   PyPI: Linux x86_64/arm64 CUDA 13.0 (PyPI's default torch there), Windows CPU, macOS arm64
#   download.pytorch.org/whl/<variant>: the other CUDA lines and Linux CPU.
# A lock whose index cannot be reached is reported and skipped; the others are made.
# Usage: packaging/make_locks.sh [PYTHON_VERSION]   (default: 3.11)
set -u
cd "$(dirname "$0")/.."
PY="${1:-3.11}"
TAG="py${PY/./}"
UV="${UV:-.venv/bin/uv}"
IN=packaging/locks/requirements.in
PYPI=https://pypi.org/simple
TORCH=https://download.pytorch.org/whl

# os arch variant uv-platform index
TARGETS="
linux x86_64 cpu x86_64-manylinux_2_28 $TORCH/cpu
linux x86_64 cu126 x86_64-manylinux_2_28 $TORCH/cu126
linux x86_64 cu128 x86_64-manylinux_2_28 $TORCH/cu128
linux x86_64 cu130 x86_64-manylinux_2_28 $PYPI
linux arm64 cpu aarch64-manylinux_2_28 $TORCH/cpu
linux arm64 cu128 aarch64-manylinux_2_28 $TORCH/cu128
linux arm64 cu130 aarch64-manylinux_2_28 $PYPI
windows x86_64 cpu x86_64-pc-windows-msvc $PYPI
windows x86_64 cu126 x86_64-pc-windows-msvc $TORCH/cu126
windows x86_64 cu128 x86_64-pc-windows-msvc $TORCH/cu128
windows x86_64 cu130 x86_64-pc-windows-msvc $TORCH/cu130
darwin arm64 mps aarch64-apple-darwin $PYPI
"

made=0 failed=0
while read -r os arch variant platform index; do
    [ -z "$os" ] && continue
    out="packaging/locks/$os-$arch-$variant-$TAG.txt"
    args=(pip compile "$IN" --python-version "$PY" --python-platform "$platform"
          --generate-hashes --emit-index-url --no-header --quiet -o "$out.tmp")
    if [ "$index" = "$PYPI" ]; then
        args+=(--index-url "$PYPI")
    else
        # uv asks the first index that has a package: torch's own builds first.
        args+=(--index-url "$PYPI" --extra-index-url "$index")
    fi
    if "$UV" "${args[@]}" 2>"$out.err"; then
        mv "$out.tmp" "$out"; rm -f "$out.err"; made=$((made + 1))
        echo "made $out"
    else
        echo "skipped $out: $(grep -m1 -i error "$out.err" || tail -1 "$out.err")" >&2
        rm -f "$out.tmp" "$out.err"; failed=$((failed + 1))
    fi
done <<< "$TARGETS"
echo "$made locks made, $failed skipped"
[ "$made" -gt 0 ]
