#!/usr/bin/env bash
# Soak: `simplepeer listen --auto-answer --tone 1000 --stats-every 5` under SIPp calls with
# G.711 audio both ways (bench/sipp/rtp_uac.xml: SIPp streams a tone to us, we stream
# ours to SIPp's media port) at RATE calls/s, each HOLD_MS long, for SOAK_SECONDS; then
# AFTER seconds of quiet, past the 32 s (64·T1) that finished transactions linger.
# Reference in the same run: SIPp's own answerer (bench/sipp/rtp_uas.xml) under the same
# load, its RSS and fds read from /proc.
#
#   bench/soak.sh                              # 600 s of load per server (about 25 min)
#   SOAK_SECONDS=120 RATE=50 bench/soak.sh
#   REFERENCE=0 bench/soak.sh                  # ours only
#
# Prints a table of baseline (before the load), peak (during it) and after (AFTER s
# after it stopped) of RSS, open fds, live calls and live transactions (ours from its
# stats lines), with SIPp's RSS and fds and the ratios of the growths (ours / SIPp).
# Also the calls SIPp completed and failed against each, and our `media:` totals
# (packets received and lost), which show the RTP arrived. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

SOAK_SECONDS=${SOAK_SECONDS:-600}
RATE=${RATE:-100}
HOLD_MS=${HOLD_MS:-3000}
EVERY=${EVERY:-5}
AFTER=${AFTER:-40}
REFERENCE=${REFERENCE:-1}
BUF=4194304
SCEN=$PWD/bench/sipp
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
cargo build --release --quiet --bin simplepeer
BIN=${CARGO_TARGET_DIR:-target}/release/simplepeer
WORK=$(mktemp -d); [ -z "${KEEP:-}" ] || echo "  work dir: $WORK" >&2
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
tone_ulaw "$WORK/tone.ulaw"
CALLS=$((RATE * SOAK_SECONDS))

# load NAME PORT -> SIPp's rtp_uac.xml against 127.0.0.1:PORT for CALLS calls at RATE/s,
# in the foreground; its statistics in $WORK/NAME.csv
load() {
    local mp; mp=$(media_port)
    (cd "$WORK" && exec sipp -sf "$SCEN/rtp_uac.xml" "127.0.0.1:$2" -i 127.0.0.1 -mi 127.0.0.1 \
        -p "$(port)" -mp "$mp" -r "$RATE" -m "$CALLS" -l $((RATE * HOLD_MS / 1000 * 3 + 100)) \
        -d "$HOLD_MS" -buff_size $BUF -nostdin -timeout $((SOAK_SECONDS + 120))s -recv_timeout 30000 \
        -trace_stat -fd "$EVERY" -stf "$WORK/$1.csv" >"$WORK/$1.out" 2>&1) || true
}

# sample PID FILE -> appends "rss_kb fds" of PID to FILE every EVERY s while PID lives
sample() {
    while kill -0 "$1" 2>/dev/null; do
        echo "$(rss_kb "$1") $(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" >>"$2"
        sleep "$EVERY"
    done
}

# column FILE N -> the Nth field of each line; peak FILE N -> the largest
column() { awk -v n="$2" '{ print $n }' "$1"; }
peak() { column "$1" "$2" | sort -n | tail -1; }

# stats_cols FILE -> our stats lines as "rss fds live_calls live_transactions"
stats_cols() {
    sed -n 's/^stats: .*live_calls=\([0-9]*\) live_transactions=\([0-9]*\).*rss_kb=\([0-9]*\) open_fds=\([0-9]*\).*/\3 \4 \1 \2/p' "$1"
}

echo "== ours: $RATE calls/s, ${HOLD_MS} ms each, for ${SOAK_SECONDS} s ($CALLS calls)" >&2
p=$(port)
RUST_LOG=warn "$BIN" listen --bind "127.0.0.1:$p" --auto-answer --tone 1000 --stats-every "$EVERY" \
    >"$WORK/ours.stats" 2>"$WORK/ours.err" &
