#!/usr/bin/env bash
# Runs every test suite: Hardhat (mocha + Solidity fuzz tests) and every xunit project.
# Exits non-zero on any failure and ends with one line: "N passed, N failed".
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/bootstrap.sh"

ARTIFACTS="$REPO_ROOT/test-artifacts"
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"
passed=0; failed=0; broken=()

# --- Hardhat: compile offline, then every runner (mocha TypeScript tests and Solidity tests) ---------------------
log "hardhat build"
if ! (cd hardhat && hardhat build) > "$ARTIFACTS/hardhat-build.log" 2>&1; then
  cat "$ARTIFACTS/hardhat-build.log"; broken+=("hardhat build")
else
  log "hardhat test"
  set +e
  (cd hardhat && NO_COLOR=1 FORCE_COLOR=0 hardhat test) 2>&1 | tee "$ARTIFACTS/hardhat-test.log"
  hh_status=${PIPESTATUS[0]}
  set -e
  # Hardhat 3 prints each runner's summary indented ("  86 passing") and then, unindented, the total over all runners
  # ("107 passing (21 solidity, 86 mocha)"): count the total when there is one, else add up the runners.
  hh_count() {
    sed 's/\x1b\[[0-9;]*m//g' "$ARTIFACTS/hardhat-test.log" | awk -v word="$1" '
      $2 == word && $1 ~ /^[0-9]+$/ { if ($0 ~ /^[0-9]/) { total = $1; seen = 1 } else runners += $1 }
      END { print (seen ? total : runners + 0) }'
  }
  hh_passed=$(hh_count passing)
  hh_failed=$(hh_count failing)
  passed=$((passed + ${hh_passed:-0})); failed=$((failed + ${hh_failed:-0}))
  if [[ $hh_status -ne 0 && ${hh_failed:-0} -eq 0 ]]; then broken+=("hardhat test (exit $hh_status)"); fi
  if [[ ${hh_passed:-0} -eq 0 ]]; then broken+=("hardhat test ran no test"); fi
fi

# --- xunit ----------------------------------------------------------------------------------------------------
log "dotnet build"
if ! dotnet build OpenGradient.Oracle.sln -c Debug --nologo -v quiet > "$ARTIFACTS/dotnet-build.log" 2>&1; then
  grep -E "error|Error" "$ARTIFACTS/dotnet-build.log" | sort -u | head -50; broken+=("dotnet build")
else
  for proj in tests/*.Tests/*.Tests.csproj; do
    name="$(basename "$proj" .csproj)"
    log "dotnet test $name"
    set +e
    dotnet test "$proj" --no-build --nologo --blame-hang-timeout 10m \
      --logger "console;verbosity=normal" --logger "trx;LogFileName=$name.trx" \
      --results-directory "$ARTIFACTS/$name" > "$ARTIFACTS/$name.log" 2>&1
    status=$?
    set -e
    # The TRX file's <Counters> element is the one machine-readable total; console summaries change between SDKs.
    trx="$ARTIFACTS/$name/$name.trx"
    counters=$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null | head -1 || true)
    if [[ -z "$counters" ]]; then
      tail -30 "$ARTIFACTS/$name.log"; broken+=("$name (no test results, exit $status)"); continue
    fi
    count() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
    total=$(count total); p=$(count passed); f=$(count failed)
    if [[ ${total:-0} -eq 0 ]]; then broken+=("$name ran no test"); continue; fi
    passed=$((passed + p)); failed=$((failed + f))
    echo "    $name: $p passed, $f failed (of $total)"
    # A failed test's whole block (message, stack, its output with the worker's last lines): CI keeps only this print.
    if [[ $f -gt 0 ]]; then
      awk '/^ +Failed / { show = 1; n = 0 } /^ +(Passed|Skipped) / { show = 0 } show && n++ < 250' "$ARTIFACTS/$name.log" | head -600
    fi
    if [[ $status -ne 0 && $f -eq 0 ]]; then broken+=("$name (exit $status)"); fi
  done
fi

for b in "${broken[@]}"; do echo "BROKEN: $b" >&2; done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && ${#broken[@]} -eq 0 ]]
