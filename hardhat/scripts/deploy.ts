// Deploys ModelRegistry, OperatorRegistry, InferenceOracle (wired together) and the example CreditScoreConsumer, then
// writes the addresses as JSON.
//
//   ORACLE_RPC_URL=http://127.0.0.1:8545 ORACLE_DEPLOYMENT_FILE=/tmp/deployment.json \
//     hardhat run --network rpc scripts/deploy.ts
//
// Environment (all optional except ORACLE_RPC_URL for --network rpc):
//   ORACLE_DEPLOYMENT_FILE   output path (default: deployments/<chainId>.json next to this project)
//   ORACLE_DEPLOYER_KEY      0x private key; default: the node's first unlocked account
//   ORACLE_MIN_STAKE_WEI     default 10^18
//   ORACLE_UNBONDING_DELAY   seconds, default 31 days: longer than the oracle's 30-day deadline window, so a
//                            losing quorum commitment is still slashable when the request settles
//   ORACLE_EXAMPLE_MODEL_ID  bytes32 model id the example consumer asks (default keccak256("credit-score.onnx v1"))
//   ORACLE_EXAMPLE_TYPES     "input,output" element types of that model (default "3,3": the bundled credit scorer's int32 in/out)
import { network } from "hardhat";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { keccak256, toUtf8Bytes, Wallet, type Signer } from "ethers";

const env = process.env;
const { ethers } = await network.create();
const provider = ethers.provider;
const deployer: Signer = env.ORACLE_DEPLOYER_KEY ? new Wallet(env.ORACLE_DEPLOYER_KEY, provider) : (await ethers.getSigners())[0];
const owner = await deployer.getAddress();
const chainId = (await provider.getNetwork()).chainId;

const minStake = BigInt(env.ORACLE_MIN_STAKE_WEI ?? 10n ** 18n);
const unbondingDelay = BigInt(env.ORACLE_UNBONDING_DELAY ?? 31 * 24 * 3600);
const modelId = env.ORACLE_EXAMPLE_MODEL_ID ?? keccak256(toUtf8Bytes("credit-score.onnx v1"));
const [inputType, outputType] = (env.ORACLE_EXAMPLE_TYPES ?? "3,3").split(",").map(Number);

async function deploy(name: string, args: unknown[]) {
  const factory = await ethers.getContractFactory(name, deployer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  const receipt = await contract.deploymentTransaction()!.wait();
  return { contract, address: await contract.getAddress(), block: receipt!.blockNumber };
}

const models = await deploy("ModelRegistry", [owner]);
const operators = await deploy("OperatorRegistry", [owner, minStake, unbondingDelay]);
const oracle = await deploy("InferenceOracle", [models.address, operators.address]);
await (await (operators.contract as any).setOracle(oracle.address)).wait();
const consumer = await deploy("CreditScoreConsumer", [oracle.address, modelId, inputType, outputType]);

const out = {
  chainId: chainId.toString(),
  deployer: owner,
  modelRegistry: models.address,
  operatorRegistry: operators.address,
  inferenceOracle: oracle.address,
  creditScoreConsumer: consumer.address,
  deploymentBlock: models.block,
  parameters: { minStake: minStake.toString(), unbondingDelay: unbondingDelay.toString(), exampleModelId: modelId, exampleTypes: [inputType, outputType] },
};
const file = env.ORACLE_DEPLOYMENT_FILE ?? path.resolve(import.meta.dirname, `../deployments/${chainId}.json`);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(`deployed to chain ${chainId}; addresses written to ${file}`);
console.log(JSON.stringify(out, null, 2));
