#!/usr/bin/env bash
# Strait's proxy benchmark: Strait side by side with nginx (and Caddy, HAProxy) on this
# machine, through the shared side-by-side harness, plus cold start, memory, and pointers
# to the Go micro-benchmarks. Prints one table of ratios to nginx from one run.
#
# Cases (each one run of the shared harness, Strait and nginx alternating within rounds):
#   one      1 route (/bench), no plugins; bodies 13 B and 1 KiB (the harness's "small 1k")
#   routes   10,000 routes of mixed shapes (hosts, prefixes, regexes, wildcard hosts, headers,
#            methods) plus 10,000 consumers when the build has them; the measured request
#            hits the prefix route /svc5005 in the middle of the table, behind decoys
#   plugins  1 route with key-auth + rate-limiting (policy local); reported as "not available
#            in this build" when GET /plugins/enabled lacks either plugin or the proxy does
#            not enforce key-auth
#   large    1 route (/bench), no plugins, 1 MiB bodies; measured by bench/large.sh, not by the
#            shared harness (which serves only 13 B and 1 KiB bodies), with the harness's method:
#            Strait, nginx (configured as in the harness) and "direct" alternating within rounds
#            in front of bench/bigupstream (a raw keep-alive responder sending 1 MiB from memory),
#            checked first to return 200 and the upstream's exact 1,048,576 bytes. It also
#            measures the peak RSS of fresh Strait and nginx processes under MEM_CONNS
#            connections and prints the growth per connection under the table.
# Then: cold start (exec to first 200 on the measured route, embedded store, median of
# COLD_RUNS starts) and RSS for the "one" and "routes" prefixes, and the `go test -bench`
# commands for internal/router, internal/proxy and internal/plugin.
#
# How: the script picks the upstream port (UPSTREAM_PORT of the harness) and the gateway
# ports itself, so each case's prefix is seeded before the harness starts, through the
# Admin API of a briefly started Strait (bench/seed), with the service already pointing at
# the harness's upstream. GATEWAY_CMD then only checks BENCH_UPSTREAM_URL and execs
# "strait start -p PREFIX". GATEWAY_URL carries the measured path (the harness requests
# GATEWAY_URL/ and GATEWAY_URL/1k), which is why the gateway listens on a port chosen here
# rather than on BENCH_GATEWAY_PORT. Ports come from 61000-64999: outside the kernel's
# default ephemeral range and outside the harness's own picks (20000-59999). The large case
# is prepared the same way, its service pointing at the port chosen for bench/bigupstream,
# and bench/large.sh takes the same GATEWAY_CMD / GATEWAY_URL contract as the harness.
#
# Knobs (environment, defaults in brackets):
#   CASES ["one routes plugins large"]   ROUTES [10000]   CONSUMERS [10000]   COLD_RUNS [5]
#   DURATION [5] s per measurement   ROUNDS [3]   CONNS [50]   WARMUP [1]   (passed to the harness)
#   REF_TARGETS ["direct nethttp-1core nginx caddy haproxy"]: targets beside Strait in the
#                first case; later cases run against nginx only (OTHER_TARGETS ["nginx"])
#   ONE_BODIES ["small 1k"]   OTHER_BODIES ["small"]
#   LARGE_TARGETS ["direct nginx"]: targets beside Strait in the large case
#   MEM_CONNS ["50 500"]   MEM_DURATION [DURATION]   MEM_ROUNDS [ROUNDS]: the memory-per-connection
#                measurement of the large case (connection counts; lowest and highest are compared)
#   SHARED_BENCH [../shared/bench, relative to the repository root]: folder of the harness
#   WORK_DIR [a new /tmp/strait-bench.XXXXXX]: binaries, prefixes, results (kept)
#   LOAD_CPU [0]   PROXY_CPU [1]   GO_BENCH [0]: 1 also runs the Go benchmarks (-benchtime GO_BENCHTIME [1s])
#   SKIP_COLD [0]: 1 skips the cold-start measurement
# Other harness knobs (QUIET_WAIT, QUIET_MAX, UPSTREAM_MODE, THREADS) pass through.
#
# Needs: Go, curl, wrk, nginx, caddy, haproxy (apt-get install -y wrk nginx caddy haproxy);
# run as root, the script installs missing packages itself.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/go/bin
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
export GO
SHARED_BENCH=${SHARED_BENCH:-../shared/bench}
SHARED_BENCH=$(cd "$ROOT" && cd "$SHARED_BENCH" && pwd) || { echo "bench: no shared harness folder at $SHARED_BENCH" >&2; exit 2; }
HARNESS=$SHARED_BENCH/run.sh
[[ -x $HARNESS ]] || { echo "bench: $HARNESS is missing or not executable" >&2; exit 2; }

