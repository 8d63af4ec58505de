#!/usr/bin/env bash
# Registrations per second: SIPp REGISTERs with digest auth (REGISTER, 401, REGISTER with
# credentials, 200; bench/sipp/register_digest.xml) at rising rates against
#   memory    `simplepeer server` with its in-memory store,
#   redis     `simplepeer server --redis` on a private redis-server (no persistence),
#   kamailio  Kamailio with bench/kamailio/kamailio.cfg (usrloc in memory, the auth module),
# each rate step against a fresh server (and fresh Redis). The users are bench1..bench$USERS
# (password benchN-secret), taken in turn from an injection file, so each user has its own
# binding, refreshed every $USERS registrations.
#
#   bench/register.sh                      # all three (a few minutes)
#   TARGETS=kamailio bench/register.sh     # only Kamailio (no build)
#   RATES="500 1000" STEP_SECONDS=3 bench/register.sh
#
# Prints, for each target, the highest rate (registrations/s, STEP_SECONDS per step) at
# which every registration succeeded with no failed call, at 90% or more of the asked
# rate (SIPp itself runs on one core: when it cannot keep the rate, the step fails too,
# and the figure is SIPp's limit, not the server's), and the ratios simplepeer/Kamailio.
# Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

RATES=${RATES:-"1000 2000 4000 6000 8000 10000 12000 14000 16000 18000 20000 22000 24000 28000 32000"}
CPU_RATE=${CPU_RATE:-5000}
STEP_SECONDS=${STEP_SECONDS:-5}
USERS=${USERS:-10000}
TARGETS=${TARGETS:-"memory redis kamailio"}
REALM=sipbench
BUF=4194304
command -v sipp >/dev/null || { echo "sipp is missing: apt-get install sip-tester" >&2; exit 1; }
case " $TARGETS " in *" kamailio "*)
    command -v kamailio >/dev/null || { echo "kamailio is missing: apt-get install kamailio" >&2; exit 1; } ;;
esac
case " $TARGETS " in *" redis "*)
    command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; } ;;
esac
case " $TARGETS " in *" memory "* | *" redis "*)
    cargo build --release --quiet --bin simplepeer
    BIN=${CARGO_TARGET_DIR:-target}/release/simplepeer
    if ! "$BIN" server --help >/dev/null 2>&1; then
        echo "this simplepeer has no \`server\` subcommand: measuring only kamailio" >&2
        TARGETS=$(tr ' ' '\n' <<<"$TARGETS" | grep -v -x -e memory -e redis | paste -sd' ')
    fi ;;
esac
[ -n "$TARGETS" ] || { echo "nothing to measure" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# The same users for SIPp (injection file, "user;password") and simplepeer ("user:password").
python3 - "$USERS" "$WORK" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/users.csv", "w") as csv, open(f"{work}/users.txt", "w") as users:
    csv.write("SEQUENTIAL\n")
    for i in range(1, n + 1):
        csv.write(f"bench{i};bench{i}-secret\n")
        users.write(f"bench{i}:bench{i}-secret\n")
PY

# start_redis PORT -> starts a private redis-server on 127.0.0.1:PORT, prints its pid
start_redis() {
    redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --dir "$WORK" >"$WORK/redis.log" 2>&1 &
    local pid=$! i
    for ((i = 0; i < 100; i++)); do
        redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG && { echo "$pid"; return; }
        sleep 0.1
    done
    echo "redis-server did not start: $(cat "$WORK/redis.log")" >&2; return 1
}

# start_server TARGET PORT -> starts TARGET on udp 127.0.0.1:PORT, prints the pids to stop
start_server() {
    case $1 in
    memory)
        RUST_LOG=error "$BIN" server --bind "127.0.0.1:$2" --users "$WORK/users.txt" --realm "$REALM" \
            >"$WORK/server.log" 2>&1 &
        echo $! ;;
    redis)
        local rport; rport=$(port)
        local rpid; rpid=$(start_redis "$rport")
        RUST_LOG=error "$BIN" server --bind "127.0.0.1:$2" --users "$WORK/users.txt" --realm "$REALM" \
            --redis "redis://127.0.0.1:$rport" >"$WORK/server.log" 2>&1 &
        echo "$! $rpid" ;;
    kamailio)
        start_kamailio "$2" "$WORK" ;;
    esac
}

stop() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

# register PORT RATE CALLS -> runs the registrations, leaves SIPp's stats in $WORK/reg.csv
register() {
    rm -f "$WORK/reg.csv"
    sipp -sf bench/sipp/register_digest.xml "127.0.0.1:$1" -i 127.0.0.1 -p "$(port)" \
        -inf "$WORK/users.csv" -au '[field0]' -ap '[field1]' \
        -r "$2" -m "$3" -l $(($2 * 10 + 100)) -buff_size $BUF -nostdin -timeout 120s \
        -trace_stat -stf "$WORK/reg.csv" >/dev/null 2>&1 || true
}

