#!/usr/bin/env bash
# Calls per second: `simplepeer listen --auto-answer` against SIPp's built-in `uac`, with
# SIPp's own `uas` measured the same way in the same run as the reference.
#
#   bench/cps.sh                 # full run (a few minutes)
#   RATES="500 1000" bench/cps.sh
#
# Prints, for both servers: the highest rate (calls/s, 5 s per step) with 0 failed
# calls; goodput (calls completed per second of the run) when offered 1.5 and 2 times
# that rate, as a share of it (past its capacity a server should keep completing what
# it can and refuse the rest early, not collapse); CPU milliseconds per call at 1000
# calls/s; and resident memory per call with 5000 established calls held open, and 35 s
# after they ended (once the finished transactions have expired). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

RATES=${RATES:-"500 1000 2000 3000 4000 5000 6000 7000 8000 10000 12000 14000 16000 20000"}
STEP_SECONDS=${STEP_SECONDS:-5}
HELD=${HELD:-5000}
BUF=4194304
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
cargo build --release --quiet --bin simplepeer
BIN=${CARGO_TARGET_DIR:-target}/release/simplepeer
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT


# start_server ours|sipp PORT -> prints the pid
start_server() {
    if [ "$1" = ours ]; then
        RUST_LOG=error "$BIN" listen --bind "127.0.0.1:$2" --auto-answer >"$WORK/server.log" 2>&1 &
    else
        sipp -sn uas -i 127.0.0.1 -p "$2" -buff_size $BUF -nostdin -bg >/dev/null 2>&1
        sleep 0.3
        pgrep -n -f "sipp -sn uas -i 127.0.0.1 -p $2" >"$WORK/pid"
        cat "$WORK/pid"; return
    fi
    echo $!
}

# uac PORT RATE CALLS [extra sipp args] -> runs SIPp's uac, leaves stats in $WORK/uac.csv
uac() {
    local port=$1 rate=$2 calls=$3; shift 3
    rm -f "$WORK/uac.csv"
    sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p "$(port)" -r "$rate" -m "$calls" -l $((rate * 10 + 100)) \
        -buff_size $BUF -nostdin -timeout 120s -trace_stat -stf "$WORK/uac.csv" "$@" >/dev/null 2>&1 || true
}

highest_rate() {
    local best=0
    for rate in $RATES; do
        local p; p=$(port)
        local pid; pid=$(start_server "$1" "$p"); sleep 0.3
        uac "$p" "$rate" $((rate * STEP_SECONDS))
        kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
        local ok failed
        ok=$(stat_col "$WORK/uac.csv" 'SuccessfulCall(C)'); failed=$(stat_col "$WORK/uac.csv" 'FailedCall(C)')
        echo "  $1 at $rate calls/s: $ok ok, $failed failed" >&2
        if [ "$failed" != 0 ] || [ "$ok" != $((rate * STEP_SECONDS)) ]; then break; fi
        best=$rate
    done
    echo "$best"
}

# overload ours|sipp CLEAN_RATE FACTOR -> goodput: calls completed per second of the run
# (until SIPp has finished every call it placed) when offered FACTOR x CLEAN_RATE.
overload() {
    local rate; rate=$(python3 -c "print(max(1, int($2 * $3)))")
    local p; p=$(port)
    local pid; pid=$(start_server "$1" "$p"); sleep 0.3
    local start; start=$(date +%s.%N)
    uac "$p" "$rate" $((rate * STEP_SECONDS))
    local end; end=$(date +%s.%N)
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    local ok failed
    ok=$(stat_col "$WORK/uac.csv" 'SuccessfulCall(C)'); failed=$(stat_col "$WORK/uac.csv" 'FailedCall(C)')
    local goodput; goodput=$(python3 -c "print(f'{$ok / ($end - $start):.0f}')")
    echo "  $1 offered $rate calls/s (${3}x): $ok ok, $failed failed, goodput $goodput calls/s" >&2
    echo "$goodput"
}

cpu_per_call() {
    local p; p=$(port)
    local pid; pid=$(start_server "$1" "$p"); sleep 0.3
    local before; before=$(cpu_ms "$pid")
    uac "$p" 1000 10000
    local after; after=$(cpu_ms "$pid")
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    python3 -c "print(f'{($after - $before) / 10000:.3f}')"
}

memory_per_call() {
    local p; p=$(port)
    local pid; pid=$(start_server "$1" "$p"); sleep 0.5
    local base; base=$(rss_kb "$pid")
    uac "$p" 1000 "$HELD" -d 20000 &
    local sipp_job=$!
    sleep $((HELD / 1000 + 4))
    local held; held=$(rss_kb "$pid")
    wait "$sipp_job"
    # Finished transactions linger 64·T1 = 32 s to absorb retransmissions (Timers J, L).
    sleep "${ENDED_WAIT:-35}"
    local ended; ended=$(rss_kb "$pid")
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    python3 -c "print(f'{($held - $base) * 1024 / $HELD:.0f} {$base} {$held} {$ended}')"
}

echo "== highest rate with 0 failed calls (${STEP_SECONDS} s per step)"
ours_rate=$(highest_rate ours)
sipp_rate=$(highest_rate sipp)
echo "== overload: 1.5x and 2x the highest clean rate"
ours_15=$(overload ours "$ours_rate" 1.5); ours_20=$(overload ours "$ours_rate" 2)
sipp_15=$(overload sipp "$sipp_rate" 1.5); sipp_20=$(overload sipp "$sipp_rate" 2)
echo "== CPU per call at 1000 calls/s"
ours_cpu=$(cpu_per_call ours)
sipp_cpu=$(cpu_per_call sipp)
echo "== memory with $HELD calls held"
read -r ours_mem ours_base ours_held ours_ended <<<"$(memory_per_call ours)"
read -r sipp_mem sipp_base sipp_held sipp_ended <<<"$(memory_per_call sipp)"

python3 - <<PY
ours_rate, sipp_rate = $ours_rate, $sipp_rate
print()
print(f"{'':24}{'simplepeer':>14}{'SIPp uas':>14}{'ratio':>10}")
print(f"{'max calls/s, 0 failed':24}{ours_rate:>14}{sipp_rate:>14}{ours_rate / max(sipp_rate, 1):>10.2f}")
for factor, ours, sipp in (("1.5", $ours_15, $sipp_15), ("2", $ours_20, $sipp_20)):
    share = lambda goodput, clean: f"{goodput}/s {goodput / max(clean, 1):.0%}"
    print(f"{'goodput @' + factor + 'x clean':24}{share(ours, ours_rate):>14}{share(sipp, sipp_rate):>14}"
          f"{ours / max(sipp, 1):>10.2f}")
print(f"{'CPU ms per call @1000/s':24}{$ours_cpu:>14.3f}{$sipp_cpu:>14.3f}{$ours_cpu / max($sipp_cpu, 1e-9):>10.2f}")
print(f"{'bytes per held call':24}{$ours_mem:>14}{$sipp_mem:>14}{$ours_mem / max($sipp_mem, 1):>10.2f}")
print(f"{'RSS KiB idle/held/ended':24}{'$ours_base/$ours_held/$ours_ended':>14}  {'$sipp_base/$sipp_held/$sipp_ended':>14}")
PY
