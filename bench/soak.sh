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
#   SOAK_SECONDS=3600 PARALLEL=1 bench/soak.sh # both servers at once, each under its own
#                                              # SIPp client: one hour instead of two
#
# Prints a table of baseline (before the load), peak (during it) and after (AFTER s
# after it stopped) of RSS, open fds, live calls, live transactions and the heap in use
# (malloc's figure: what RSS keeps past it is free memory the allocator holds; ours from its
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
PARALLEL=${PARALLEL:-0}
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

# sample PID FILE -> appends "rss_kb fds rss_anon_kb" of PID to FILE every EVERY s while
# PID lives. RssAnon leaves out the binary's code and other file pages that running a
# call pages in once: it is the heap and stacks, where a leak would show.
sample() {
    while kill -0 "$1" 2>/dev/null; do
        echo "$(rss_kb "$1") $(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
            "$(awk '/RssAnon/ { print $2 }' "/proc/$1/status")" >>"$2"
        sleep "$EVERY"
    done
}

# stats_cols FILE -> our stats lines as "rss fds live_calls live_transactions heap"
stats_cols() {
    sed -n 's/^stats: .*live_calls=\([0-9]*\) live_transactions=\([0-9]*\).*rss_kb=\([0-9]*\) open_fds=\([0-9]*\) heap_kb=\([0-9]*\).*/\3 \4 \1 \2 \5/p' "$1"
}

# lines NAME -> the lines so far of NAME's samples (and our stats lines), as "S T"
lines() { echo "$(wc -l <"$WORK/$1.samples") $(stats_cols "$WORK/$1.stats" 2>/dev/null | wc -l)"; }

# measure NAME PID PORT -> baseline (idle), load and after (AFTER s past it) of NAME's
# samples and stats lines, in $WORK/NAME.{base,load,after} and NAME.stats.{base,load,after}
measure() {
    local name=$1 pid=$2 port=$3 s0 t0 s1 t1
    sample "$pid" "$WORK/$name.samples" &
    sleep "$EVERY"
    read -r s0 t0 <<<"$(lines "$name")"
    load "$name" "$port"
    read -r s1 t1 <<<"$(lines "$name")"
    # The last lines are then at least AFTER s after the load.
    sleep $((AFTER + EVERY + 1))
    sed -n "${s0}p" "$WORK/$name.samples" >"$WORK/$name.base"
    sed -n "$((s0 + 1)),${s1}p" "$WORK/$name.samples" >"$WORK/$name.load"
    tail -1 "$WORK/$name.samples" >"$WORK/$name.after"
    if [ -f "$WORK/$name.stats" ]; then
        stats_cols "$WORK/$name.stats" | sed -n "${t0}p" >"$WORK/$name.stats.base"
        stats_cols "$WORK/$name.stats" | sed -n "$((t0 + 1)),${t1}p" >"$WORK/$name.stats.load"
        stats_cols "$WORK/$name.stats" | tail -1 >"$WORK/$name.stats.after"
    fi
}

# soak_ours -> our server under the load, then its totals
soak_ours() {
    echo "== ours: $RATE calls/s, ${HOLD_MS} ms each, for ${SOAK_SECONDS} s ($CALLS calls)" >&2
    local p ours media
    p=$(port)
    RUST_LOG=warn "$BIN" listen --bind "127.0.0.1:$p" --auto-answer --tone 1000 --stats-every "$EVERY" \
        >"$WORK/ours.stats" 2>"$WORK/ours.err" &
    ours=$!
    wait_udp "$p"
    measure ours "$ours" "$p"
    kill -TERM "$ours"; wait "$ours" 2>/dev/null || true
    media=$(grep '^media:' "$WORK/ours.stats" | tail -1 || true)
    echo "  SIPp against ours: $(stat_col "$WORK/ours.csv" 'SuccessfulCall(C)') ok," \
        "$(stat_col "$WORK/ours.csv" 'FailedCall(C)') failed; ours: ${media:-no media line}" >&2
}

