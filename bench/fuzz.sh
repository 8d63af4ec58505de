#!/usr/bin/env bash
# Fuzzing on the stable toolchain, at length: session-proto's two fuzz targets
# (tests/fuzz_parser.rs: the datagram parser and what is written from what it accepts;
# tests/fuzz_endpoint.rs: a registrar/proxy node and a phone on the in-memory network)
# built in release and fed FUZZ_CASES inputs each (default 10^6).
#
#   bench/fuzz.sh                      # 10^6 inputs per target (several minutes)
#   FUZZ_CASES=100000 bench/fuzz.sh    # quicker
#   FUZZ_SEED=7 bench/fuzz.sh          # another seed (the default is the tests' own)
#   CARGO_JOBS=1 bench/fuzz.sh         # build on one core
#
# Prints, per target: inputs run, wall time, inputs per second, peak resident memory,
# and the panics and broken properties found (0 expected; the failing inputs are kept
# in $FUZZ_FINDINGS, by default a temporary directory that is printed). Two reference
# runs of each target, measured in the same run, give the ratios:
#   * the same number of unmutated corpus messages (FUZZ_MUTATE=0): what malformed
#     input costs per input against valid input;
#   * a tenth of the mutated inputs: peak memory that does not grow with the number
#     of inputs (every session and every parse starts from nothing).
# No network at all: the endpoints talk over an in-memory network on virtual time.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_CASES=${FUZZ_CASES:-1000000}
TENTH=$((FUZZ_CASES / 10))
WORK=$(mktemp -d)
export FUZZ_FINDINGS=${FUZZ_FINDINGS:-$WORK/findings}
trap 'rm -rf "$WORK/out"; rmdir "$WORK/findings" "$WORK" 2>/dev/null || true' EXIT
mkdir -p "$WORK/out"
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 1; }

declare -A TEST=(
    [fuzz_parser]=the_parser_survives_mutated_and_arbitrary_datagrams
    [fuzz_endpoint]=endpoints_survive_mutated_datagrams_and_keep_nothing
)

# executable TARGET -> the path of the release test binary of TARGET (built if needed)
executable() {
    cargo test --release ${CARGO_JOBS:+-j "$CARGO_JOBS"} -q -p session-proto --test "$1" --no-run \
        --message-format=json | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == sys.argv[1]:
        print(m["executable"])' "$1"
}

# run TARGET CASES MUTATE -> "inputs seconds rss_kib crashes violations" (the test's
# summary line and /usr/bin/time's peak RSS); the test's output goes to $WORK/out
run() {
    local target=$1 cases=$2 mutate=$3 log="$WORK/out/$1-$2-$3.log"
    local start end
    start=$(date +%s.%N)
    # No backtrace: resolving one at a failing end would dwarf the peak memory.
    RUST_BACKTRACE=0 FUZZ_CASES=$cases FUZZ_MUTATE=$mutate /usr/bin/time -v "${BIN[$target]}" --exact "${TEST[$target]}" \
        --nocapture --test-threads 1 >"$log" 2>&1 || true
    end=$(date +%s.%N)
    python3 - "$log" "$start" "$end" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
summary = re.search(r"FUZZ target=\S+ seed=\d+ inputs=(\d+) crashes=(\d+) violations=(\d+)", text)
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
if not summary:
    sys.exit(f"no summary line in {sys.argv[1]}:\n{text[-2000:]}")
inputs, crashes, violations = summary.groups()
print(inputs, f"{float(sys.argv[3]) - float(sys.argv[2]):.2f}", rss.group(1) if rss else 0, crashes, violations)
PY
}

echo "== building the fuzz targets (release)"
declare -A BIN
for target in fuzz_parser fuzz_endpoint; do
    BIN[$target]=$(executable "$target")
done

declare -A FULL REF SMALL
for target in fuzz_parser fuzz_endpoint; do
    echo "== $target: $FUZZ_CASES mutated inputs"
    FULL[$target]=$(run "$target" "$FUZZ_CASES" 1)
    echo "== $target: $FUZZ_CASES unmutated corpus messages (reference)"
    REF[$target]=$(run "$target" "$FUZZ_CASES" 0)
    echo "== $target: $TENTH mutated inputs (reference)"
    SMALL[$target]=$(run "$target" "$TENTH" 1)
done

python3 - "${FULL[fuzz_parser]}" "${REF[fuzz_parser]}" "${SMALL[fuzz_parser]}" \
    "${FULL[fuzz_endpoint]}" "${REF[fuzz_endpoint]}" "${SMALL[fuzz_endpoint]}" <<'PY'
import sys
rows = [list(map(float, a.split())) for a in sys.argv[1:]]
print()
print(f"{'':28}{'inputs':>10}{'wall s':>9}{'inputs/s':>11}{'peak RSS KiB':>14}{'crashes':>9}{'broken':>8}")
for name, (full, ref, small) in [("fuzz_parser", rows[0:3]), ("fuzz_endpoint", rows[3:6])]:
    for label, (inputs, secs, rss, crashes, broken) in [
        (name, full), ("  unmutated (reference)", ref), ("  a tenth (reference)", small)
    ]:
        print(f"{label:28}{inputs:>10.0f}{secs:>9.1f}{inputs / max(secs, 1e-9):>11.0f}{rss:>14.0f}{crashes:>9.0f}{broken:>8.0f}")
    speed = lambda r: r[0] / max(r[1], 1e-9)
    print(f"  inputs/s mutated / unmutated: {speed(full) / max(speed(ref), 1e-9):.2f}; "
          f"peak RSS {full[0]:.0f} inputs / {small[0]:.0f} inputs: {full[2] / max(small[2], 1):.2f}")
PY
found=$(find "$FUZZ_FINDINGS" -type f 2>/dev/null | wc -l || true)
if [ "$found" != 0 ]; then echo "failing inputs kept: $found, in $FUZZ_FINDINGS"; else echo "no failing input"; fi
