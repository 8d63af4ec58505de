#!/usr/bin/env bash
# Calls under 10% packet loss: SIPp drops that share of the SIP messages it sends and of
# those it receives (-lost), and retransmissions must carry the calls through. Two
# setups, each measured with us and with SIPp in our place, in the same run:
#
#   answering:  SIPp uac -lost 10  ->  simplepeer listen --auto-answer   (ours)
#               SIPp uac -lost 10  ->  SIPp uas                          (reference)
#   calling:    simplepeer call --calls N  ->  SIPp uas -lost 10         (ours)
#               SIPp uac (N at once)       ->  SIPp uas -lost 10         (reference)
#
#   bench/loss.sh                      # N=500 calls per setup (a few minutes)
#   N=100 RATE=50 LOSS=20 bench/loss.sh
#
# Prints completed and failed calls and the wall time of each run (from the first INVITE
# to the last call's end), and ours as ratios to SIPp's. For `answering` it also prints
# the listener's stats line once it holds no call, and how long after SIPp's end that
# was. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

N=${N:-500}
RATE=${RATE:-100}     # calls per second of SIPp's uac in `answering`
LOSS=${LOSS:-10}      # percent
HOLD_MS=${HOLD_MS:-1000}
TIMEOUT=${TIMEOUT:-300}
BUF=4194304
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
cargo build --release --quiet --bin simplepeer
BIN=${CARGO_TARGET_DIR:-target}/release/simplepeer
WORK=$(mktemp -d); [ -z "${KEEP:-}" ] || echo "  work dir: $WORK" >&2
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
common=(-i 127.0.0.1 -buff_size $BUF -nostdin -timeout "${TIMEOUT}s" -timeout_error -recv_timeout 60000 -trace_stat -fd 1)

# sipp_uac PORT CSV RATE [args] -> runs SIPp's uac for N calls; prints the wall time
sipp_uac() {
    local port=$1 csv=$2 rate=$3; shift 3
    local t0; t0=$(now)
    sipp -sn uac "127.0.0.1:$port" -p "$(port)" -r "$rate" -m "$N" -l "$N" -d "$HOLD_MS" \
        "${common[@]}" -stf "$csv" "$@" >"$csv.out" 2>&1 || true
    python3 -c "print(f'{$(now) - $t0:.2f}')"
}

# sipp_uas PORT CSV [args] -> starts SIPp's uas for N calls in the background
sipp_uas() {
    local port=$1 csv=$2; shift 2
    sipp -sn uas -p "$port" -m "$N" "${common[@]}" -stf "$csv" "$@" >"$csv.out" 2>&1 &
    wait_udp "$port"
}

ok() { stat_col "$1" 'SuccessfulCall(C)'; }
failed() { stat_col "$1" 'FailedCall(C)'; }

echo "== answering: SIPp uac -lost $LOSS, $N calls at $RATE/s, ${HOLD_MS} ms each" >&2
p=$(port)
RUST_LOG=warn "$BIN" listen --bind "127.0.0.1:$p" --auto-answer --stats-every 1 >"$WORK/listen.out" 2>&1 &
listen=$!
wait_udp "$p"
ours_a_wall=$(sipp_uac "$p" "$WORK/a_ours.csv" "$RATE" -lost "$LOSS")
# SIPp may count a call as successful that never reached our side's end: its ACKs lost
# and its BYE never sent, a late retransmission of our 200 taken for the BYE's 200. Such
# a call ends here when its 200 goes unacknowledged for 64·T1 (or at the ICMP error of
# a retransmission once SIPp has exited). Wait for the stats line to show none left.
t0=$(now)
for _ in $(seq 450); do
    listen_stats=$(grep '^stats:' "$WORK/listen.out" | tail -1)
    [[ $listen_stats == *" live_calls=0 "* ]] && break
    sleep 0.1
done
open_wait=$(python3 -c "print(f'{$(now) - $t0:.1f}')")
kill "$listen"; wait "$listen" 2>/dev/null || true
p=$(port)
sipp_uas "$p" "$WORK/a_ref_uas.csv"
ref_a_wall=$(sipp_uac "$p" "$WORK/a_ref.csv" "$RATE" -lost "$LOSS")
wait || true
echo "  ours: $(ok "$WORK/a_ours.csv") ok, $(failed "$WORK/a_ours.csv") failed, $ours_a_wall s;" \
    "our last call ended ${open_wait} s after SIPp's; $listen_stats" >&2
echo "  SIPp: $(ok "$WORK/a_ref.csv") ok, $(failed "$WORK/a_ref.csv") failed, $ref_a_wall s" >&2

echo "== calling: $N calls at once to SIPp uas -lost $LOSS, ${HOLD_MS} ms each" >&2
p=$(port)
sipp_uas "$p" "$WORK/c_uas_ours.csv" -lost "$LOSS"
t0=$(now)
RUST_LOG=info "$BIN" call "sip:service@127.0.0.1:$p" --calls "$N" \
    --duration "$(python3 -c "print($HOLD_MS / 1000)")" >"$WORK/call.out" 2>&1 || true
ours_c_wall=$(python3 -c "print(f'{$(now) - $t0:.2f}')")
wait || true
summary=$(grep 'all calls ended' "$WORK/call.out" | tail -1)
ours_c_ok=$(sed -n 's/.*completed=\([0-9]*\).*/\1/p' <<<"$summary")
ours_c_failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$summary")
p=$(port)
sipp_uas "$p" "$WORK/c_uas_ref.csv" -lost "$LOSS"
# "At once", as `call --calls` places them (2 ms apart): 500 calls/s.
ref_c_wall=$(sipp_uac "$p" "$WORK/c_ref.csv" 500)
wait || true
echo "  ours: ${ours_c_ok:-?} ok, ${ours_c_failed:-?} failed, $ours_c_wall s" \
    "(SIPp uas saw $(ok "$WORK/c_uas_ours.csv") ok, $(failed "$WORK/c_uas_ours.csv") failed)" >&2
echo "  SIPp: $(ok "$WORK/c_ref.csv") ok, $(failed "$WORK/c_ref.csv") failed, $ref_c_wall s" \
    "(SIPp uas saw $(ok "$WORK/c_uas_ref.csv") ok, $(failed "$WORK/c_uas_ref.csv") failed)" >&2
[ -n "$summary" ] || { echo "  simplepeer call printed no summary:" >&2; tail -5 "$WORK/call.out" >&2; }

python3 - <<PY
rows = [
    ("answering", $(ok "$WORK/a_ours.csv"), $(failed "$WORK/a_ours.csv"), $ours_a_wall,
     $(ok "$WORK/a_ref.csv"), $(failed "$WORK/a_ref.csv"), $ref_a_wall),
    ("calling", ${ours_c_ok:-0}, ${ours_c_failed:-$N}, $ours_c_wall,
     $(ok "$WORK/c_ref.csv"), $(failed "$WORK/c_ref.csv"), $ref_c_wall),
]
print()
print(f"$N calls per run, $LOSS% of SIPp's SIP messages lost each way")
print(f"{'':11}{'ours ok/failed':>16}{'SIPp ok/failed':>16}{'ok ratio':>10}{'ours s':>9}{'SIPp s':>9}{'time ratio':>12}")
for name, ok, failed, wall, rok, rfailed, rwall in rows:
    print(f"{name:11}{f'{ok}/{failed}':>16}{f'{rok}/{rfailed}':>16}{ok / max(rok, 1):>10.3f}"
          f"{wall:>9.2f}{rwall:>9.2f}{wall / max(rwall, 1e-9):>12.2f}")
PY