# soak_ref -> SIPp's own answerer under the same load
soak_ref() {
    echo "== SIPp uas (rtp_uas.xml), the same load" >&2
    local p mp ref
    p=$(port); mp=$(media_port)
    (cd "$WORK" && exec sipp -sf "$SCEN/rtp_uas.xml" -i 127.0.0.1 -mi 127.0.0.1 -p "$p" -mp "$mp" \
        -buff_size $BUF -nostdin -trace_stat -fd "$EVERY" -stf "$WORK/ref_uas.csv" >"$WORK/ref_uas.out" 2>&1) &
    ref=$!
    wait_udp "$p"
    measure ref "$ref" "$p"
    kill "$ref"; wait "$ref" 2>/dev/null || true
    echo "  SIPp against SIPp: $(stat_col "$WORK/ref.csv" 'SuccessfulCall(C)') ok," \
        "$(stat_col "$WORK/ref.csv" 'FailedCall(C)') failed" >&2
}

if [ "$REFERENCE" = 1 ] && [ "$PARALLEL" = 1 ]; then
    soak_ours &
    soak_ref &
else
    soak_ours
    [ "$REFERENCE" != 1 ] || soak_ref
fi
wait

python3 - "$WORK" "$REFERENCE" <<PY
import sys, os
work, reference = sys.argv[1], sys.argv[2] == "1"
def rows(name):
    path = os.path.join(work, name)
    return [list(map(int, l.split())) for l in open(path) if l.strip()] if os.path.exists(path) else []
def three(prefix):
    """(baseline, peak, after) per column, and the load's rows."""
    base, load, after = rows(prefix + ".base"), rows(prefix + ".load"), rows(prefix + ".after")
    if not (base and load and after):
        return None
    return (base[0], [max(r[i] for r in load) for i in range(len(base[0]))], after[0]), load
ours, stats = three("ours"), three("ours.stats")
ref = three("ref") if reference else None
if ours is None or stats is None:
    sys.exit("no samples or no stats lines from simplepeer listen: see its stderr")
# (label, ours (triple, column), SIPp column or None)
table = [("RSS KiB", (stats, 0), 0), ("RssAnon KiB", (ours, 2), 2), ("open fds", (stats, 1), 1),
         ("live calls", (stats, 2), None), ("live transactions", (stats, 3), None),
         ("heap in use KiB", (stats, 4), None)]
print()
print(f"{'':20}{'baseline':>10}{'peak':>10}{'after':>10}{'SIPp base':>11}{'peak':>10}{'after':>10}")
for name, ((triple, _), i), j in table:
    line = f"{name:20}" + "".join(f"{triple[k][i]:>10}" for k in range(3))
    if ref and j is not None:
        line += f"{ref[0][0][j]:>11}{ref[0][1][j]:>10}{ref[0][2][j]:>10}"
    print(line)
print()
# A leak shows as growth while the load is steady: from a quarter of the way in (past the
# 32 s that transactions take to reach their steady number) to its end.
for label, s in (("ours", ours), ("SIPp", ref)):
    if s:
        load = s[1]
        q = load[len(load) // 4]
        print(f"{label}: RssAnon KiB during the steady load {q[2]} -> {load[-1][2]} "
              f"({load[-1][2] - q[2]:+}, over {(len(load) - len(load) // 4 - 1) * $EVERY} s)")
if ref:
    for name, ((triple, _), i), j in table[:3]:
        grow = lambda t, c, k: t[k][c] - t[0][c]
        a, b = grow(triple, i, 1), grow(ref[0], j, 1)
        ratio = f"{a / b:.2f}" if b > 0 else "n/a (SIPp grew 0)"
        print(f"{name}: growth at peak ours/SIPp {a}/{b} = {ratio}; "
              f"left after the load ours/SIPp {grow(triple, i, 2)}/{grow(ref[0], j, 2)}")
PY
