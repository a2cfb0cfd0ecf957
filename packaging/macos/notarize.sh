#!/usr/bin/env bash
# Notarize and staple the signed .dmg that build_dmg.sh made.
#
#   packaging/macos/notarize.sh dist/installer/Studio-<version>-macos-arm64.dmg
#
# Credentials (placeholders; CI passes them as secrets):
#   STUDIO_NOTARY_PROFILE   a keychain profile made once with
#                           `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`
# or all three of
#   STUDIO_APPLE_ID         the Apple ID (e.g. dev@example.org)
#   STUDIO_TEAM_ID          the team id (e.g. ABCDE12345)
#   STUDIO_APP_PASSWORD     an app-specific password
set -euo pipefail
DMG=${1:?usage: notarize.sh PATH.dmg}
[ -f "$DMG" ] || { echo "studio: no such file: $DMG" >&2; exit 2; }
if [ -n "${STUDIO_NOTARY_PROFILE:-}" ]; then
    AUTH=(--keychain-profile "$STUDIO_NOTARY_PROFILE")
elif [ -n "${STUDIO_APPLE_ID:-}" ] && [ -n "${STUDIO_TEAM_ID:-}" ] && [ -n "${STUDIO_APP_PASSWORD:-}" ]; then
    AUTH=(--apple-id "$STUDIO_APPLE_ID" --team-id "$STUDIO_TEAM_ID" --password "$STUDIO_APP_PASSWORD")
else
    echo "studio: no notarization credentials (STUDIO_NOTARY_PROFILE, or STUDIO_APPLE_ID, STUDIO_TEAM_ID and STUDIO_APP_PASSWORD)" >&2
    exit 2
fi
# --wait: returns when Apple has an answer; a rejection exits non-zero and the log says why.
xcrun notarytool submit "$DMG" "${AUTH[@]}" --wait
xcrun stapler staple "$DMG"
xcrun stapler validate "$DMG"
