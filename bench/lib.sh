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
