#!/usr/bin/env bash
# Regenerates the C# contract bindings in src/OpenGradient.Oracle.Chain/Generated from the Hardhat artifacts.
# Run after changing a contract's external surface; Chain.Tests fails while the checked-in bindings are stale.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
(cd hardhat && hardhat build >/dev/null)
dotnet run --project src/OpenGradient.Oracle.Bindings.Generator -- \
  --out src/OpenGradient.Oracle.Chain/Generated --namespace OpenGradient.Oracle.Chain.Generated \
  --contracts "$(tr '\n' ',' < src/OpenGradient.Oracle.Chain/Generated/contracts.txt | sed 's/,$//')" \
  hardhat/artifacts/contracts
