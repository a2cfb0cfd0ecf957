#!/usr/bin/env bash
# Pack dist/studio into dist/installer/studio-<version>-linux-<arch>.tar.gz with the
# .desktop file, the icon and an install script for the user's own menu (no root).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x dist/studio/studio ] || { echo "studio: dist/studio is missing; run packaging/build_bundle.sh first" >&2; exit 2; }
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
NAME=studio-$VERSION-linux-$(uname -m)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME"
cp -a dist/studio/. "$STAGE/$NAME/"
cp packaging/linux/studio.desktop "$STAGE/$NAME/studio.desktop"
cp resources/icons/studio.png "$STAGE/$NAME/studio.png"
cp resources/icons/studio.svg "$STAGE/$NAME/studio.svg"
cat > "$STAGE/$NAME/install-desktop-entry.sh" <<'SH'
#!/bin/sh
# Add Studio to this user's application menu, run from where the folder now lives.
set -e
here=$(cd "$(dirname "$0")" && pwd)
apps=${XDG_DATA_HOME:-$HOME/.local/share}/applications
icons=${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps"
cp "$here/studio.png" "$icons/256x256/apps/studio.png"
cp "$here/studio.svg" "$icons/scalable/apps/studio.svg"
sed "s|^Exec=studio|Exec=\"$here/studio\"|" "$here/studio.desktop" > "$apps/studio.desktop"
echo "Studio added to the application menu ($apps/studio.desktop)"
SH
chmod +x "$STAGE/$NAME/install-desktop-entry.sh"
mkdir -p dist/installer
tar -C "$STAGE" -czf "dist/installer/$NAME.tar.gz" "$NAME"
echo "dist/installer/$NAME.tar.gz"
