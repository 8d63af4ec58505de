# Helpers shared by the bench scripts (sourced, not run). Loopback only.

# port -> a free UDP port on 127.0.0.1
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# cpu_ms PID -> user + system CPU time of the process so far, in ms
cpu_ms() { awk '{ print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
# rss_kb PID -> resident memory of the process, in KiB
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
# stat_col CSV COLUMN -> COLUMN of the last row of a SIPp -trace_stat file (0 if none)
stat_col() { python3 - "$1" "$2" <<'PY'
import csv, os, sys
rows = [r for r in csv.reader(open(sys.argv[1]), delimiter=';') if r] if os.path.exists(sys.argv[1]) else []
print(rows[-1][rows[0].index(sys.argv[2])] if len(rows) > 1 else 0)
PY
}
# wait_udp PORT [SECONDS] -> waits until something listens on UDP 127.0.0.1:PORT (fails after SECONDS, default 10)
wait_udp() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        ss -Hlun "sport = :$1" | grep -q 127.0.0.1 && return 0
        sleep 0.1
    done
    echo "nothing listens on udp 127.0.0.1:$1" >&2; return 1
}
# start_kamailio PORT DIR -> starts bench/kamailio/kamailio.cfg in the foreground of a
# background job (-DD -E: no daemon, logs to DIR/kamailio.log), on udp 127.0.0.1:PORT only,
# with KAMAILIO_CHILDREN (default 2) UDP workers; prints the pid of its main process,
# which stops its workers when it gets SIGTERM.
start_kamailio() {
    kamailio -f bench/kamailio/kamailio.cfg -A "BENCH_PORT=$1" -DD -E -n "${KAMAILIO_CHILDREN:-2}" \
        -Y "$2" -w "$2" -m 256 -M 16 >"$2/kamailio.log" 2>&1 &
    echo $!
}
