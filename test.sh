#!/usr/bin/env bash
# Runs every pacslite test on a fresh machine that has Go and gcc: formatting,
# vet, all unit and conformance tests with the race detector (the conformance
# tests build and start the real server on loopback), the conformance tests
# again with instances stored in S3, and a short run of each fuzz target.
# It installs the S3 server the tests talk to (versitygw, built with
# `go install` into GOPATH/bin, once) and runs it on loopback for the
# duration of the run.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

# --- codec libraries (pixel decoding, dicomweb/pixels/codec) ---------------
scripts/deps.sh
# --- end codec libraries ----------------------------------------------------

VERSITYGW_VERSION=v1.8.0
cleanup=() # commands run at exit, last added first
trap 'for ((i = ${#cleanup[@]} - 1; i >= 0; i--)); do eval "${cleanup[i]}"; done' EXIT

# start_s3 installs versitygw if needed, starts it on a free loopback port
# serving a temporary folder, and exports the PACSLITE_TEST_S3_* variables
# the tests read (see store/blob/s3blob/s3test).
start_s3() {
  local bin dir port pid key secret
  bin="$(go env GOPATH)/bin/versitygw"
  if ! go version -m "$bin" 2>/dev/null | grep -q "mod[[:space:]]*github.com/versity/versitygw[[:space:]]*$VERSITYGW_VERSION"; then
    local t0=$SECONDS
    go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
    echo "installed versitygw $VERSITYGW_VERSION in $((SECONDS - t0)) s"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pacslite-s3.XXXXXX")
  cleanup+=("rm -rf '$dir'")
  mkdir -p "$dir/root/pacslite-test"
  key="pacslite-test-key"
  secret="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi # taken
    # --bucketlinks: a symlink in the root is a bucket (conformance/s3_test.go).
    "$bin" --access "$key" --secret "$secret" --port "127.0.0.1:$port" \
      posix --bucketlinks "$dir/root" >"$dir/versitygw.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      cleanup+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null || true")
      export PACSLITE_TEST_S3_ENDPOINT="127.0.0.1:$port" PACSLITE_TEST_S3_ACCESS_KEY="$key" \
        PACSLITE_TEST_S3_SECRET_KEY="$secret" PACSLITE_TEST_S3_BUCKET=pacslite-test \
        PACSLITE_TEST_S3_DIR="$dir/root"
      echo "versitygw $VERSITYGW_VERSION on 127.0.0.1:$port serving $dir/root"
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "could not start versitygw:"; cat "$dir/versitygw.log"; return 1
}

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "S3 test server"
start_s3

# --- portal browser tests (portal/e2e): Debian's Chromium and playwright-core.
# TestPortalBrowser in ./cmd/pacslite drives them; under CI=true it fails
# when they are missing, elsewhere it skips.
step "browser for the portal tests"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Debian's chromium is missing: sudo apt-get install chromium"
  fi
fi
if command -v npm >/dev/null; then
  npm ci --prefix portal/e2e --no-audit --no-fund --loglevel=error
else
  echo "npm is missing: the portal browser test will not run"
fi
# --- end portal browser tests

# --- OHIF browser test (viewers/ohif; TestOHIF in ./conformance) -----------
# OHIF v3 against the archive in Debian's Chromium, driven by playwright-core.
# Installs only what is missing: Chromium, Node and npm (apt), then
# viewers/ohif/install.sh (playwright-core from the committed lockfile, the
# pinned @ohif/app build into viewers/ohif/dist). Under CI=true TestOHIF
# fails when any of it is missing; elsewhere it skips.
step "OHIF for the viewer test"
ohif_pkgs=()
[ -x /usr/bin/chromium ] || ohif_pkgs+=(chromium)
command -v node >/dev/null || ohif_pkgs+=(nodejs)
command -v npm >/dev/null || ohif_pkgs+=(npm)
if [ ${#ohif_pkgs[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${ohif_pkgs[@]}" >/dev/null
fi
viewers/ohif/install.sh
# --- end OHIF browser test ---------------------------------------------------

# --- radiology reporting (issue 8: portal/report*, portal/reportpdf) --------
# poppler-utils gives pdftotext and pdftoppm: the report PDF tests extract its
# text (Devanagari, CJK, accents) to prove it round-trips, and the browser
# test renders the downloaded PDF to a screenshot. Under CI=true a missing
# pdftotext fails those tests instead of skipping.
step "poppler-utils for the report PDF tests"
if ! command -v pdftotext >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
fi
pdftotext -v 2>&1 | head -1
# --- end radiology reporting -------------------------------------------------

step "tests (race detector)"
go test -race -count=1 -timeout 20m ./...

step "conformance tests on S3 (race detector)"
PACSLITE_CONFORMANCE_BLOB=s3 go test -race -count=1 -timeout 20m ./conformance/

step "fuzzing (short)"
fuzz() { go test -run='^$' -fuzz="^$2\$" -fuzztime="${FUZZTIME:-15s}" "$1"; }
fuzz ./dicomweb/dataset FuzzParse
fuzz ./dicomweb FuzzSTOWMultipart
fuzz ./dicomweb FuzzSTOWReader
fuzz ./dicomweb FuzzQIDOQuery
fuzz ./dicomweb/dicomjson FuzzUnmarshal


# --- benchmark quick mode (issue 5, cmd/pacslite-bench) ---------------------
# Proves the side-by-side benchmark runs end to end (under 3 minutes): a small
# synthetic archive sent to pacslite (and to Orthanc when Debian's orthanc and
# orthanc-dicomweb are installed), every measurement once. No timing is
# asserted; the table goes to the log, nothing is recorded in the repository.
step "benchmark (pacslite-bench --quick)"
go run ./cmd/pacslite-bench --quick
step "benchmark quick mode done"

step "all tests passed"
# --- end of benchmark quick mode ---------------------------------------------
