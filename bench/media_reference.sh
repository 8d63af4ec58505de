#!/usr/bin/env bash
# SIPp reference for bench/media.sh: N concurrent calls with 20 ms G.711 PCMU audio both
# ways between two SIPp processes on loopback, measured the way media.sh's `step`
# measures two `simplepeer` processes, so its figures can be given as a ratio to these.
#
#   bench/media_reference.sh N [SECONDS]     # SECONDS: the measurement window, default 5
#
# Prints one line:
#   sipp N=<N> cpu_ms_per_call_second=<x> kib_per_call=<y> failed=<count>
# cpu_ms_per_call_second: CPU (utime+stime) of both SIPp processes together over the
# window, once every call is up, per second and per call. kib_per_call: VmRSS of both
# at the end of the window minus their idle VmRSS, per call. failed: failed calls as
# counted by both SIPp processes. On stderr: RTP packets per second per call that
# arrived at each side during the window, and how many calls were up.
#
# Scenarios: bench/sipp/rtp_uac.xml and bench/sipp/rtp_uas.xml (rtp_stream of a looped
# 1 s 440 Hz tone as raw mu-law, payload type 0, 160 bytes per 20 ms packet).
#
# What SIPp 3.6.1 does here, so the comparison is read right: rtp_stream sends every
# call's packets from the one socket on the -mp port (all calls share it; the SDP
# carries that port), from a pool of playback threads (-rtp_threadtasks calls each).
# Nothing reads the RTP arriving on that socket: its receive buffer fills and the kernel
# drops the rest. So SIPp sends 50 packets/s per call each way but does no receive,
# jitter-buffer or decoding work; simplepeer does all of that on a socket per call.
# The drop counter of that socket is what the stderr packet rate is read from.
#
# One difference from media.sh's `step`: the caller's idle RSS is taken before it
# places any call (SIPp starts at rate 0 and is set to 500 calls/s over its control
# port), where `step` samples the caller 0.2 s after it started calling.
# Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

N=${1:?usage: bench/media_reference.sh N [SECONDS]}
WINDOW=${2:-5}
RATE=500              # calls per second while placing the N calls (as media.sh: 2 ms apart)
BUF=4194304           # SIP socket buffers, as bench/cps.sh
SCEN=$PWD/bench/sipp
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
WORK=$(mktemp -d); [ -z "${KEEP:-}" ] || echo "  work dir: $WORK" >&2
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT


