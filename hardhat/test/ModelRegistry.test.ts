import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, ZeroHash } from "ethers";
import { FEE, INPUT_SPEC, MODEL_ID, OUTPUT_SPEC, deployFixture, type Fixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);
const NEW_ID = keccak256("0x1234");

describe("ModelRegistry: registerModel", () => {
  it("stores the model and its terms, caller becomes owner", async () => {
    const f = await load();
    const tx = f.models.connect(f.outsider).registerModel(NEW_ID, "https://m", INPUT_SPEC, OUTPUT_SPEC, 5n);
    await expect(tx).to.emit(f.models, "ModelRegistered").withArgs(NEW_ID, f.outsider.address, 5n, 64n, 32n, "https://m");
    const m = await f.models.getModel(NEW_ID);
    expect(m.owner).to.equal(f.outsider.address);
    expect(m.fee).to.equal(5n);
    expect(m.revoked).to.equal(false);
    expect(m.uri).to.equal("https://m");
    expect(m.input.shape).to.deep.equal([16n]);
    expect(m.output.minValue).to.equal(300n);
    expect([...(await f.models.modelTerms(NEW_ID))]).to.deep.equal([true, 5n, 64n, 32n]);
    expect([...(await f.models.modelTerms(keccak256("0x99")))]).to.deep.equal([false, 0n, 0n, 0n]);
    expect(await f.models.typeAndVersion()).to.equal("ModelRegistry 1.0.0");
  });

  it("rejects a zero id and a duplicate", async () => {
    const f = await load();
    await expect(f.models.registerModel(ZeroHash, "", INPUT_SPEC, OUTPUT_SPEC, FEE))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryZeroModelId");
    await expect(f.models.registerModel(MODEL_ID, "", INPUT_SPEC, OUTPUT_SPEC, FEE))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryAlreadyRegistered").withArgs(MODEL_ID);
  });

  it("validates tensor specs", async () => {
    const f = await load();
    const bad = async (spec: object, error: string, args: unknown[]) => {
      await expect(f.models.registerModel(NEW_ID, "", { ...INPUT_SPEC, ...spec }, OUTPUT_SPEC, FEE))
        .to.be.revertedWithCustomError(f.models, error).withArgs(...args);
      await expect(f.models.tensorByteLength({ ...INPUT_SPEC, ...spec }))
        .to.be.revertedWithCustomError(f.models, error).withArgs(...args);
    };
    await bad({ elementType: 0 }, "ModelRegistryInvalidElementType", [0]);
    await bad({ elementType: 5 }, "ModelRegistryInvalidElementType", [5]);
    await bad({ decimals: 19 }, "ModelRegistryInvalidDecimals", [19]);
    await bad({ minValue: 5n, maxValue: 4n }, "ModelRegistryInvalidRange", [5n, 4n]);
    await bad({ elementType: 1, minValue: -129n, maxValue: 0n }, "ModelRegistryInvalidRange", [-129n, 0n]);
    await bad({ elementType: 1, minValue: 0n, maxValue: 128n }, "ModelRegistryInvalidRange", [0n, 128n]);
    await bad({ elementType: 2, minValue: -32769n, maxValue: 0n }, "ModelRegistryInvalidRange", [-32769n, 0n]);
    await bad({ shape: [] }, "ModelRegistryInvalidShape", []);
    await bad({ shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] }, "ModelRegistryInvalidShape", []);
    await bad({ shape: [4, 0] }, "ModelRegistryInvalidShape", []);
    await bad({ shape: [1025] }, "ModelRegistryTensorTooLarge", [4100n]);
    await bad({ shape: [2 ** 32 - 1, 2 ** 32 - 1] }, "ModelRegistryTensorTooLarge", [4n * (2n ** 32n - 1n)]);
    await expect(f.models.registerModel(NEW_ID, "", INPUT_SPEC, { ...OUTPUT_SPEC, decimals: 200 }, FEE))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryInvalidDecimals").withArgs(200);
  });

  it("accepts the extremes of each element type", async () => {
    const f = await load();
    const i64 = { elementType: 4, decimals: 18, minValue: -(2n ** 63n), maxValue: 2n ** 63n - 1n, shape: [2, 2, 2, 2, 2, 2, 2, 1] };
    expect(await f.models.tensorByteLength(i64)).to.equal(1024n);
    expect(await f.models.tensorByteLength({ elementType: 1, decimals: 0, minValue: -128n, maxValue: 127n, shape: [4096] })).to.equal(4096n);
    expect(await f.models.tensorByteLength({ elementType: 2, decimals: 0, minValue: -32768n, maxValue: 32767n, shape: [3] })).to.equal(6n);
  });
});

describe("ModelRegistry: revokeModel", () => {
  it("by the model owner", async () => {
    const f = await load();
    await expect(f.models.connect(f.modelOwner).revokeModel(MODEL_ID)).to.emit(f.models, "ModelRevoked").withArgs(MODEL_ID, f.modelOwner.address);
    expect((await f.models.modelTerms(MODEL_ID))[0]).to.equal(false);
    expect((await f.models.getModel(MODEL_ID)).revoked).to.equal(true);
    await expect(f.models.connect(f.modelOwner).revokeModel(MODEL_ID))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryAlreadyRevoked").withArgs(MODEL_ID);
  });

  it("by governance, not by anyone else, not for unknown models", async () => {
    const f = await load();
    await expect(f.models.connect(f.outsider).revokeModel(MODEL_ID))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryUnauthorized").withArgs(MODEL_ID, f.outsider.address);
    await expect(f.models.connect(f.governance).revokeModel(MODEL_ID)).to.emit(f.models, "ModelRevoked").withArgs(MODEL_ID, f.governance.address);
    await expect(f.models.revokeModel(NEW_ID)).to.be.revertedWithCustomError(f.models, "ModelRegistryUnknownModel").withArgs(NEW_ID);
    await expect(f.models.getModel(NEW_ID)).to.be.revertedWithCustomError(f.models, "ModelRegistryUnknownModel").withArgs(NEW_ID);
  });

  it("governance moves in two steps (Ownable2Step)", async () => {
    const f = await load();
    await f.models.connect(f.governance).transferOwnership(f.outsider.address);
    expect(await f.models.owner()).to.equal(f.governance.address);
    await expect(f.models.connect(f.outsider).acceptOwnership())
      .to.emit(f.models, "OwnershipTransferred").withArgs(f.governance.address, f.outsider.address);
    await expect(f.models.connect(f.outsider).revokeModel(MODEL_ID)).to.emit(f.models, "ModelRevoked");
  });
});
