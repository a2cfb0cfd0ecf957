#!/usr/bin/env bash
# Sign dist/Studio.app inside-out with the hardened runtime, wrap it in a .dmg, sign
# the .dmg. Apple silicon (arm64) builds only. Notarizing is packaging/macos/notarize.sh.
#
#   STUDIO_SIGN_IDENTITY="Developer ID Application: NAME (TEAMID)" packaging/macos/build_dmg.sh
#
# Without an identity the app is signed ad hoc ("-"): it runs on the build machine
# and in CI's smoke test, but Gatekeeper refuses it elsewhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=dist/Studio.app
IDENTITY=${STUDIO_SIGN_IDENTITY:--}
ENTITLEMENTS=packaging/macos/entitlements.plist
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
DMG=dist/installer/Studio-$VERSION-macos-arm64.dmg

[ -d "$APP" ] || { echo "studio: $APP is missing; run packaging/build_bundle.sh first" >&2; exit 2; }
[ "$(uname -m)" = arm64 ] || { echo "studio: build the macOS app on Apple silicon (arm64)" >&2; exit 2; }

sign() {
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$IDENTITY" "$@"
}
# Inside-out: every Mach-O library and extension first, then nested bundles
# (frameworks, Qt plugins), then the executables, then the app itself; signing the
# outer bundle first would be invalidated by signing what is inside it.
find "$APP/Contents" -type f \( -name "*.dylib" -o -name "*.so" \) -print0 |
    while IFS= read -r -d '' f; do sign "$f"; done
find "$APP/Contents" -type f -perm -u+x ! -name "*.dylib" ! -name "*.so" -print0 |
    while IFS= read -r -d '' f; do
        if file -b "$f" | grep -q "Mach-O"; then sign "$f"; fi
    done
find "$APP/Contents" -depth -type d -name "*.framework" -print0 |
    while IFS= read -r -d '' f; do sign "$f"; done
sign "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

mkdir -p dist/installer
rm -f "$DMG"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Studio" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
codesign --force --timestamp --sign "$IDENTITY" "$DMG"
echo "$DMG"
