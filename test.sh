#!/usr/bin/env bash
# Runs every pacslite test on a fresh machine that has Go and gcc: formatting,
# vet, all unit and conformance tests with the race detector (the conformance
# tests build and start the real server on loopback), and a short run of each
# fuzz target. Installs nothing system-wide for now; later stages (S3 server,
# Chromium) are installed here too.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "tests (race detector)"
go test -race -count=1 -timeout 20m ./...

step "fuzzing (short)"
fuzz() { go test -run='^$' -fuzz="^$2\$" -fuzztime="${FUZZTIME:-15s}" "$1"; }
fuzz ./dicomweb/dataset FuzzParse
fuzz ./dicomweb FuzzSTOWMultipart
fuzz ./dicomweb FuzzQIDOQuery

step "all tests passed"