CASES=${CASES:-"one routes plugins large"}
ROUTES=${ROUTES:-10000}
CONSUMERS=${CONSUMERS:-10000}
COLD_RUNS=${COLD_RUNS:-5}
export DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-50} WARMUP=${WARMUP:-1}
export LOAD_CPU=${LOAD_CPU:-0} PROXY_CPU=${PROXY_CPU:-1}
REF_TARGETS=${REF_TARGETS:-"direct nethttp-1core nginx caddy haproxy"}
OTHER_TARGETS=${OTHER_TARGETS:-"nginx"}
ONE_BODIES=${ONE_BODIES:-"small 1k"}
OTHER_BODIES=${OTHER_BODIES:-"small"}
LARGE_TARGETS=${LARGE_TARGETS:-"direct nginx"}
GO_BENCH=${GO_BENCH:-0}
GO_BENCHTIME=${GO_BENCHTIME:-1s}
SKIP_COLD=${SKIP_COLD:-0}
WORK_DIR=${WORK_DIR:-$(mktemp -d /tmp/strait-bench.XXXXXX)}
mkdir -p "$WORK_DIR/bin" "$WORK_DIR/prefix" "$WORK_DIR/out"

log() { echo "# $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
# ensure_tools installs what the benchmark needs (apt, as root) or fails naming it.
ensure_tools() {
	declare -A pkg_of=([wrk]=wrk [nginx]=nginx [caddy]=caddy [haproxy]=haproxy [curl]=curl
		[taskset]=util-linux [setsid]=util-linux [ss]=iproute2 [awk]=gawk [timeout]=coreutils
		[cksum]=coreutils [mkfifo]=coreutils)
	local tool pkgs=() p cand updated=0
	for tool in "${!pkg_of[@]}"; do
		command -v "$tool" >/dev/null || pkgs+=("${pkg_of[$tool]}")
	done
	[[ -x $GO ]] || die "Go not found (set GO=/path/to/go)"
	((${#pkgs[@]})) || return 0
	mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
	if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
		echo "bench: missing packages: ${pkgs[*]}" >&2
		echo "bench: install them first, e.g.: sudo apt-get install -y ${pkgs[*]}" >&2
		exit 2
	fi
	for p in "${pkgs[@]}"; do
		cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
		if [[ -z $cand || $cand == "(none)" ]] && ((!updated)); then
			log "apt-get update (no candidate for $p)"
			apt-get update -qq || die "apt-get update failed"
			updated=1
		fi
	done
	log "installing ${pkgs[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >"$WORK_DIR/apt-install.log" 2>&1; then
		tail -20 "$WORK_DIR/apt-install.log" >&2
		die "apt-get install ${pkgs[*]} failed (log: $WORK_DIR/apt-install.log)"
	fi
	for tool in "${!pkg_of[@]}"; do
		command -v "$tool" >/dev/null || die "$tool still missing after installing ${pkgs[*]}"
	done
}
ensure_tools

# ---------------------------------------------------------------- processes and ports
PREP_PID=""
cleanup() {
	local rc=$?
	if [[ -n $PREP_PID ]] && kill -0 "$PREP_PID" 2>/dev/null; then
		kill -TERM "$PREP_PID" 2>/dev/null || true
		wait "$PREP_PID" 2>/dev/null || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
pick_port UP_PORT
pick_port GW_PORT
pick_port GW_ADMIN_PORT
pick_port PREP_PORT
pick_port PREP_ADMIN_PORT
UPSTREAM_URL=http://127.0.0.1:$UP_PORT
pick_port BIG_UP_PORT    # bench/bigupstream, for the large case
pick_port LARGE_NGINX_PORT
BIG_UPSTREAM_URL=http://127.0.0.1:$BIG_UP_PORT
upstream_of() { [[ $1 == large ]] && echo "$BIG_UPSTREAM_URL" || echo "$UPSTREAM_URL"; }

# ---------------------------------------------------------------- build
log "building strait and the helpers into $WORK_DIR/bin"
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -trimpath -o "$WORK_DIR/bin/strait" ./cmd/strait) || die "building strait failed"
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -trimpath -o "$WORK_DIR/bin/seed" ./bench/seed) || die "building bench/seed failed"
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -trimpath -o "$WORK_DIR/bin/coldstart" ./bench/coldstart) || die "building bench/coldstart failed"
STRAIT=$WORK_DIR/bin/strait

# ---------------------------------------------------------------- seed one prefix per case
declare -A CASE_PATH=() CASE_SKIP=()

# seed_case CASE: start Strait on a fresh prefix, seed it, stop it. Sets CASE_PATH or CASE_SKIP.
seed_case() {
	local c=$1 prefix=$WORK_DIR/prefix/$1 out rc=0 code
	rm -rf "$prefix"
	STRAIT_PROXY_LISTEN=127.0.0.1:$PREP_PORT STRAIT_ADMIN_LISTEN=127.0.0.1:$PREP_ADMIN_PORT \
		STRAIT_PROXY_ACCESS_LOG=off STRAIT_LOG_LEVEL=crit \
		"$STRAIT" start -p "$prefix" >"$WORK_DIR/out/seed-$c.log" 2>&1 &
	PREP_PID=$!
	for _ in $(seq 300); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PREP_ADMIN_PORT/status" || true)
		[[ $code == 200 ]] && break
		kill -0 "$PREP_PID" 2>/dev/null || { cat "$WORK_DIR/out/seed-$c.log" >&2; die "strait exited while preparing $c"; }
		sleep 0.1
	done
	[[ $code == 200 ]] || die "the Admin API of the preparing node did not answer"
	local args=(-admin "http://127.0.0.1:$PREP_ADMIN_PORT" -proxy "http://127.0.0.1:$PREP_PORT" -upstream "$(upstream_of "$c")")
	case $c in
	one | large) args+=(-case one) ;;
	routes) args+=(-case routes -routes "$ROUTES" -consumers "$CONSUMERS") ;;
	plugins) args+=(-case plugins) ;;
	*) die "unknown case $c (known: one routes plugins large)" ;;
	esac
	out=$("$WORK_DIR/bin/seed" "${args[@]}" 2>"$WORK_DIR/out/seed-$c.err") || rc=$?
	if ((rc == 3)) && [[ $c == routes ]] && grep -q 'consumers not available' "$WORK_DIR/out/seed-$c.err"; then
		# the build has no consumers: measure routes alone
		log "routes: consumers not available in this build, seeding routes only"
		kill -TERM "$PREP_PID"; wait "$PREP_PID" || true; PREP_PID=""
		CONSUMERS=0
		seed_case routes
		return
	fi
	kill -TERM "$PREP_PID"
	wait "$PREP_PID" || die "the preparing node for $c did not stop cleanly (see $WORK_DIR/out/seed-$c.log)"
	PREP_PID=""
	case $rc in
	0) CASE_PATH[$c]=$out ;;
	3) CASE_SKIP[$c]=$(sed -n '1s/^seed [a-z]*: //p' "$WORK_DIR/out/seed-$c.err") ;;
	*) cat "$WORK_DIR/out/seed-$c.err" >&2; die "seeding $c failed" ;;
	esac
}