# udp_drops PORT -> the kernel's drop counter of the 127.0.0.1:PORT UDP socket, i.e. the
# RTP packets that reached a SIPp process (its buffer stays full, see above).
# udp_queued PORT -> bytes waiting in that socket's receive queue.
udp_sock() { awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a { print $'"$2"' }' /proc/net/udp; }
udp_drops() { udp_sock "$1" NF; }
udp_queued() { local q; q=$(udp_sock "$1" 5); echo $((16#${q#*:})); }


# alive WHEN -> fails unless both SIPp processes are still running.
alive() {
    kill -0 "$uas" 2>/dev/null || fail "SIPp UAS exited $1"
    kill -0 "$uac" 2>/dev/null || fail "SIPp UAC exited $1"
}

fail() {
    echo "media_reference: $*" >&2
    for f in "$WORK"/*errors.log "$WORK"/*.out; do
        [ -s "$f" ] && { echo "--- $(basename "$f") (last lines)" >&2; tail -5 "$f" | cut -c1-300 >&2; }
    done
    exit 1
}

# The audio: 1 s of a 440 Hz tone as raw G.711 mu-law (see tone_ulaw in bench/lib.sh).
tone_ulaw "$WORK/tone.ulaw"

# Timing as in media.sh: all N calls are placed within `ramp`, then a WINDOW of
# measurement, and each call lasts long enough to cover both with 2 s to spare.
ramp=$(python3 -c "print($N * 0.002 + 1.5)")
hold_ms=$(python3 -c "print(int(($ramp + $WINDOW + 2) * 1000))")

sip_uas=$(port) sip_uac=$(port) cp_uas=$(port) cp_uac=$(port)
mp_uas=$(media_port); mp_uac=$(media_port "$mp_uas")
[ -n "$mp_uas" ] && [ -n "$mp_uac" ] || fail "could not find two free media port ranges"

# SIPp runs in $WORK: rtp_stream opens tone.ulaw from its working directory, and its
# -trace_err logs land there too. `exec` keeps $! the SIPp pid.
common=(-i 127.0.0.1 -mi 127.0.0.1 -buff_size $BUF -nostdin -trace_err -trace_stat -fd 1)
(cd "$WORK" && exec sipp -sf "$SCEN/rtp_uas.xml" -p "$sip_uas" -cp "$cp_uas" -mp "$mp_uas" \
    -m "$N" "${common[@]}" -stf "$WORK/uas.csv" >"$WORK/uas.out" 2>&1) &
uas=$!
# The caller starts at rate 0 (idle) and is set going below.
(cd "$WORK" && exec sipp -sf "$SCEN/rtp_uac.xml" "127.0.0.1:$sip_uas" -p "$sip_uac" -cp "$cp_uac" \
    -mp "$mp_uac" -r 0 -l "$N" -m "$N" -d "$hold_ms" -timeout $((hold_ms / 1000 + 60))s \
    "${common[@]}" -stf "$WORK/uac.csv" >"$WORK/uac.out" 2>&1) &
uac=$!
sleep 0.3
alive "at start"
base_rss=$(($(rss_kb "$uas") + $(rss_kb "$uac")))

# Place the N calls: SIPp's remote control ("c" + a command) on the UAC's control port.
# SIPp applies the new rate at its next rate period (up to 1 s later), so the ramp is
# timed from the first RTP packet reaching the caller, i.e. the first call answered.
echo "cset rate $RATE" >"/dev/udp/127.0.0.1/$cp_uac"
for _ in $(seq 500); do [ "$(udp_queued "$mp_uac")" = 0 ] || break; sleep 0.01; done
[ "$(udp_queued "$mp_uac")" != 0 ] || fail "no RTP reached the caller within 5 s of starting the calls"
sleep "$ramp"
alive "while the calls were placed"
up=$(stat_col "$WORK/uac.csv" CurrentCall)
[ "$up" = "$N" ] || echo "  warning: $up of $N calls up at the start of the window" >&2

# The window, as in step(): CPU of both processes at its ends, RSS at its end. The RTP
# drop counters are read with their own timestamps (python3 takes ~0.1 s to start).
c1=$(python3 -c "print($(cpu_ms "$uas") + $(cpu_ms "$uac"))")
d1_uas=$(udp_drops "$mp_uas") d1_uac=$(udp_drops "$mp_uac") t1=$EPOCHREALTIME
sleep "$WINDOW"
alive "during the measurement window"
c2=$(python3 -c "print($(cpu_ms "$uas") + $(cpu_ms "$uac"))")
d2_uas=$(udp_drops "$mp_uas") d2_uac=$(udp_drops "$mp_uac") t2=$EPOCHREALTIME
rss=$(($(rss_kb "$uas") + $(rss_kb "$uac")))

# Both exit once the N calls have ended: exit code 0 when every call succeeded.
uac_rc=0 uas_rc=0
wait "$uac" || uac_rc=$?
for _ in $(seq 100); do kill -0 "$uas" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$uas" 2>/dev/null; then
    echo "  SIPp UAS still waiting for calls to end" >&2
    kill "$uas"; uas_rc=1
fi
wait "$uas" || uas_rc=$?
ok_uac=$(stat_col "$WORK/uac.csv" 'SuccessfulCall(C)')
failed=$(( $(stat_col "$WORK/uac.csv" 'FailedCall(C)') + $(stat_col "$WORK/uas.csv" 'FailedCall(C)') ))

python3 -c "
import sys
n, w, t = $N, $WINDOW, $t2 - $t1
print(f'  rtp during the window, packets/s per call: uac->uas {($d2_uas - $d1_uas) / t / n:.1f}, '
      f'uas->uac {($d2_uac - $d1_uac) / t / n:.1f}; {$up} of {n} calls up', file=sys.stderr)
print(f'sipp N={n} cpu_ms_per_call_second={($c2 - $c1) / w / n:.3f} '
      f'kib_per_call={($rss - $base_rss) / n:.1f} failed=$failed')"

if [ "$uac_rc" != 0 ] || [ "$uas_rc" != 0 ] || [ "$failed" != 0 ] || [ "$ok_uac" != "$N" ]; then
    fail "SIPp reported a failure: uac exit $uac_rc, uas exit $uas_rc, $ok_uac of $N calls succeeded, $failed failed"
fi
