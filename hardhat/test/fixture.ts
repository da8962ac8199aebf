// The one fixture of the Hardhat suites: registries, oracle, one model, four staked operators, consumers.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { keccak256, toUtf8Bytes, type BaseContract, type ContractTransactionResponse, type Signer } from "ethers";
import { signCommitment, signFailure, toRequest, RUNTIME, type Request } from "../scripts/lib.js";

export const MIN_STAKE = 10n ** 18n;
export const UNBONDING_DELAY = 7n * 24n * 3600n;
export const FEE = 10n ** 16n;
export const CALLBACK_GAS = 200_000n;

export const MODEL_ID = keccak256(toUtf8Bytes("credit-score.onnx v1"));
export const INPUT_SPEC = { elementType: 3, decimals: 2, minValue: -100000n, maxValue: 100000n, shape: [16] }; // 64 bytes
export const OUTPUT_SPEC = { elementType: 4, decimals: 0, minValue: 300n, maxValue: 850n, shape: [4] }; // 32 bytes
export const INPUT = "0x" + Array.from({ length: 16 }, (_, i) => (i * 7).toString(16).padStart(8, "0")).join("");
export const OUTPUT = "0x" + ["2bc", "12c", "352", "1f4"].map((x) => x.padStart(16, "0")).join("");
export const OTHER_OUTPUT = "0x" + ["2bd", "12c", "352", "1f4"].map((x) => x.padStart(16, "0")).join("");

export async function deployFixture(ethers: HardhatEthers) {
  const [governance, modelOwner, op1, op2, op3, op4, requester, relayer, outsider, unstaked] = await ethers.getSigners();
  const models = await ethers.deployContract("ModelRegistry", [governance.address]);
  const operators = await ethers.deployContract("OperatorRegistry", [governance.address, MIN_STAKE, UNBONDING_DELAY]);
  const oracle = await ethers.deployContract("InferenceOracle", [await models.getAddress(), await operators.getAddress()]);
  await operators.connect(governance).setOracle(await oracle.getAddress());
  await models.connect(modelOwner).registerModel(MODEL_ID, "ipfs://credit-score", INPUT_SPEC, OUTPUT_SPEC, FEE);
  for (const op of [op1, op2, op3, op4]) await operators.connect(op).register({ value: MIN_STAKE });
  const consumer = await ethers.deployContract("MockConsumer", [await oracle.getAddress()]);
  const creditScore = await ethers.deployContract("CreditScoreConsumer", [await oracle.getAddress(), MODEL_ID, 3, 4]);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { governance, modelOwner, op1, op2, op3, op4, requester, relayer, outsider, unstaked, models, operators, oracle, consumer, creditScore, chainId };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

/** Sends a request and returns its id and struct, parsed from InferenceRequested. */
export async function requestFrom(
  f: Fixture,
  tx: Promise<ContractTransactionResponse>,
): Promise<{ requestId: bigint; request: Request; tx: ContractTransactionResponse }> {
  const sent = await tx;
  const receipt = await sent.wait();
  for (const log of receipt!.logs) {
    try {
      const parsed = f.oracle.interface.parseLog(log);
      if (parsed?.name === "InferenceRequested") return { requestId: parsed.args.requestId, request: toRequest(parsed.args.request), tx: sent };
    } catch {}
  }
  throw new Error("no InferenceRequested");
}

export async function deadlineIn(ethers: HardhatEthers, seconds: bigint): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp) + seconds;
}

/** An EOA request (no callback) from `f.requester`. */
export async function eoaRequest(ethers: HardhatEthers, f: Fixture, redundancy = 1n, fee = FEE * redundancy) {
  return requestFrom(
    f,
    f.oracle.connect(f.requester).requestInference(MODEL_ID, INPUT, 0, redundancy, await deadlineIn(ethers, 3600n), { value: fee }),
  );
}

/** A request made by the MockConsumer (callbacks on). */
export async function consumerRequest(ethers: HardhatEthers, f: Fixture, redundancy = 1n, gas = CALLBACK_GAS) {
  return requestFrom(
    f,
    f.consumer.request(MODEL_ID, INPUT, gas, redundancy, await deadlineIn(ethers, 3600n), { value: FEE * redundancy }),
  );
}

export async function fulfilment(f: Fixture, op: Signer, requestId: bigint, request: Request, output = OUTPUT, runtime = RUNTIME) {
  const signature = await signCommitment(op, f.chainId, await f.oracle.getAddress(), requestId, request, output, runtime);
  return { requestId, request, output, runtime, signature };
}

export async function failureReport(f: Fixture, op: Signer, requestId: bigint, request: Request, reason: number, runtime = RUNTIME) {
  const signature = await signFailure(op, f.chainId, await f.oracle.getAddress(), requestId, request, reason, runtime);
  return { requestId, request, reason, runtime, signature };
}

export function selector(contract: BaseContract, error: string): string {
  return contract.interface.getError(error)!.selector;
}
