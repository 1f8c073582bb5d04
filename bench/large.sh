#!/usr/bin/env bash
# Large-body benchmark: keep-alive HTTP/1.1 GETs answered with a 1 MiB body, a gateway side
# by side with nginx on this machine, measured the way the shared harness
# (../shared/bench/run.sh) measures its 13 B and 1 KiB bodies, which it cannot serve at this
# size. bench/run.sh calls it for its "large" case; it also runs on its own.
#
# Targets (alternating within each round: direct nginx GATEWAY direct nginx GATEWAY ...):
#   direct   wrk -> the upstream (the ceiling of the load core)
#   nginx    wrk -> nginx proxy_pass, configured as in the shared harness (1 worker, upstream
#            keepalive, access_log off, default proxy buffering) -> the upstream
#   GATEWAY  wrk -> GATEWAY_URL/ (started by GATEWAY_CMD if given) -> the upstream
# The upstream is bench/bigupstream: a raw keep-alive responder (like the harness's "raw"
# mode) that sends a fixed body of BODY_SIZE bytes from memory with a Content-Length.
#
# Method, as in the shared harness: the server under test alone on PROXY_CPU (nginx with one
# worker, the gateway with GOMAXPROCS=1); wrk (THREADS threads) and the upstream (GOMAXPROCS=1)
# on LOAD_CPU. Before measuring, the script waits up to QUIET_WAIT s for other processes to
# use less than QUIET_MAX % of the machine; then one WARMUP-second run per target, then ROUNDS
# rounds of one DURATION-second wrk run per target. Per run: requests/s, p50/p99 (wrk
# --latency), RSS of the server's process tree after the run, its CPU time over the run from
# /proc/<pid>/stat (utime+stime of the whole tree; us/req = that time per request), busy % of
# both cores from /proc/stat, and other%: CPU of all cores minus that of every process started
# here and of wrk, in % of one core. Medians over rounds; vs_nginx is the median of the
# per-round ratios to nginx. The rows go to OUT_DIR/results.csv in the harness's columns.
#
# Before any measurement, every target must answer GET with 200 and exactly BODY_SIZE bytes,
# identical to the upstream's body (cksum); otherwise the script stops with exit status 1.
#
# Memory per connection: after the rounds, for each count in MEM_CONNS (default 50 and 500)
# and each of nginx and the gateway, a fresh server process gets WARMUP s and then MEM_DURATION
# s of wrk -c<count>; the peak RSS of its process tree sampled during the load (every 0.2 s) is
# recorded (median over MEM_ROUNDS). A fresh process per measurement keeps memory retained from
# an earlier, larger load out of the smaller figure. These runs use wrk --timeout MEM_TIMEOUT:
# with hundreds of connections each waiting for 1 MiB, answers legitimately take longer than
# wrk's default 2 s, which wrk would count as socket errors although nothing failed. The increment per connection is
# (RSS at the highest count - RSS at the lowest) / (difference of the counts), in KiB: far
# below BODY_SIZE when bodies are streamed, about BODY_SIZE when they are buffered whole.
# nginx writes responses that outgrow its proxy buffers to temporary files (default
# proxy_buffering); the script counts how often it said so in its error log.
#
# Knobs (environment, defaults in brackets):
#   DURATION [5] s per measurement   ROUNDS [3]   CONNS [50]   THREADS [1]   WARMUP [1] s
#   TARGETS ["direct nginx"]: references beside the gateway
#   BODY_SIZE [1048576] bytes   MEM_CONNS ["50 500"]   MEM_DURATION [DURATION]   MEM_ROUNDS [ROUNDS]
#   MEM_TIMEOUT [30s]: wrk --timeout of the memory runs
#   LOAD_CPU [0]   PROXY_CPU [1]   QUIET_WAIT [30]   QUIET_MAX [15]
#   GATEWAY_URL   base URL of the gateway on 127.0.0.0/8; the script requests GATEWAY_URL/
#   GATEWAY_CMD   foreground start command of the gateway, run with bash -c, pinned to PROXY_CPU,
#                 GOMAXPROCS=1, in its own process group; end it with "exec ..." so that RSS
#                 and CPU are the gateway's own. It receives BENCH_UPSTREAM (host:port),
#                 BENCH_UPSTREAM_URL and BENCH_GATEWAY_PORT (GATEWAY_URL defaults to
#                 http://127.0.0.1:$BENCH_GATEWAY_PORT). It is started again, on its own, for
#                 each memory measurement, so it must be restartable.
#   GATEWAY_PID   PID to read RSS and CPU from when the gateway was started elsewhere (GATEWAY_URL
#                 without GATEWAY_CMD); such a gateway is left out of the memory measurement
#   GATEWAY_NAME [gateway]   GATEWAY_READY_S [30]
#   UPSTREAM_PORT, NGINX_PORT [free ports in 61000-64999]   OUT_DIR [a new temp dir]
#   GO [go in PATH]
# Outputs in OUT_DIR: results.csv (one row per run, the shared harness's columns), mem.csv (one
# row per memory run), perconn.txt (medians and increment per target, key=value), wrk output.
# The table goes to stdout, progress to stderr. Example, with a gateway already running whose
# route /bench leads to a service at http://127.0.0.1:61990 (where this script starts the upstream):
#   UPSTREAM_PORT=61990 GATEWAY_URL=http://127.0.0.1:8000/bench GATEWAY_PID=<its pid> bench/large.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/go/bin
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-1}
TARGETS=${TARGETS:-"direct nginx"}
BODY_SIZE=${BODY_SIZE:-1048576}
MEM_CONNS=${MEM_CONNS:-"50 500"}
MEM_DURATION=${MEM_DURATION:-$DURATION}
MEM_ROUNDS=${MEM_ROUNDS:-$ROUNDS}
MEM_TIMEOUT=${MEM_TIMEOUT:-30s}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_MAX=${QUIET_MAX:-15}
GATEWAY_URL=${GATEWAY_URL:-}
GATEWAY_CMD=${GATEWAY_CMD:-}
GATEWAY_NAME=${GATEWAY_NAME:-gateway}
GATEWAY_READY_S=${GATEWAY_READY_S:-30}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

