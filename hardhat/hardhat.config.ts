import { configVariable, defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

// The compiler comes from the npm `solc` package (soljson.js) so builds never download anything.
export default defineConfig({
  plugins: [hardhatEthers, hardhatMocha, hardhatEthersChaiMatchers, hardhatNetworkHelpers],
  paths: {
    sources: "./contracts",
    tests: { mocha: "./test", solidity: "./solidity-tests" },
  },
  solidity: {
    version: "0.8.28",
    path: require.resolve("solc/soljson.js"),
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  networks: {
    // Any JSON-RPC node (anvil, `hardhat node`, a devnet): `hardhat run --network rpc scripts/deploy.ts`.
    rpc: { type: "http", chainType: "l1", url: configVariable("ORACLE_RPC_URL") },
  },
  test: {
    solidity: { fuzz: { runs: 10000 }, invariant: { runs: 64, depth: 64 } },
  },
});
