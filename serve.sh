#!/usr/bin/env bash
# Runs the archive on the embedded default (./pacslite-data, 127.0.0.1:8042),
# installing the codec libraries it links against first if they are missing.
# Flags go to `pacslite serve` (e.g. ./serve.sh --addr 0.0.0.0:8042).
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
exec go run ./cmd/pacslite serve "$@"
