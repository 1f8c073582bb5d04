# Helpers shared by the benchmark scripts; sourced, not run. The script
# sourcing it defines die().

# TAKEN holds the ports handed out (or reserved by the caller).
declare -A TAKEN=()

# pick_port VAR sets VAR to a free loopback port in 61000-64999 that no
# earlier pick returned: outside the kernel's default ephemeral range and
# the shared harness's own picks (20000-59999). It runs in the calling
# shell (not in $(...)) so that TAKEN remembers the pick.
pick_port() {
	local -n picked=$1
	local p
	for _ in $(seq 200); do
		p=$((61000 + RANDOM % 4000))
		[[ -z ${TAKEN[$p]:-} ]] || continue
		if ! ss -Htan "sport = :$p" | grep -q .; then
			TAKEN[$p]=1
			picked=$p
			return
		fi
	done
	die "no free port in 61000-64999"
}
