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

# media_port [AVOID] -> an even UDP port P with P..P+3 free on 127.0.0.1 and at least 4
# away from AVOID: SIPp binds P (audio, shared by all calls) and P+2 (video).
media_port() { python3 - "${1:-0}" <<'PY'
import random, socket, sys
for _ in range(1000):
    p = random.randrange(20000, 30000, 2)
    if abs(p - int(sys.argv[1])) < 4:
        continue
    socks = []
    try:
        for q in range(p, p + 4):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); socks.append(s)
            s.bind(("127.0.0.1", q))
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(p); break
PY
}
# tone_ulaw FILE -> writes 1 s of a 440 Hz tone as raw G.711 mu-law (8000 bytes, no
# header): SIPp 3.6.1's rtp_stream sends a file's bytes as they are, 160 per packet for
# payload type 0, so a WAV header would be sent as audio; raw mu-law is what it wants.
tone_ulaw() { python3 - "$1" <<'PY'
import math, sys
def ulaw(s):                      # G.711 mu-law encoding of a 16-bit sample
    sign = 0x80 if s < 0 else 0
    s = min(abs(s), 32635) + 0x84
    exp = 7
    while exp > 0 and not s & (0x4000 >> (7 - exp)):
        exp -= 1
    return ~(sign | exp << 4 | (s >> (exp + 3)) & 0x0F) & 0xFF
tone = (int(8000 * math.sin(2 * math.pi * 440 * n / 8000)) for n in range(8000))
open(sys.argv[1], "wb").write(bytes(ulaw(s) for s in tone))
PY
}