for c in $CASES; do
	log "preparing case $c"
	start_s=$SECONDS
	seed_case "$c"
	if [[ -n ${CASE_SKIP[$c]:-} ]]; then
		log "$c: ${CASE_SKIP[$c]}"
	else
		log "$c: seeded in $((SECONDS - start_s)) s, measured path ${CASE_PATH[$c]}"
	fi
done

# ---------------------------------------------------------------- cold start and idle RSS
declare -A COLD=()
if ((!SKIP_COLD)); then
	for c in one routes; do
		[[ -n ${CASE_PATH[$c]:-} ]] || continue
		log "cold start: $c ($COLD_RUNS starts)"
		COLD[$c]=$(taskset -c "$LOAD_CPU" "$WORK_DIR/bin/coldstart" -bin "$STRAIT" -prefix "$WORK_DIR/prefix/$c" \
			-proxy "127.0.0.1:$PREP_PORT" -admin "127.0.0.1:$PREP_ADMIN_PORT" -upstream "127.0.0.1:$UP_PORT" \
			-path "${CASE_PATH[$c]}" -runs "$COLD_RUNS" -cpu "$PROXY_CPU") || COLD[$c]="failed"
	done
fi

# ---------------------------------------------------------------- throughput: the shared harness
# (and bench/large.sh for the large case)
first=1
for c in $CASES; do
	[[ -n ${CASE_PATH[$c]:-} ]] || continue
	up_url=$(upstream_of "$c")
	gw_cmd=$(printf '[ "$BENCH_UPSTREAM_URL" = %q ] || { echo "upstream is $BENCH_UPSTREAM_URL, the prefix was seeded for %q" >&2; exit 1; }; ' \
		"$up_url" "$up_url")
	gw_cmd+=$(printf 'STRAIT_PROXY_LISTEN=127.0.0.1:%d STRAIT_ADMIN_LISTEN=127.0.0.1:%d STRAIT_PROXY_ACCESS_LOG=off STRAIT_LOG_LEVEL=error exec %q start -p %q' \
		"$GW_PORT" "$GW_ADMIN_PORT" "$STRAIT" "$WORK_DIR/prefix/$c")
	mkdir -p "$WORK_DIR/out/$c"
	if [[ $c == large ]]; then
		log "measuring case large: targets '$LARGE_TARGETS' + strait, 1 MiB body, ${ROUNDS} rounds of ${DURATION} s, then memory at -c{${MEM_CONNS:-50 500}}"
		TARGETS=$LARGE_TARGETS BODY_SIZE=1048576 GATEWAY_NAME=strait UPSTREAM_PORT=$BIG_UP_PORT NGINX_PORT=$LARGE_NGINX_PORT \
			OUT_DIR=$WORK_DIR/out/$c GATEWAY_URL="http://127.0.0.1:$GW_PORT${CASE_PATH[$c]}" GATEWAY_CMD=$gw_cmd \
			"$ROOT/bench/large.sh" >"$WORK_DIR/out/$c/table.txt" 2> >(tee "$WORK_DIR/out/$c/stderr.txt" >&2) ||
			log "$c: bench/large.sh failed (exit $?), see $WORK_DIR/out/$c"
		continue
	fi
	targets=$OTHER_TARGETS bodies=$OTHER_BODIES
	((first)) && targets=$REF_TARGETS
	[[ $c == one ]] && bodies=$ONE_BODIES
	first=0
	log "measuring case $c: targets '$targets' + strait, bodies '$bodies', ${ROUNDS} rounds of ${DURATION} s"
	TARGETS=$targets BODIES=$bodies GATEWAY_NAME=strait UPSTREAM_PORT=$UP_PORT OUT_DIR=$WORK_DIR/out/$c \
		GATEWAY_URL="http://127.0.0.1:$GW_PORT${CASE_PATH[$c]}" GATEWAY_CMD=$gw_cmd \
		"$HARNESS" >"$WORK_DIR/out/$c/table.txt" || log "$c: the harness failed (exit $?), see $WORK_DIR/out/$c"
