#!/usr/bin/env bash
# Proves the digest scenarios of tests/sipp/ against Kamailio (bench/kamailio/kamailio.cfg)
# on 127.0.0.1: register_auth.xml must pass, register_wrong.xml must pass (the wrong
# password is refused), uac_auth.xml must reach a callee registered with
# register_callee.xml and answering with uas_record_route.xml. And, so that a pass means
# something, register_auth.xml with a wrong password and uac_auth.xml to an unregistered
# user must fail. Prints each SIPp command line and its outcome; exits 1 if any is wrong.
#
#   bench/kamailio/scenarios.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

command -v sipp >/dev/null || { echo "sipp is missing" >&2; exit 1; }
command -v kamailio >/dev/null || { echo "kamailio is missing" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

KPORT=$(port)
kamailio_pid=$(start_kamailio "$KPORT" "$WORK")
wait_udp "$KPORT"
printf 'SEQUENTIAL\nbench1;bench1-secret\n' >"$WORK/caller.csv"
printf 'SEQUENTIAL\nbench2;bench2-secret\n' >"$WORK/callee.csv"
SIPP=(sipp -i 127.0.0.1 -nostdin -timeout 30s)
wrong=0

# expect pass|fail NAME ARGS... -> runs SIPp with ARGS, checks its exit status
expect() {
    local want=$1 name=$2; shift 2
    echo "\$ ${SIPP[*]} $*"
    local rc=0
    "${SIPP[@]}" "$@" -trace_stat -stf "$WORK/$name.csv" >"$WORK/$name.out" 2>&1 || rc=$?
    local got=pass; [ "$rc" = 0 ] || got=fail
    local ok failed
    ok=$(stat_col "$WORK/$name.csv" 'SuccessfulCall(C)'); failed=$(stat_col "$WORK/$name.csv" 'FailedCall(C)')
    if [ "$got" = "$want" ]; then
        echo "  $name: ${got}ed as expected ($ok ok, $failed failed)"
    else
        echo "  $name: ${got}ed, expected to ${want} ($ok ok, $failed failed)"; wrong=1
    fi
}

T=tests/sipp
expect pass register_auth -sf $T/register_auth.xml "127.0.0.1:$KPORT" -p "$(port)" \
    -inf "$WORK/caller.csv" -au '[field0]' -ap '[field1]' -m 10 -r 10
expect pass register_wrong -sf $T/register_wrong.xml "127.0.0.1:$KPORT" -p "$(port)" \
    -inf "$WORK/caller.csv" -au '[field0]' -ap not-the-password -m 10 -r 10
expect fail register_auth_wrong_password -sf $T/register_auth.xml "127.0.0.1:$KPORT" -p "$(port)" \
    -inf "$WORK/caller.csv" -au '[field0]' -ap not-the-password -m 1

CALLEE=$(port)
expect pass register_callee -sf $T/register_callee.xml "127.0.0.1:$KPORT" -p "$CALLEE" \
    -inf "$WORK/callee.csv" -au '[field0]' -ap '[field1]' -m 1
echo "\$ ${SIPP[*]} -sf $T/uas_record_route.xml -p $CALLEE -m 5 &"
"${SIPP[@]}" -sf $T/uas_record_route.xml -p "$CALLEE" -m 5 -trace_stat -stf "$WORK/uas.csv" >"$WORK/uas.out" 2>&1 &
uas=$!
wait_udp "$CALLEE"
expect pass uac_auth -sf $T/uac_auth.xml "127.0.0.1:$KPORT" -p "$(port)" \
    -inf "$WORK/caller.csv" -au '[field0]' -ap '[field1]' -s bench2 -m 5 -r 5
uas_rc=0; wait "$uas" || uas_rc=$?
echo "  uas_record_route: exit $uas_rc, $(stat_col "$WORK/uas.csv" 'SuccessfulCall(C)') calls answered"
[ "$uas_rc" = 0 ] || wrong=1
expect fail uac_auth_unregistered_callee -sf $T/uac_auth.xml "127.0.0.1:$KPORT" -p "$(port)" \
    -inf "$WORK/caller.csv" -au '[field0]' -ap '[field1]' -s bench3 -m 1

kill "$kamailio_pid"; wait "$kamailio_pid" 2>/dev/null || true
[ "$wrong" = 0 ] && echo "all as expected" || { echo "some scenarios did not go as expected" >&2; exit 1; }
