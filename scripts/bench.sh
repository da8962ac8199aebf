#!/usr/bin/env bash
# Runs every benchmark that needs no running node, in one go, and writes bench/results.md (issue 8):
#   gas       hardhat/scripts/gas-table.ts on Hardhat's in-process EVM
#   ethers    bench/js/ethers-ops.mjs: ethers.js 6 ops/s on bench/inputs/ethereum-ops.json
#   .NET      bench/OpenGradient.Oracle.Benchmarks (BenchmarkDotNet, short job): inference overhead vs bare ONNX
#             Runtime for every bundled model, and our Ethereum core on the same inputs as ethers
# Prints `bench: <name> <value> <unit>` per figure. Figures are never asserted; the script exits non-zero only when
# a part fails to run (or ours and ethers.js compute different results, which would make the ratios meaningless).
#
# Usage: scripts/bench.sh           everything above (about 2-3 minutes on 2 cores)
#        scripts/bench.sh --e2e     end-to-end throughput/latency on a devnet: not available yet (needs the node)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

case "${1:-}" in
  "") ;;
  --e2e)
    # Placeholder until the node pipeline (issue 4) can be started by a script: see "End to end" in bench/results.md.
    printf 'bench: end-to-end benchmark not available yet: it needs the running node (issue 4). Nothing was measured.\n' >&2
    exit 3
    ;;
  -h | --help)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown option '$1' (scripts/bench.sh [--e2e])" ;;
esac

NODE="$REPO_ROOT/hardhat/node_modules/.bin/node"
[[ -x "$NODE" && -d hardhat/node_modules/ethers ]] || die "hardhat/node_modules is missing; run ./scripts/bootstrap.sh first"
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"

PROJECT=bench/OpenGradient.Oracle.Benchmarks/OpenGradient.Oracle.Benchmarks.csproj
RESULTS=bench/results.md
work="$(mktemp -d "${TMPDIR:-/tmp}/og-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# Show a failed step's log and stop.
fail() {
  local what="$1" logfile="$2"
  tail -n 40 "$logfile" >&2 || true
  die "$what failed (log above; full log: $logfile, kept)"
}
keep_logs_on_error() { trap - EXIT; }

log "building the benchmarks (Release)"
dotnet build -c Release --nologo "$PROJECT" >"$work/build.log" 2>&1 || { keep_logs_on_error; fail "dotnet build" "$work/build.log"; }

log "gas: compiling contracts and running hardhat/scripts/gas-table.ts"
(cd hardhat && hardhat build --quiet) >"$work/hardhat-build.log" 2>&1 || { keep_logs_on_error; fail "hardhat build" "$work/hardhat-build.log"; }
(cd hardhat && OG_BENCH_LINES=1 hardhat run scripts/gas-table.ts) >"$work/gas.log" 2>&1 || { keep_logs_on_error; fail "gas table" "$work/gas.log"; }
grep '^|' "$work/gas.log" >"$work/gas.md" || { keep_logs_on_error; fail "gas table (no table printed)" "$work/gas.log"; }
grep '^bench: ' "$work/gas.log" >"$work/lines" || true

log "ethers.js: timing the Ethereum operations"
"$NODE" bench/js/ethers-ops.mjs --inputs bench/inputs/ethereum-ops.json >"$work/ethers.json" 2>"$work/ethers.log" \
  || { keep_logs_on_error; fail "ethers.js benchmark" "$work/ethers.log"; }

log ".NET: BenchmarkDotNet (inference overhead, Ethereum core); about a minute"
dotnet "bench/OpenGradient.Oracle.Benchmarks/bin/Release/net10.0/OpenGradient.Oracle.Benchmarks.dll" \
  --ethers "$work/ethers.json" --markdown "$work/dotnet.md" --artifacts "$work/artifacts" >"$work/dotnet.log" 2>&1 \
  || { keep_logs_on_error; fail ".NET benchmarks" "$work/dotnet.log"; }
grep '^bench: ' "$work/dotnet.log" >>"$work/lines" || true

# ---- bench/results.md ----
dotnet_runtime="$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App /{v=$2} END{print v}')"
ethers_version="$("$NODE" -p 'require("./hardhat/node_modules/ethers/package.json").version')"
package_version() { sed -n "s/.*Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props; }
if commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
  git diff --quiet HEAD -- || commit="$commit + uncommitted changes"
else
  commit="(not a git checkout)"
fi
cpu="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
# One line per table row whose "met?" cell says no (or borderline), prefixed with its section.
not_met="$( { echo "## Gas"; cat "$work/gas.md"; cat "$work/dotnet.md"; } | awk -F'|' '
  /^## / { section = substr($0, 4); sub(/:.*/, "", section) }
  /\*\*no\*\*|\*borderline\*/ {
    for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i)
    for (i = 3; i <= NF; i++) if ($i ~ /^(≤|≥)/) { figure = $(i - 1); target = $i }
    print "- " section ": " $2 " — " figure " (target " target ")" ($0 ~ /\*borderline\*/ ? ", borderline: met by the median, not by the upper quartile" : "")
  }')"

{
  cat <<EOF
# Benchmark results

Measured by \`./scripts/bench.sh\` in one run; every figure below comes from that run. Ratios compare things measured
side by side in the same run, because absolute times on this machine are noisy (it is shared; see the load average).

| | |
| --- | --- |
| date | $(date -u '+%Y-%m-%d %H:%M UTC') |
| commit | $commit |
| CPU | $cpu, \`nproc\` = $(nproc) |
| load average (1/5/15 min) | $load_before at start, $load_after at the end |
| .NET | SDK $(dotnet --version), runtime $dotnet_runtime, BenchmarkDotNet $(package_version BenchmarkDotNet), ONNX Runtime $(package_version Microsoft.ML.OnnxRuntime) |
| Node / ethers.js | Node $("$NODE" --version), ethers $ethers_version |
| Solidity | solc 0.8.28, optimizer 200 runs, EVM cancun (hardhat/hardhat.config.ts) |

## Targets not met (or only just met) in this run

EOF
  if [[ -n "$not_met" ]]; then echo "$not_met"; else echo "- none of the targets measured here"; fi
  cat <<EOF
- end-to-end throughput, latency, memory and scale-out targets: not yet measured (see the last section)

## Gas

\`hardhat/scripts/gas-table.ts\` on Hardhat's in-process EVM, in steady state (counters and operator balances already
non-zero). Per-result batch figures are the batch transaction's gasUsed divided by the batch size.

EOF
  cat "$work/gas.md"
  echo
  cat "$work/dotnet.md"
  cat <<'EOF'

## End to end: throughput and latency — not yet measured

Needs the running node (issue 4), which is being built. `scripts/bench.sh --e2e` is the hook; it exits with
"not available yet" until then. To be reported here: fulfilled requests/s from a load generator with several accounts on
a Hardhat devnet (automine) with PostgreSQL, as a ratio to the rate the same devnet accepts a plain contract call from
the same client (targets ≥ 0.8× unbatched, ≥ 3× with batching); settle latency p50/p95/p99 (targets p50 ≤ 250 ms,
p99 ≤ 1 s under light load); worker peak memory; and scale-out with 2 worker processes on one PostgreSQL/Hangfire
(speed-up, and no request processed twice).
EOF
} >"$work/results.md"
mv "$work/results.md" "$RESULTS"

cat "$work/lines"
log "wrote $RESULTS in $((SECONDS - started)) s"