done

# ---------------------------------------------------------------- the table
label() { # CASE BODY -> row label
	case $1/$2 in
	one/small) echo "1 route, no plugins" ;;
	one/1k) echo "1 route, 1 KiB body" ;;
	routes/small) echo "$ROUTES routes$( ((CONSUMERS > 0)) && echo " + $CONSUMERS consumers")" ;;
	routes/1k) echo "$ROUTES routes, 1 KiB body" ;;
	plugins/small) echo "key-auth + rate-limiting" ;;
	plugins/1k) echo "key-auth + rate-limiting, 1 KiB" ;;
	large/*) echo "1 route, 1 MiB body" ;;
	*) echo "$1 $2" ;;
	esac
}

# rows CSV CASE: one line per (target, body) of a harness results.csv, medians over rounds
rows() {
	awk -F, -v c="$2" '
		function median(s,   a, n, i, j, t) {
			n = split(s, a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			if (n == 0) return "nan"
			return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		NR > 1 {
			k = $2 SUBSEP $3
			if (!(k in seen)) { seen[k] = 1; K[++nk] = k }
			rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6; rss[k] = rss[k] " " $7
			oth[k] = oth[k] " " $10; err[k] += $12 + $13
			if ($8 != "nan" && $4 > 0) cost[k] = cost[k] " " ($8 * 10000 / $4)
			byround[$2 SUBSEP $3 SUBSEP $1] = $4; rounds[$1] = 1
			if (!(k in lo) || $4 + 0 < lo[k]) lo[k] = $4 + 0
			if (!(k in hi) || $4 + 0 > hi[k]) hi[k] = $4 + 0
		}
		END {
			for (i = 1; i <= nk; i++) {
				split(K[i], tb, SUBSEP); t = tb[1]; b = tb[2]
				rl = ""
				for (r in rounds) {
					a = t SUBSEP b SUBSEP r; n = "nginx" SUBSEP b SUBSEP r
					if ((a in byround) && (n in byround) && byround[n] > 0) rl = rl " " byround[a] / byround[n]
				}
				m = median(rps[K[i]])
				printf "%s|%s|%s|%.0f|%s|%.3f|%.3f|%s|%s|%.0f|%s|%d\n", c, b, t, m,
					(rl == "") ? "-" : sprintf("%.2f", median(rl)), median(p50[K[i]]), median(p99[K[i]]),
					median(rss[K[i]]), (K[i] in cost) ? sprintf("%.1f", median(cost[K[i]])) : "-", median(oth[K[i]]),
					(m > 0 && split(rps[K[i]], _x, " ") > 1) ? sprintf("%.0f", 100 * (hi[K[i]] - lo[K[i]]) / m) : "-", err[K[i]]
			}
		}' "$1"
}

fmt_row() { printf "%-34s %-5s %-13s %9s %8s %8s %8s %8s %7s %6s %7s %s\n" "$@"; }

{
	echo
	echo "== Strait proxy benchmark, one run: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc --all) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))"
	echo "== wrk -c$CONNS, ${DURATION} s x ${ROUNDS} rounds per target, targets alternating within each round; medians; ratios vs nginx of the same case run"
	declare -A shown=()
	fmt_row case body target rps vs_nginx p50_ms p99_ms rss_MiB us/req other% spread% notes
	for c in $CASES; do
		if [[ -n ${CASE_SKIP[$c]:-} ]]; then
			fmt_row "$(label "$c" small)" - strait - - - - - - - - "${CASE_SKIP[$c]}"
			continue
		fi
		res=$WORK_DIR/out/$c/results.csv
		if [[ ! -s $res ]] || (($(wc -l <"$res") < 2)); then
			why="harness failed: $WORK_DIR/out/$c"
			[[ $c != large ]] || why="bench/large.sh failed: $(grep '^large: ' "$WORK_DIR/out/large/stderr.txt" 2>/dev/null | tail -1 | cut -c8-)"
			fmt_row "$(label "$c" small)" - strait - - - - - - - - "no results ($why)"
			continue
		fi
		mapfile -t lines < <(rows "$res" "$c")
		for rb in small 1k 1m; do
			for rt in strait nginx $REF_TARGETS $LARGE_TARGETS; do
				for line in "${lines[@]}"; do
					IFS='|' read -r _ b t rrps rratio rp50 rp99 rrss rcost roth rspread rerr <<<"$line"
					[[ $b == "$rb" && $t == "$rt" ]] || continue
					[[ -z ${shown[$c/$b/$t]:-} ]] || continue
					shown[$c/$b/$t]=1
					note=""
					((rerr == 0)) || note="ERRORS:$rerr"
					((roth <= 10)) || note="$note BUSY-MACHINE"
					name="  reference"
					[[ $t == strait ]] && name=$(label "$c" "$b")
					fmt_row "$name" "$b" "$t" "$rrps" "$rratio" "$rp50" "$rp99" "$rrss" "$rcost" "$roth" "$rspread" "$note"
				done
			done
		done
	done
	echo
	if [[ -s $WORK_DIR/out/large/perconn.txt ]]; then
		# key=value lines written by bench/large.sh, one per server
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			if (NR == 1) printf "Memory per connection, 1 MiB bodies (peak RSS of a fresh server under wrk -c%s, then -c%s; median of %s):\n", v["conns_low"], v["conns_high"], rounds
			printf "  %-7s %7s MiB at %s connections, %7s MiB at %s: +%s KiB per connection (the body is %s KiB)%s\n", v["target"], v["rss_low_mib"], v["conns_low"],
				v["rss_high_mib"], v["conns_high"], v["kib_per_conn"], v["body_kib"], (v["errors"] > 0) ? ", ERRORS:" v["errors"] : "" }' \
			rounds="${MEM_ROUNDS:-$ROUNDS}" "$WORK_DIR/out/large/perconn.txt"
		if [[ -s $WORK_DIR/out/large/nginx-tempfiles.txt ]]; then
			echo "  nginx buffered $(awk '{ s += $2 } END { print s + 0 }' "$WORK_DIR/out/large/nginx-tempfiles.txt") responses of the measured 1 MiB runs to temporary files (proxy_buffering, as in the harness)."
		fi
		echo
	fi
	echo "vs_nginx: median over rounds of strait rps / nginx rps in the same round (higher is better; 1.00 = nginx)."
	echo "us/req: CPU microseconds the server spent per request. rss_MiB: resident memory of the server under load."
	echo "other%: CPU used by processes outside the benchmark during the runs (the harness's noise figure; above 10"
	echo "        marks BUSY-MACHINE). spread%: (max - min) / median of the rps over rounds ('-' with one round)."
	echo
	echo "== Cold start (exec to first 200 on the measured route, embedded store; GOMAXPROCS=1 on CPU $PROXY_CPU) and idle RSS"
	if ((SKIP_COLD)); then
		echo "skipped (SKIP_COLD=1)"
	elif ((${#COLD[@]} == 0)); then
		echo "not measured: CASES has neither one nor routes"
	fi
	for c in one routes; do
		[[ -n ${COLD[$c]:-} ]] || continue
		if [[ ${COLD[$c]} == failed ]]; then
			echo "$(label "$c" small): failed (see the messages above)"
			continue
		fi
		# key=value pairs printed by bench/coldstart
		awk -v name="$(label "$c" small)" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
			END { printf "%-34s first 200 after %s ms (median of %s starts; min %s, max %s), first answer of any kind %s ms, RSS then %s MiB\n",
				name, v["first_200_ms"], v["runs"], v["first_200_min_ms"], v["first_200_max_ms"], v["first_answer_ms"], v["rss_mib"] }' <<<"${COLD[$c]}"
	done
	echo
	echo "== Go micro-benchmarks (router match, proxy hot path, plugin chain):"
	echo "   cd $ROOT && go test -run '^\$' -bench . -benchmem ./internal/router/ ./internal/proxy/ ./internal/plugin/"
	echo
	echo "Per-case harness tables, raw wrk output and results.csv: $WORK_DIR/out/<case>/"
} | tee "$WORK_DIR/out/report.txt"

if ((GO_BENCH)); then
	echo
	(cd "$ROOT" && "$GO" test -run '^$' -bench . -benchmem -benchtime "$GO_BENCHTIME" ./internal/router/ ./internal/proxy/ ./internal/plugin/) |
		tee "$WORK_DIR/out/gobench.txt"
fi
