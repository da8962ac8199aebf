import { keccak256, getAddress } from "ethers";

export default {
  ping: () => "pong",
  keccak256: ({ data }) => keccak256(data),
  checksumAddress: ({ address }) => getAddress(address),
};