die() { echo "large: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

for tool in wrk nginx curl cksum taskset setsid ss awk timeout mkfifo; do
	command -v "$tool" >/dev/null || { echo "large: missing tool: $tool (Debian: apt-get install wrk nginx curl coreutils util-linux iproute2 gawk)" >&2; exit 2; }
done
[[ -x $GO ]] || { echo "large: Go not found (set GO=/path/to/go)" >&2; exit 2; }
if [[ -n $GATEWAY_URL ]]; then # load goes to loopback only
	gw_host=${GATEWAY_URL#*://}; gw_host=${gw_host%%/*}; gw_host=${gw_host%:*}
	if [[ $GATEWAY_URL != http://* || ($gw_host != 127.* && $gw_host != localhost) ]]; then
		echo "large: GATEWAY_URL must be http:// on 127.0.0.0/8 or localhost (got $GATEWAY_URL)" >&2
		exit 2
	fi
fi
NCPU=$(nproc --all)
((LOAD_CPU < NCPU && PROXY_CPU < NCPU)) || { echo "large: LOAD_CPU/PROXY_CPU must be < $NCPU" >&2; exit 2; }
read -ra MEMC <<<"$MEM_CONNS"
for n in "${MEMC[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "large: MEM_CONNS must be positive integers" >&2; exit 2; }; done
mapfile -t MEMC < <(printf '%s\n' "${MEMC[@]}" | sort -nu)

WORK=$(mktemp -d /tmp/strait-large.XXXXXX)
OUT_DIR=${OUT_DIR:-$WORK/out}
mkdir -p "$OUT_DIR" "$WORK/run/nginx" "$WORK/bin"
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- processes
declare -A PID=() # name -> PID (a process-group leader) of what start() started and is running
TICK_FD=""

# stop NAME: SIGTERM to its process group, SIGKILL after 5 s, then reap it.
stop() {
	local pid=${PID[$1]:-}
	[[ -n $pid ]] || return 0
	unset "PID[$1]"
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? name
	trap - EXIT INT TERM
	for name in gateway nginx upstream; do stop "$name"; done
	[[ -z $TICK_FD ]] || exec {TICK_FD}>&-
	rm -rf "${WORK:?}/run" "${WORK:?}/bin"
	[[ $OUT_DIR == "$WORK/out" ]] || rm -rf "${WORK:?}" # results stay in OUT_DIR either way
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CPU CMD...: run CMD pinned to CPU in a session (process group) of its own.
start() {
	local name=$1 cpu=$2
	shift 2
	setsid taskset -c "$cpu" "$@" >>"$WORK/run/$name.log" 2>&1 </dev/null &
	PID[$name]=$!
}

# ---------------------------------------------------------------- ports
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
port_of() { # URL -> its port (80 when none is given)
	local hp=${1#*://}
	hp=${hp%%/*}
	[[ $hp == *:* ]] && echo "${hp##*:}" || echo 80
}
[[ -z ${UPSTREAM_PORT:-} ]] || TAKEN[$UPSTREAM_PORT]=1
[[ -z ${NGINX_PORT:-} ]] || TAKEN[$NGINX_PORT]=1
[[ -z $GATEWAY_URL ]] || TAKEN[$(port_of "$GATEWAY_URL")]=1
if [[ -n ${UPSTREAM_PORT:-} ]]; then UP_PORT=$UPSTREAM_PORT; else pick_port UP_PORT; fi
[[ -n ${NGINX_PORT:-} ]] || pick_port NGINX_PORT
pick_port GW_PORT

# ---------------------------------------------------------------- build, configure, start
log "building bench/bigupstream"
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -trimpath -o "$WORK/bin/bigupstream" ./bench/bigupstream) || die "building bench/bigupstream failed"

# nginx as in the shared harness: one worker, keep-alive to the upstream, no access log
cat >"$WORK/run/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $WORK/run/nginx/nginx.pid;
error_log $WORK/run/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $WORK/run/nginx/body;
    proxy_temp_path $WORK/run/nginx/proxy;
    fastcgi_temp_path $WORK/run/nginx/fastcgi;
    uwsgi_temp_path $WORK/run/nginx/uwsgi;
    scgi_temp_path $WORK/run/nginx/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    upstream bench_upstream {
        server 127.0.0.1:$UP_PORT;
        keepalive 128;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
touch "$WORK/run/nginx/error.log"

wait_http() { # URL SECONDS PID: until URL answers 200, the time runs out or PID exits
	local url=$1 secs=$2 pid=${3:-} i code
	for ((i = 0; i < secs * 10; i++)); do
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
		[[ $code == 200 ]] && return 0
		sleep 0.1
	done
	return 1
}

declare -A URL=()
# launch NAME: start (again) the server called NAME and wait until it serves; 1 if it does not
launch() {
	local name=$1
	case $name in
	nginx) start nginx "$PROXY_CPU" nginx -e "$WORK/run/nginx/error.log" -p "$WORK/run/nginx" -c "$WORK/run/nginx/nginx.conf" ;;
	"$GATEWAY_NAME")
		[[ -n $GATEWAY_CMD ]] || { wait_http "${URL[$name]}/" "$GATEWAY_READY_S"; return; } # started elsewhere
		start gateway "$PROXY_CPU" env GOMAXPROCS=1 BENCH_UPSTREAM="127.0.0.1:$UP_PORT" \
			BENCH_UPSTREAM_URL="http://127.0.0.1:$UP_PORT" BENCH_GATEWAY_PORT="$GW_PORT" bash -c "$GATEWAY_CMD"
		;;
	*) die "launch: unknown server $name" ;;
	esac
	wait_http "${URL[$name]}/" "$GATEWAY_READY_S" "${PID[$(pid_key "$name")]:-}"
}
pid_key() { [[ $1 == "$GATEWAY_NAME" ]] && echo gateway || echo "$1"; }
server_pid() { # TARGET -> PID whose process tree is the server under test
	case $1 in
	direct) echo "${PID[upstream]}" ;;
	"$GATEWAY_NAME") echo "${PID[gateway]:-${GATEWAY_PID:-}}" ;;
	*) echo "${PID[$1]:-}" ;;
	esac
}

start upstream "$LOAD_CPU" env GOMAXPROCS=1 "$WORK/bin/bigupstream" -addr "127.0.0.1:$UP_PORT" -size "$BODY_SIZE"
wait_http "http://127.0.0.1:$UP_PORT/" 10 "${PID[upstream]}" || { cat "$WORK/run/upstream.log" >&2; die "the upstream did not start"; }

ACTIVE=()
for t in $TARGETS; do
	case $t in
	direct) URL[direct]="http://127.0.0.1:$UP_PORT" ;;
	nginx)
		URL[nginx]="http://127.0.0.1:$NGINX_PORT"
		launch nginx || { tail -5 "$WORK/run/nginx.log" "$WORK/run/nginx/error.log" >&2 || true; die "nginx did not start"; }
		;;
	*) die "unknown target $t (known: direct nginx)" ;;
	esac
	ACTIVE+=("$t")
done
GATEWAY_PID=${GATEWAY_PID:-}
if [[ -n $GATEWAY_CMD || -n $GATEWAY_URL ]]; then
	GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:$GW_PORT}
	URL[$GATEWAY_NAME]=${GATEWAY_URL%/}
	launch "$GATEWAY_NAME" || { tail -5 "$WORK/run/gateway.log" >&2 2>/dev/null || true; die "$GATEWAY_NAME: ${URL[$GATEWAY_NAME]}/ did not answer 200 within $GATEWAY_READY_S s"; }
	ACTIVE+=("$GATEWAY_NAME")
fi

# sanity: every target answers 200 with exactly the upstream's body
want_sum=$(curl -s --max-time 10 "http://127.0.0.1:$UP_PORT/" | cksum)
[[ $want_sum == *" $BODY_SIZE" ]] || die "the upstream's body is not $BODY_SIZE bytes ($want_sum)"
for t in "${ACTIVE[@]}"; do
	got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 10 "${URL[$t]}/" || true)
	[[ $got == "200 $BODY_SIZE" ]] || die "$t: GET ${URL[$t]}/ gave '$got', expected '200 $BODY_SIZE'"
	sum=$(curl -s --max-time 10 "${URL[$t]}/" | cksum)
	[[ $sum == "$want_sum" ]] || die "$t: the body through ${URL[$t]}/ differs from the upstream's (cksum '$sum', expected '$want_sum')"
done
log "every target answers 200 with the upstream's $BODY_SIZE-byte body: ${ACTIVE[*]}"

# ---------------------------------------------------------------- accounting (as the shared harness)
tree_pids() { # PID -> PID and all its descendants
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			keep[root] = 1; grew = 1
			while (grew) { grew = 0
				for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 } } }
			for (p in keep) print p
		}'
}

rss_kib() { # PIDs... -> summed VmRSS in KiB
	local pid sum=0 k v _
	for pid in "$@"; do
		[[ -r /proc/$pid/status ]] || continue
		while read -r k v _; do
			[[ $k == VmRSS: ]] && sum=$((sum + v))
		done <"/proc/$pid/status"
	done
	echo "$sum"
}

proc_ticks() { # PIDs... -> summed utime+stime in clock ticks (fields 14 and 15 of /proc/PID/stat)
	local pid line rest sum=0
	for pid in "$@"; do
		[[ -r /proc/$pid/stat ]] || continue
		read -r line <"/proc/$pid/stat" || continue
		rest=${line##*) }
		# shellcheck disable=SC2086 # split into fields on purpose
		set -- $rest
		sum=$((sum + ${12} + ${13}))
	done
	echo "$sum"
}

self_child_ticks() { # cutime+cstime of this shell: CPU of the children it has reaped (wrk among them)
	local line rest
	read -r line <"/proc/$$/stat"
	rest=${line##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $rest
	echo $((${14} + ${15}))
}

# cpu_snapshot X -> "X_lb=.. X_lt=.. X_pb=.. X_pt=.. X_ab=.. X_st=..": busy and total ticks of
# LOAD_CPU (lb, lt) and PROXY_CPU (pb, pt), busy = user+nice+system+irq+softirq; user+nice+system
# of all CPUs (ab) and their steal (st)
cpu_snapshot() {
	local x=$1 name u n s i io irq sirq st _ out=""
	while read -r name u n s i io irq sirq st _; do
		case $name in
		cpu) out+="${x}_ab=$((u + n + s)) ${x}_st=$st " ;;
		cpu"$LOAD_CPU") out+="${x}_lb=$((u + n + s + irq + sirq)) ${x}_lt=$((u + n + s + i + io + irq + sirq + st)) " ;;
		cpu"$PROXY_CPU") out+="${x}_pb=$((u + n + s + irq + sirq)) ${x}_pt=$((u + n + s + i + io + irq + sirq + st)) " ;;
		esac
	done </proc/stat
	echo "$out"
}

OURS=() # every process started here, with descendants (for other%)
refresh_ours() {
	local pid
	OURS=()
	for pid in "${PID[@]}" ${GATEWAY_PID:+"$GATEWAY_PID"}; do mapfile -t -O "${#OURS[@]}" OURS < <(tree_pids "$pid"); done
}
refresh_ours

to_ms() { # wrk latency (620.00us, 1.43ms, 2.01s, 1.00m) -> ms
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else printf "nan" }'
}
wrk_errors() { # FILE -> "non2xx sock_errors"
	awk '/Non-2xx or 3xx responses:/ { n = $NF }
		/Socket errors:/ { gsub(/,/, ""); s = $4 + $6 + $8 + $10 }
		END { printf "%d %d\n", n, s }' "$1"
}
nginx_tempfiles() { grep -c 'buffered to a temporary file' "$WORK/run/nginx/error.log" || true; }

BODY=1m
((BODY_SIZE == 1048576)) || BODY=${BODY_SIZE}B
RESULTS=$OUT_DIR/results.csv
echo "round,target,body,rps,p50_ms,p99_ms,rss_mib,srv_cpu_pct,load_cpu_pct,other_pct,steal_pct,non2xx,sock_errors,proxy_core_pct,upstream_conns_closed" >"$RESULTS"
TEMPFILES=$OUT_DIR/nginx-tempfiles.txt
: >"$TEMPFILES"

upstream_tw() { ss -Htn state time-wait "( dport = :$UP_PORT or sport = :$UP_PORT )" | wc -l; }

# measure ROUND TARGET SECONDS: one wrk run; a CSV row unless ROUND is "warmup"
measure() {
	local round=$1 t=$2 secs=$3 url=${URL[$2]}/ srvpids=() f before after s0 s1 o0 o1 w0 w1 tw0 tw1 n0 n1 pid
	pid=$(server_pid "$t")
	[[ -z $pid ]] || mapfile -t srvpids < <(tree_pids "$pid")
	f=$OUT_DIR/wrk.$round.$t.$BODY.txt
	tw0=$(upstream_tw)
	n0=$(nginx_tempfiles)
	before=$(cpu_snapshot b); s0=$(proc_ticks "${srvpids[@]}"); o0=$(proc_ticks "${OURS[@]}"); w0=$(self_child_ticks)
	timeout $((secs + 15)) taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency "$url" >"$f" 2>&1 || true
	after=$(cpu_snapshot a); s1=$(proc_ticks "${srvpids[@]}"); o1=$(proc_ticks "${OURS[@]}"); w1=$(self_child_ticks)
	[[ $round == warmup ]] && return 0
	tw1=$(upstream_tw)
	n1=$(nginx_tempfiles)
	[[ $t != nginx ]] || echo "$round $((n1 - n0))" >>"$TEMPFILES"
	local upclosed=$((tw1 > tw0 ? tw1 - tw0 : 0))
	[[ $t != direct ]] || upclosed=nan # there the upstream's connections are wrk's own
	local rss rps p50 p99 errs
	rss=$(rss_kib "${srvpids[@]}")
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
	p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
	errs=$(wrk_errors "$f")
	local b_lb b_lt b_pb b_pt b_ab b_st a_lb a_lt a_pb a_pt a_ab a_st
	eval "$before $after"
	awk -v r="$round" -v t="$t" -v b="$BODY" -v rps="${rps:-0}" -v p50="$p50" -v p99="$p99" -v rss="$rss" \
		-v srvtk=$((s1 - s0)) -v ourtk=$((o1 - o0)) -v wrktk=$((w1 - w0)) \
		-v lb=$((a_lb - b_lb)) -v lt=$((a_lt - b_lt)) -v pb=$((a_pb - b_pb)) -v pt=$((a_pt - b_pt)) \
		-v ab=$((a_ab - b_ab)) -v st=$((a_st - b_st)) -v secs="$secs" -v hz="$CLK_TCK" -v haspid="${#srvpids[@]}" \
		-v non2xx="${errs% *}" -v sockerr="${errs#* }" -v upclosed="$upclosed" 'BEGIN {
			wall = secs * hz
			srv = haspid ? sprintf("%.0f", 100 * srvtk / wall) : "nan"
			other = 100 * (ab - ourtk - wrktk) / wall; if (other < 0) other = 0
			printf "%s,%s,%s,%.0f,%s,%s,%s,%s,%.0f,%.0f,%.0f,%s,%s,%.0f,%s\n", r, t, b, rps, p50, p99,
				haspid ? sprintf("%.1f", rss / 1024) : "nan", srv,
				lt ? 100 * lb / lt : 0, other, 100 * st / wall, non2xx, sockerr, pt ? 100 * pb / pt : 0, upclosed }' >>"$RESULTS"
}

# sleeping on a FIFO nobody writes to: a pause without starting a process
mkfifo "$WORK/run/tick"
exec {TICK_FD}<>"$WORK/run/tick"
pause() { read -r -t "$1" -u "$TICK_FD" _ || true; }

# mem_measure ROUND TARGET CONNS: a fresh server, WARMUP s of load, then MEM_DURATION s of
# load while its peak RSS is sampled; appends a row to mem.csv
MEM=$OUT_DIR/mem.csv
echo "round,target,conns,rss_peak_mib,rps,non2xx,sock_errors,p99_ms" >"$MEM"
mem_measure() {
	local round=$1 t=$2 n=$3 url=${URL[$2]}/ srvpids=() f wpid peak=0 cur rps errs p99
	launch "$t" || die "$t did not start again for the memory measurement (see $WORK/run/)"
	mapfile -t srvpids < <(tree_pids "$(server_pid "$t")")
	if ((WARMUP > 0)); then
		timeout $((WARMUP + 45)) taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$n" -d"${WARMUP}s" --timeout "$MEM_TIMEOUT" "$url" >/dev/null 2>&1 || true
	fi
	f=$OUT_DIR/wrk.mem$round.$t.c$n.txt
	timeout $((MEM_DURATION + 45)) taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$n" -d"${MEM_DURATION}s" --timeout "$MEM_TIMEOUT" --latency "$url" >"$f" 2>&1 &
	wpid=$!
	while kill -0 "$wpid" 2>/dev/null; do
		cur=$(rss_kib "${srvpids[@]}")
		((cur > peak)) && peak=$cur
		pause 0.2
	done
	wait "$wpid" || true
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")
	errs=$(wrk_errors "$f")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
	echo "$round,$t,$n,$(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}'),${rps:-0},${errs% *},${errs#* },$p99" >>"$MEM"
	stop "$(pid_key "$t")"
}

{
	echo "# large-body benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# host: $NCPU CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
	echo "# nginx $(nginx -v 2>&1 | sed 's/.*\///'), wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'), upstream: bench/bigupstream ($("$GO" version | awk '{print $3}')), body $BODY_SIZE B"
	echo "# pinning: server under test on CPU $PROXY_CPU (alone); wrk -t$THREADS and the upstream (GOMAXPROCS=1) on CPU $LOAD_CPU"
	echo "# wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, keep-alive HTTP/1.1 GET; $ROUNDS rounds, targets alternate within each round"
	echo "# memory: peak RSS of a fresh server under wrk -c{${MEM_CONNS// /,}} for ${MEM_DURATION} s, median of $MEM_ROUNDS"
	echo "# targets: ${ACTIVE[*]}; ports on 127.0.0.1: upstream $UP_PORT, nginx $NGINX_PORT, ${GATEWAY_NAME} ${URL[$GATEWAY_NAME]:-none}"
} | tee "$OUT_DIR/summary.txt" >&2

# wait (bounded) for the machine to be quiet: the servers are idle, so busy CPU is someone else's
waited=0 q0_ab=0 q1_ab=0
while :; do
	eval "$(cpu_snapshot q0)"; o0=$(proc_ticks "${OURS[@]}"); sleep 1
	eval "$(cpu_snapshot q1)"; o1=$(proc_ticks "${OURS[@]}")
	busy=$(((q1_ab - q0_ab - (o1 - o0)) * 100 / (CLK_TCK * NCPU)))
	((busy < QUIET_MAX)) && break
	if ((waited >= QUIET_WAIT)); then
		echo "# machine still busy ($busy% of all CPUs used by other processes); measuring anyway" | tee -a "$OUT_DIR/summary.txt" >&2
		break
	fi
	((waited == 0)) && log "waiting up to ${QUIET_WAIT}s for other processes to go quiet ($busy% busy)"
	sleep 2
	waited=$((waited + 3))
done

if ((WARMUP > 0)); then
	for t in "${ACTIVE[@]}"; do measure warmup "$t" "$WARMUP"; done
fi
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${ACTIVE[@]}"; do
		measure "$r" "$t" "$DURATION"
		tail -1 "$RESULTS" | awk -F, -v pc="$PROXY_CPU" -v lc="$LOAD_CPU" '{printf "  round %s %-10s %-4s %7s rps  p50 %8s ms  p99 %8s ms  rss %6s MiB  srv %3s%%  core%s %3s%%  core%s %3s%%  other %3s%%\n",
			$1, $2, $3, $4, $5, $6, $7, $8, pc, $14, lc, $9, $10}' >&2
	done
done

# ---------------------------------------------------------------- memory per connection
MEM_TARGETS=()
for t in "${ACTIVE[@]}"; do
	[[ $t == direct ]] && continue
	if [[ $t == "$GATEWAY_NAME" && -z $GATEWAY_CMD ]]; then
		log "memory per connection: $GATEWAY_NAME was started elsewhere (no GATEWAY_CMD), left out"
		continue
	fi
	MEM_TARGETS+=("$t")
done
if ((${#MEM_TARGETS[@]} && ${#MEMC[@]} >= 2)); then
	for t in "${MEM_TARGETS[@]}"; do stop "$(pid_key "$t")"; done
	for ((r = 1; r <= MEM_ROUNDS; r++)); do
		for n in "${MEMC[@]}"; do
			for t in "${MEM_TARGETS[@]}"; do
				mem_measure "$r" "$t" "$n"
				tail -1 "$MEM" | awk -F, '{printf "  memory round %s %-10s -c%-5s peak rss %7s MiB  %6s rps  p99 %9s ms  errors %s\n", $1, $2, $3, $4, $5, $8, $6 + $7}' >&2
			done
		done
	done
fi

# ---------------------------------------------------------------- report
MEDIAN_AWK='function median(s,   a, n, i, j, x) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { x = a[i]; a[i] = a[j]; a[j] = x }
	if (n == 0) return "nan"
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

# per target: medians of the memory runs and the increment per connection, key=value
awk -F, -v lo="${MEMC[0]}" -v hi="${MEMC[${#MEMC[@]} - 1]}" -v body="$BODY_SIZE" "$MEDIAN_AWK"'
	NR > 1 {
		if (!($2 in seen)) { seen[$2] = 1; T[++nt] = $2 }
		rss[$2 SUBSEP $3] = rss[$2 SUBSEP $3] " " $4; rps[$2 SUBSEP $3] = rps[$2 SUBSEP $3] " " $5
		err[$2 SUBSEP $3] += $6 + $7
	}
	END {
		for (i = 1; i <= nt; i++) {
			t = T[i]; a = median(rss[t SUBSEP lo]); b = median(rss[t SUBSEP hi])
			printf "target=%s conns_low=%d conns_high=%d rss_low_mib=%.1f rss_high_mib=%.1f rps_low=%.0f rps_high=%.0f errors=%d kib_per_conn=%.1f body_kib=%.0f\n",
				t, lo, hi, a, b, median(rps[t SUBSEP lo]), median(rps[t SUBSEP hi]), err[t SUBSEP lo] + err[t SUBSEP hi],
				(b - a) * 1024 / (hi - lo), body / 1024
		}
	}' "$MEM" >"$OUT_DIR/perconn.txt"

tempfiles_main=$(awk '{ s += $2 } END { print s + 0 }' "$TEMPFILES")
tempfiles_all=$(nginx_tempfiles)

{
	echo
	printf "%-10s %-4s %8s %9s %9s %8s %8s %7s %5s %6s %6s %6s %s\n" target body rps p50_ms p99_ms rss_MiB vs_nginx us/req srv% \
		"cpu$PROXY_CPU%" "cpu$LOAD_CPU%" other% notes
	awk -F, "$MEDIAN_AWK"'
		NR > 1 {
			if (!($2 in seen)) { seen[$2] = 1; T[++nt] = $2 }
			if (!($1 in seenr)) { seenr[$1] = 1; R[++nr] = $1 }
			t = $2; byround[t SUBSEP $1] = $4
			rps[t] = rps[t] " " $4; p50[t] = p50[t] " " $5; p99[t] = p99[t] " " $6; rss[t] = rss[t] " " $7
			srv[t] = srv[t] " " $8; load[t] = load[t] " " $9; oth[t] = oth[t] " " $10; core[t] = core[t] " " $14
			bad[t] += $12 + $13; runs[t] = runs[t] " " $4; body = $3
			if ($8 != "nan" && $4 > 0) cost[t] = cost[t] " " sprintf("%.1f", $8 * 10000 / $4)
			if ($15 != "nan") upc[t] += $15; n[t]++
		}
		END {
			for (i = 1; i <= nt; i++) {
				t = T[i]; rl = ""
				for (j = 1; j <= nr; j++)
					if (((t SUBSEP R[j]) in byround) && byround["nginx" SUBSEP R[j]] > 0) rl = rl " " byround[t SUBSEP R[j]] / byround["nginx" SUBSEP R[j]]
				note = "runs:" runs[t]
				if (bad[t] > 0) note = note " ERRORS:" bad[t]
				if (upc[t] > 100 * n[t]) note = note " UPSTREAM-CONNS-CLOSED:" upc[t]
				m = median(oth[t]); if (m + 0 > 10) note = note " BUSY-MACHINE"
				printf "%-10s %-4s %8.0f %9.3f %9.3f %8s %8s %7s %5s %6s %6s %6s %s\n", t, body, median(rps[t]), median(p50[t]), median(p99[t]),
					median(rss[t]), (rl == "") ? "-" : sprintf("%.2f", median(rl)), (t in cost) ? median(cost[t]) : "-",
					median(srv[t]), median(core[t]), median(load[t]), m, note
			}
		}' "$RESULTS"
	echo
	echo "vs_nginx = median over rounds of (rps / nginx rps in the same round). us/req = CPU microseconds the"
	echo "server spent per request (srv% x 10^4 / rps). srv% = its CPU time in % of one core; cpu$PROXY_CPU% / cpu$LOAD_CPU% ="
	echo "busy % of the server core / of the load core (wrk + upstream). other% = CPU of processes not started here."
	if [[ -s $OUT_DIR/perconn.txt ]]; then
		echo
		echo "Memory per connection, $BODY_SIZE-byte bodies: peak RSS of a fresh server under load, median of $MEM_ROUNDS"
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "%-10s -c%-4s %8s MiB   -c%-4s %8s MiB   +%s KiB per connection (body %s KiB)%s\n", v["target"], v["conns_low"], v["rss_low_mib"],
				v["conns_high"], v["rss_high_mib"], v["kib_per_conn"], v["body_kib"], (v["errors"] > 0) ? "  ERRORS:" v["errors"] : "" }' "$OUT_DIR/perconn.txt"
	fi
	if [[ " ${ACTIVE[*]} " == *" nginx "* ]]; then
		echo
		echo "nginx buffered $tempfiles_main upstream responses to temporary files during the measured runs ($tempfiles_all in all, memory runs included)."
	fi
} | tee -a "$OUT_DIR/summary.txt"
echo "raw wrk output and per-run rows: $OUT_DIR" >&2
