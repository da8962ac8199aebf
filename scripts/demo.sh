#!/usr/bin/env bash
# The main job, end to end on this machine: a throwaway PostgreSQL and Hardhat devnet on loopback, the contracts
# deployed, the bundled models and an operator registered, the oracle node running, and the example dApp sending a
# handful of requests (one of them bad). Prints a table of what settled. Exit 0 only if every request settled as
# expected.
#
#   ./scripts/demo.sh          run, print, clean up
#   ./scripts/demo.sh --keep   leave everything running and print the dashboard URL (Ctrl-C stops it all)
#
# Everything it writes (keystores, deployment.json, node.json, logs, summary.json) is under .local/demo/.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/postgres.sh"
cd "$REPO_ROOT"

KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument $arg (try --help)" ;;
  esac
done

"$REPO_ROOT/scripts/bootstrap.sh"

DEMO="$REPO_ROOT/.local/demo"
pg_stop "$DEMO/pg" >/dev/null 2>&1 || true   # a cluster left over by an interrupted run
rm -rf "$DEMO" && mkdir -p "$DEMO"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop "$DEMO/pg" >/dev/null 2>&1 || true
  exit $status
}
trap cleanup EXIT INT TERM

# The CLI deploys from the bytecode in the generated bindings (src/OpenGradient.Oracle.Chain/Generated), so the
# demo needs no Solidity compilation.
log "building og-oracle"
dotnet build src/OpenGradient.Oracle.Cli -c Release --nologo -v quiet >"$DEMO/build.log" 2>&1 || { cat "$DEMO/build.log"; die "build failed"; }
OG=(dotnet "$REPO_ROOT/src/OpenGradient.Oracle.Cli/bin/Release/net10.0/og-oracle.dll")

log "starting PostgreSQL on loopback"
PG_PORT=$(pg_free_port)
pg_start "$DEMO/pg" "$PG_PORT" >/dev/null
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE oracle" >/dev/null

log "starting a Hardhat devnet on loopback"
RPC_PORT=$(free_port)
(cd hardhat && exec hardhat node --hostname 127.0.0.1 --port "$RPC_PORT") >"$DEMO/hardhat.log" 2>&1 &
PIDS+=($!)
RPC="http://127.0.0.1:$RPC_PORT"
rpc_up() { curl -sf -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$RPC" >/dev/null; }
for _ in $(seq 1 150); do rpc_up && break; sleep 0.2; done
rpc_up || { tail -20 "$DEMO/hardhat.log"; die "the Hardhat node did not start"; }
for _ in $(seq 1 50); do grep -q '^Account #2:' "$DEMO/hardhat.log" && break; sleep 0.1; done

# Hardhat's well-known development accounts (printed by `hardhat node`): #0 deploys and owns the models,
# #1 is the oracle operator, #2 is the dApp user. Keys go into encrypted keystores right away.
key_of() { grep -A1 "^Account #$1:" "$DEMO/hardhat.log" | grep -o '0x[0-9a-fA-F]\{64\}'; }
export OG_ORACLE_PASSWORD="demo-password-$RANDOM$RANDOM"
for who in 0:deployer 1:operator 2:user; do
  key_of "${who%%:*}" | "${OG[@]}" keys import --private-key-file - --light --out "$DEMO/${who#*:}.json" >/dev/null
done

log "deploying the contracts"
"${OG[@]}" deploy --rpc "$RPC" --keystore "$DEMO/deployer.json" --out "$DEMO/deployment.json" \
  --min-stake 1eth --example-consumer-model models/credit-scorer.onnx >/dev/null

log "registering the bundled models"
for model in credit-scorer risk-mlp int8-classifier; do
  "${OG[@]}" model register --rpc "$RPC" --deployment "$DEMO/deployment.json" --keystore "$DEMO/deployer.json" \
    --file "models/$model.onnx" --uri "file://$REPO_ROOT/models/$model.onnx" >/dev/null
done

log "registering and staking the operator"
"${OG[@]}" operator register --rpc "$RPC" --deployment "$DEMO/deployment.json" --keystore "$DEMO/operator.json" --stake 1eth >/dev/null

json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2" 2>/dev/null || jq -r ".$2" "$1"; }
DASH_PORT=$(free_port)
cat > "$DEMO/node.json" <<JSON
{
  "ConnectionStrings": { "Oracle": "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=oracle" },
  "Chain": {
    "RpcUrls": [ "$RPC" ],
    "ChainId": $(json_field "$DEMO/deployment.json" chainId),
    "OracleAddress": "$(json_field "$DEMO/deployment.json" inferenceOracle)",
    "StartBlock": $(json_field "$DEMO/deployment.json" deploymentBlock),
    "Confirmations": 0
  },
  "Operator": { "KeystorePath": "$DEMO/operator.json", "PasswordEnvironmentVariable": "OG_ORACLE_PASSWORD" },
  "Inference": { "ModelDirectory": "$REPO_ROOT/models" },
  "Dashboard": { "Urls": "http://127.0.0.1:$DASH_PORT" }
}
JSON

log "starting the oracle node"
"${OG[@]}" node run --config "$DEMO/node.json" >"$DEMO/node.log" 2>&1 &
NODE_PID=$!
PIDS+=($NODE_PID)
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$DASH_PORT/health/live" >/dev/null && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -30 "$DEMO/node.log" >&2; die "the oracle node exited during start-up"; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$DASH_PORT/health/live" >/dev/null || { tail -30 "$DEMO/node.log" >&2; die "the oracle node did not come up"; }

log "the example dApp sends its requests"
set +e
"${OG[@]}" sample-dapp --rpc "$RPC" --deployment "$DEMO/deployment.json" --keystore "$DEMO/user.json" \
  --models models/models.json --timeout 120 --json "$DEMO/summary.json" >/dev/null
status=$?
set -e

if [[ $KEEP -eq 1 ]]; then
  log "dashboard: http://127.0.0.1:$DASH_PORT/   (Hangfire: http://127.0.0.1:$DASH_PORT/hangfire)"
  log "devnet RPC: $RPC   PostgreSQL: 127.0.0.1:$PG_PORT   files and logs: $DEMO/"
  log "Ctrl-C stops everything"
  wait "${PIDS[@]}"
fi
if [[ $status -ne 0 ]]; then
  warn "the node's last log lines:"; tail -30 "$DEMO/node.log" >&2
fi
exit $status