# tree_cpu_ms PID... -> CPU ms used so far by the PIDs and all their descendants
tree_cpu_ms() {
    local total=0 pid child
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        total=$(python3 -c "print($total + $(cpu_ms "$pid"))")
        for child in $(pgrep -P "$pid" || true); do
            total=$(python3 -c "print($total + $(tree_cpu_ms "$child"))")
        done
    done
    echo "$total"
}

# cpu_per_registration TARGET -> server CPU µs per registration at CPU_RATE/s (for redis:
# simplepeer and redis-server together), over 5 × CPU_RATE registrations
cpu_per_registration() {
    local p; p=$(port)
    local pids; pids=$(start_server "$1" "$p")
    # shellcheck disable=SC2086
    wait_udp "$p" || { stop $pids; echo 0; return; }
    local calls=$((CPU_RATE * 5))
    # shellcheck disable=SC2086
    local before; before=$(tree_cpu_ms $pids)
    register "$p" "$CPU_RATE" "$calls"
    # shellcheck disable=SC2086
    local after; after=$(tree_cpu_ms $pids)
    # shellcheck disable=SC2086
    stop $pids
    local ok; ok=$(stat_col "$WORK/reg.csv" 'SuccessfulCall(C)')
    [ "$ok" = "$calls" ] || echo "  $1 at $CPU_RATE/s: only $ok of $calls registrations succeeded" >&2
    python3 -c "print(f'{($after - $before) * 1000 / max($ok, 1):.1f}')"
}

# epoch "DATE<TAB>TIME<TAB>EPOCH" (a SIPp -trace_stat time column) -> EPOCH, in seconds
epoch() { awk -F'\t' '{ print $3 }' <<<"$1"; }

highest_rate() {
    local best=0 rate
    for rate in $RATES; do
        local p; p=$(port)
        local pids; pids=$(start_server "$1" "$p")
        # shellcheck disable=SC2086
        if ! wait_udp "$p"; then echo "  $1 did not start: $(tail -3 "$WORK"/*.log)" >&2; stop $pids; break; fi
        local calls=$((rate * STEP_SECONDS))
        register "$p" "$rate" "$calls"
        # shellcheck disable=SC2086
        stop $pids
        local ok failed retrans start end achieved
        ok=$(stat_col "$WORK/reg.csv" 'SuccessfulCall(C)'); failed=$(stat_col "$WORK/reg.csv" 'FailedCall(C)')
        retrans=$(stat_col "$WORK/reg.csv" 'Retransmissions(C)')
        start=$(epoch "$(stat_col "$WORK/reg.csv" StartTime)"); end=$(epoch "$(stat_col "$WORK/reg.csv" CurrentTime)")
        achieved=$(python3 -c "print(round($ok / max(${end:-0} - ${start:-0}, 1e-3)))")
        echo "  $1 at $rate/s: $ok ok, $failed failed, $retrans retransmissions, $achieved/s achieved" >&2
        if [ "$failed" != 0 ] || [ "$ok" != "$calls" ] || [ "$achieved" -lt $((rate * 9 / 10)) ]; then break; fi
        best=$rate
    done
    echo "$best"
}

declare -A rate_of cpu_of
for target in $TARGETS; do
    echo "== $target: highest rate with 0 failed registrations (${STEP_SECONDS} s per step, $USERS users)" >&2
    rate_of[$target]=$(highest_rate "$target")
    echo "== $target: CPU per registration at $CPU_RATE/s" >&2
    cpu_of[$target]=$(cpu_per_registration "$target")
done

# ratio TABLE TARGET -> TABLE[TARGET] / TABLE[kamailio], or - without Kamailio's figure
ratio() {
    local -n table=$1
    if [ -n "${table[kamailio]:-}" ] && [ "${table[kamailio]}" != 0 ]; then
        python3 -c "print(f'{${table[$2]} / ${table[kamailio]}:.2f}')"
    else
        echo -
    fi
}

echo
printf '%-10s %16s %8s %20s %8s\n' target 'registrations/s' ratio "CPU µs/reg @$CPU_RATE/s" ratio
for target in $TARGETS; do
    printf '%-10s %16s %8s %20s %8s\n' "$target" "${rate_of[$target]}" "$(ratio rate_of "$target")" \
        "${cpu_of[$target]}" "$(ratio cpu_of "$target")"
done
echo "(ratio: simplepeer / Kamailio; Kamailio runs ${KAMAILIO_CHILDREN:-2} UDP workers)"
