#!/usr/bin/env bash
# Conference mixing cost of session-media's MixBus (sans-IO, one core), on frames
# already decoded: no sockets, no codec.
#
#   bench/mixer.sh
#
# 1. criterion (session-media/benches/mixer.rs) times one 20 ms tick at N = 3, 10, 50,
#    250 participants, everyone talking (N pushes, the sum, N mix-minus outputs), and,
#    in the same run, a plain copy of the N input frames (memcpy of N × 320 bytes).
#    Printed: ns per participant per frame for both, and mix / copy.
# 2. session-media/benches/mixer_capacity.rs searches the largest N whose tick takes
#    at most 10 ms: the largest conference one core mixes in real time with half the
#    core left free. For scale, PJSIP's conference bridge defaults to 254 ports.
#
# Medians throughout; the cores may be shared, so expect a few percent of noise.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

echo "mixing cost, one tick, everyone talking (criterion medians; copy = memcpy of the N inputs)"
cargo bench --quiet -p session-media --bench mixer >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }

python3 - "$TARGET/criterion/mixer" <<'PY'
import json, sys
root = sys.argv[1]
median = lambda kind, n: json.load(open(f"{root}/{kind}/{n}/new/estimates.json"))["median"]["point_estimate"]
print(f"{'N':>5}  {'mix ns/participant/frame':>25}  {'copy ns/participant/frame':>26}  {'mix/copy':>8}")
for n in (3, 10, 50, 250):
    mix, copy = median("mix", n) / n, median("copy", n) / n
    print(f"{n:>5}  {mix:>25.1f}  {copy:>26.1f}  {mix / copy:>8.1f}")
PY

echo
echo "capacity search: median tick time for growing N, then bisection at 10 ms"
OUT=$(cargo bench --quiet -p session-media --bench mixer_capacity 2>/dev/null)
echo "$OUT" | grep '^n=' | sed 's/^/  /'
LAST=$(echo "$OUT" | grep '^largest_n')
N=$(echo "$LAST" | sed 's/largest_n>\{0,1\}=\([0-9]*\).*/\1/')
MS=$(echo "$LAST" | sed 's/.*tick_ms=//')
BOUND=$(echo "$LAST" | grep -q '>=' && echo "at least " || true)
echo "largest conference one core mixes in real time with half the core left free: ${BOUND}N = $N" \
    "(tick $MS ms of 20); PJSIP's conference bridge defaults to 254 ports"
