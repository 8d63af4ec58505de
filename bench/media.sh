#!/usr/bin/env bash
# Concurrent calls with audio: N calls between two `simplepeer` processes on loopback,
# each with 20 ms G.711 packets both ways (a tone each way), N rising until more than
# 0.5% of packets are lost or late at either end.
#
#   bench/media.sh                   # full run (a few minutes)
#   STEPS="100 500" bench/media.sh
#
# For each N: lost-or-late percentage (the worse of the two ends), the mean RFC 3550
# interarrival jitter of the worse end (it grows once the two cores are saturated and
# packets go out in bursts), CPU per call (ms of
# CPU per second of call, both processes together, over a 5 s window once every call
# is up) and resident memory per call (both processes, at the same moment, over their
# idle size). Prints the highest N at or under 0.5%, then measures SIPp the same way at
# REFERENCE_N calls (bench/media_reference.sh) and gives our figures as ratios to its.
# SIPp 3.6 only sends RTP and never reads what arrives (see that script), so it does
# about half our work: the ratios are an upper bound. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

STEPS=${STEPS:-"100 200 400 600 800 1000 1200 1500 2000 2500 3000 4000"}
WINDOW=5
REFERENCE_N=${REFERENCE_N:-400}
LIMIT_PCT=0.5
cargo build --release --quiet --bin simplepeer
BIN=${CARGO_TARGET_DIR:-target}/release/simplepeer
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }

# step N -> prints "N pct jitter_ms cpu_ms_per_call_second rss_kib_per_call ok"
step() {
    local n=$1 p; p=$(port)
    RUST_LOG=info "$BIN" listen --bind "127.0.0.1:$p" --auto-answer --tone 1000 --max-calls "$n" \
        >"$WORK/listen.out" 2>"$WORK/listen.err" &
    local listen=$!
    sleep 0.3
    local ramp; ramp=$(python3 -c "print($n * 0.002 + 1.5)")
    local duration; duration=$(python3 -c "print($ramp + $WINDOW + 2)")
    local base_rss; base_rss=$(rss_kb "$listen")
    RUST_LOG=warn "$BIN" call "sip:bob@127.0.0.1:$p" --calls "$n" --tone 440 --duration "$duration" \
        >"$WORK/call.out" 2>"$WORK/call.err" &
    local caller=$!
    # The caller starts dialing at once; the idle listener stands in for its idle size.
    base_rss=$((base_rss * 2))
    sleep "$ramp"
    local c1; c1=$(python3 -c "print($(cpu_ms "$listen") + $(cpu_ms "$caller"))")
    sleep "$WINDOW"
    local c2; c2=$(python3 -c "print($(cpu_ms "$listen") + $(cpu_ms "$caller"))")
    local rss=$(($(rss_kb "$listen") + $(rss_kb "$caller")))
    local ok=yes
    wait "$caller" || ok=no
    # The listener exits once it has seen N calls end; give it a moment, then give up.
    for _ in $(seq 100); do kill -0 "$listen" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$listen" 2>/dev/null; then
        local came ended
        came=$(grep -c 'incoming call' "$WORK/listen.err" || true)
        ended=$(grep -c 'listen.*call ended' "$WORK/listen.err" || true)
        echo "  listener still waiting: $came calls came, $ended ended; kept in $WORK.hung" >&2
        cp -r "$WORK" "$WORK.hung"
        kill "$listen"; ok=no
    fi
    wait "$listen" || ok=no
    local pct_l pct_c
    pct_l=$(field "$WORK/listen.out" lost_or_late_pct); pct_c=$(field "$WORK/call.out" lost_or_late_pct)
    local calls; calls=$(field "$WORK/call.out" calls)
    local jit_l jit_c
    jit_l=$(field "$WORK/listen.out" mean_jitter_ms); jit_c=$(field "$WORK/call.out" mean_jitter_ms)
    [ "${calls:-0}" = "$n" ] || ok=no
    python3 -c "
pct = max(float('${pct_l:-100}'), float('${pct_c:-100}'))
jitter = max(float('${jit_l:-0}'), float('${jit_c:-0}'))
cpu = ($c2 - $c1) / $WINDOW / $n
rss = ($rss - $base_rss) / $n
print(f'$n {pct:.3f} {jitter:.2f} {cpu:.3f} {rss:.1f} $ok')"
}

printf '%8s %12s %10s %22s %13s %7s\n' calls 'lost+late %' 'jitter ms' 'CPU ms per call-second' 'KiB per call' 'all ok'
best=0 best_pct=
for n in $STEPS; do
    read -r n pct jitter cpu rss ok <<<"$(step "$n")"
    printf '%8s %12s %10s %22s %13s %7s\n' "$n" "$pct" "$jitter" "$cpu" "$rss" "$ok"
    if [ "$ok" != yes ] || python3 -c "import sys; sys.exit(0 if $pct > $LIMIT_PCT else 1)"; then break; fi
    best=$n best_pct=$pct
    [ "$n" != "$REFERENCE_N" ] || ours_ref="$cpu $rss"
done
echo
echo "highest N with <= ${LIMIT_PCT}% lost or late: $best (${best_pct:-n/a}% lost or late)"
if [ -n "${ours_ref:-}" ] && command -v sipp >/dev/null; then
    ref=$(bench/media_reference.sh "$REFERENCE_N" "$WINDOW")
    echo "reference: $ref"
    read -r ours_cpu ours_rss <<<"$ours_ref"
    sipp_cpu=$(sed -n 's/.*cpu_ms_per_call_second=\([0-9.]*\).*/\1/p' <<<"$ref")
    sipp_rss=$(sed -n 's/.*kib_per_call=\([0-9.]*\).*/\1/p' <<<"$ref")
    python3 -c "print(f'at $REFERENCE_N calls, simplepeer / SIPp (sends only): CPU {$ours_cpu / $sipp_cpu:.2f}x, memory {$ours_rss / $sipp_rss:.2f}x')"
fi