ours=$!
wait_udp "$p"
sleep "$EVERY"
stats_cols "$WORK/ours.stats" | tail -1 >"$WORK/ours.base"
from=$(grep -c '^stats:' "$WORK/ours.stats")
load ours "$p"
to=$(grep -c '^stats:' "$WORK/ours.stats")
sleep "$AFTER"
stats_cols "$WORK/ours.stats" | sed -n "$((from + 1)),${to}p" >"$WORK/ours.load"
stats_cols "$WORK/ours.stats" | tail -1 >"$WORK/ours.after"
kill -TERM "$ours"; wait "$ours" 2>/dev/null || true
media=$(grep '^media:' "$WORK/ours.stats" | tail -1 || true)
echo "  SIPp against ours: $(stat_col "$WORK/ours.csv" 'SuccessfulCall(C)') ok," \
    "$(stat_col "$WORK/ours.csv" 'FailedCall(C)') failed; ours: ${media:-no media line}" >&2

if [ "$REFERENCE" = 1 ]; then
    echo "== SIPp uas (rtp_uas.xml), the same load" >&2
    p=$(port); mp=$(media_port)
    (cd "$WORK" && exec sipp -sf "$SCEN/rtp_uas.xml" -i 127.0.0.1 -mi 127.0.0.1 -p "$p" -mp "$mp" \
        -buff_size $BUF -nostdin -trace_stat -fd "$EVERY" -stf "$WORK/ref_uas.csv" >"$WORK/ref_uas.out" 2>&1) &
    ref=$!
    wait_udp "$p"
    sleep "$EVERY"
    sample "$ref" "$WORK/ref.samples" &
    sleep 0.5
    tail -1 "$WORK/ref.samples" >"$WORK/ref.base"
    from=$(wc -l <"$WORK/ref.samples")
    load ref "$p"
    to=$(wc -l <"$WORK/ref.samples")
    sleep "$AFTER"
    sed -n "$((from + 1)),${to}p" "$WORK/ref.samples" >"$WORK/ref.load"
    tail -1 "$WORK/ref.samples" >"$WORK/ref.after"
    kill "$ref"; wait "$ref" 2>/dev/null || true
    echo "  SIPp against SIPp: $(stat_col "$WORK/ref.csv" 'SuccessfulCall(C)') ok," \
        "$(stat_col "$WORK/ref.csv" 'FailedCall(C)') failed" >&2
fi

python3 - "$WORK" "$REFERENCE" <<'PY'
import sys, os
work, reference = sys.argv[1], sys.argv[2] == "1"
def rows(name):
    path = os.path.join(work, name)
    return [list(map(int, l.split())) for l in open(path) if l.strip()] if os.path.exists(path) else []
def three(prefix):
    base, load, after = rows(prefix + ".base"), rows(prefix + ".load"), rows(prefix + ".after")
    if not (base and load and after):
        return None
    width = len(base[0])
    return base[0], [max(r[i] for r in load) for i in range(width)], after[0]
ours, ref = three("ours"), three("ref") if reference else None
if ours is None:
    sys.exit("no stats lines from simplepeer listen: see its stderr")
names = ["RSS KiB", "open fds", "live calls", "live transactions"]
print()
print(f"{'':20}{'baseline':>10}{'peak':>10}{'after':>10}{'SIPp base':>11}{'peak':>10}{'after':>10}")
for i, name in enumerate(names):
    r = ref and i < 2
    tail = f"{ref[0][i]:>11}{ref[1][i]:>10}{ref[2][i]:>10}" if r else ""
    print(f"{name:20}{ours[0][i]:>10}{ours[1][i]:>10}{ours[2][i]:>10}{tail}")
if ref:
    print()
    for i, name in enumerate(names[:2]):
        growth = lambda s, j: s[j][i] - s[0][i]
        ratio = lambda a, b: f"{a / b:.2f}" if b > 0 else "n/a (SIPp grew 0)"
        print(f"{name}: growth at peak ours/SIPp {growth(ours, 1)}/{growth(ref, 1)} = "
              f"{ratio(growth(ours, 1), growth(ref, 1))}; left after ours/SIPp "
              f"{growth(ours, 2)}/{growth(ref, 2)}")
PY
