// The shared vectors in tests/vectors/commitments.json, checked against the contract (the C# suite reads the same file).
import { expect } from "chai";
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import path from "node:path";
import { recoverAddress } from "ethers";
import { requestHash } from "../scripts/lib.js";

const file = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../tests/vectors/commitments.json"), "utf8"));
const chainIds = [...new Set<string>([...file.commitments, ...file.failureReports].map((v: any) => v.chainId))];

/** A connection per chain id; the oracle's runtime code is placed at each vector's verifyingContract. */
async function oracleAt(chainId: string, address: string) {
  const { ethers } = await network.create({ override: { chainId: Number(chainId) } });
  const oracle = await ethers.deployContract("InferenceOracle", [address, address]);
  const code = await ethers.provider.getCode(await oracle.getAddress());
  await ethers.provider.send("hardhat_setCode", [address, code]);
  return oracle.attach(address) as typeof oracle;
}

describe("Shared vectors: tests/vectors/commitments.json", () => {
  it(`has vectors for chain ids ${chainIds.join(", ")}`, () => {
    expect(file.commitments.length).to.be.greaterThan(0);
    expect(file.failureReports.length).to.equal(file.commitments.length);
  });

  for (const chainId of chainIds) {
    it(`commitmentDigest and failureDigest match every vector on chain ${chainId}`, async () => {
      for (const v of file.commitments.filter((x: any) => x.chainId === chainId)) {
        const oracle = await oracleAt(chainId, v.verifyingContract);
        const c = v.fields;
        expect(await oracle.commitmentDigest(c.requestId, c.modelId, c.inputHash, c.outputHash, c.runtime)).to.equal(v.digest);
        expect(recoverAddress(v.digest, v.signature)).to.equal(v.signer);
      }
      for (const v of file.failureReports.filter((x: any) => x.chainId === chainId)) {
        const oracle = await oracleAt(chainId, v.verifyingContract);
        const r = v.fields;
        expect(await oracle.failureDigest(r.requestId, r.modelId, r.inputHash, r.reason, r.runtime)).to.equal(v.digest);
        expect(recoverAddress(v.digest, v.signature)).to.equal(v.signer);
      }
    });
  }

  it("requestHash matches every request vector", async () => {
    const { ethers } = await network.create();
    const oracle = await ethers.deployContract("InferenceOracle", [ethers.ZeroAddress, ethers.ZeroAddress]);
    for (const v of file.requests) {
      expect(await oracle.requestHash(v.request)).to.equal(v.hash);
      expect(requestHash({ ...v.request })).to.equal(v.hash);
    }
  });
});
