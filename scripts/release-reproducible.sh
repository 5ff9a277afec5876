#!/usr/bin/env bash
# Builds the release twice from this checkout and fails unless both builds are the same bytes
# (release/SHA256SUMS and every file it lists). The second build is left in release/.
set -euo pipefail
cd "$(dirname "$0")/.."
first=$(mktemp -d)
trap 'rm -rf "$first"' EXIT
npm run --silent release >/dev/null
cp -a release/. "$first"
npm run --silent release >/dev/null
if ! cmp -s "$first/SHA256SUMS" release/SHA256SUMS; then
  echo "release-reproducible: two builds of the same commit differ:" >&2
  diff "$first/SHA256SUMS" release/SHA256SUMS >&2 || true
  exit 1
fi
(cd release && sha256sum --quiet -c SHA256SUMS)
echo "release-reproducible: two builds are identical:"
cat release/SHA256SUMS
