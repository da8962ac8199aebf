// Crypto, RLP, transactions, EIP-191/712 and keystore ops for the C# differential suites.
// Batched: most ops take `cases: [...]` and answer an array, so one bridge round trip covers many generated cases.
import {
  SigningKey, Signature, Wallet, Transaction, TypedDataEncoder, computeAddress, getAddress, recoverAddress,
  encodeRlp, decodeRlp, hashMessage, verifyMessage, encryptKeystoreJsonSync, decryptKeystoreJsonSync, getBytes,
} from "ethers";

// RLP trees cross as nested arrays of 0x-hex strings, which is what ethers' encodeRlp/decodeRlp use.
const bytes = (h) => getBytes(h);

function txFromCase(c) {
  const common = {
    nonce: Number(c.nonce), gasLimit: BigInt(c.gas), to: c.to ?? null, value: BigInt(c.value), data: c.data,
  };
  if (c.type === 0) {
    return Transaction.from({ type: 0, ...common, gasPrice: BigInt(c.gasPrice), chainId: c.chainId == null ? 0n : BigInt(c.chainId) });
  }
  return Transaction.from({
    type: 2, ...common, chainId: BigInt(c.chainId), maxPriorityFeePerGas: BigInt(c.maxPriorityFeePerGas),
    maxFeePerGas: BigInt(c.maxFeePerGas), accessList: c.accessList,
  });
}

function typedDomain(d) {
  return d;
}

function stripDomain(types) {
  const t = { ...types };
  delete t.EIP712Domain;
  return t;
}

export default {
  // [{key, hash}] -> [{address, publicKey, signature (65-byte r||s||v), yParity}]
  signHashes: ({ cases }) => cases.map(({ key, hash }) => {
    const k = new SigningKey(key);
    const sig = k.sign(hash);
    return { address: computeAddress(k.publicKey), publicKey: "0x" + k.publicKey.slice(4), signature: sig.serialized, yParity: sig.yParity };
  }),

  // [{hash, signature}] -> [address]
  recoverHashes: ({ cases }) => cases.map(({ hash, signature }) => recoverAddress(hash, signature)),

  // [address hex any case] -> [checksummed]
  checksumAddresses: ({ cases }) => cases.map((a) => getAddress(a)),

  // [tree] -> [hex]
  rlpEncode: ({ cases }) => cases.map((t) => encodeRlp(t)),
  // [hex] -> [tree] (or {error})
  rlpDecode: ({ cases }) => cases.map((h) => {
    try { return decodeRlp(h); } catch (e) { return { error: String(e.shortMessage ?? e.message) }; }
  }),

  // [{key, tx}] -> [{unsignedSerialized, unsignedHash, raw, hash}] (no `from`: recovery in JS costs ~10 ms a case)
  signTransactions: ({ cases }) => cases.map(({ key, tx }) => {
    const t = txFromCase(tx);
    const unsignedHash = t.unsignedHash;
    t.signature = new SigningKey(key).sign(unsignedHash);
    return { unsignedSerialized: t.unsignedSerialized, unsignedHash, raw: t.serialized, hash: t.hash };
  }),

  // [raw] -> [{from, hash, type, chainId, nonce, to, value, data}]
  parseTransactions: ({ cases }) => cases.map((raw) => {
    const t = Transaction.from(raw);
    return {
      from: t.from, hash: t.hash, type: t.type, chainId: t.chainId.toString(), nonce: String(t.nonce), to: t.to,
      value: t.value.toString(), data: t.data, gas: t.gasLimit.toString(),
    };
  }),

  // [{key, message (hex)}] -> [{hash, signature}]
  personalSign: ({ cases }) => cases.map(({ key, message }) => {
    const w = new Wallet(key);
    return { hash: hashMessage(bytes(message)), signature: w.signingKey.sign(hashMessage(bytes(message))).serialized };
  }),
  // [{message, signature}] -> [address]
  personalRecover: ({ cases }) => cases.map(({ message, signature }) => verifyMessage(bytes(message), signature)),

  // [{types, primaryType, domain, message, key?}] -> [{digest, domainSeparator, encodeType, structHash, signature?}]
  typedData: ({ cases }) => cases.map(({ types, primaryType, domain, message, key }) => {
    const t = stripDomain(types);
    const enc = TypedDataEncoder.from(t);
    const digest = TypedDataEncoder.hash(typedDomain(domain), t, message);
    const out = {
      digest, domainSeparator: TypedDataEncoder.hashDomain(domain), primaryType: enc.primaryType,
      encodeType: enc.encodeType(primaryType), structHash: enc.hashStruct(primaryType, message),
    };
    if (key) out.signature = new SigningKey(key).sign(digest).serialized;
    return out;
  }),

  // [{key, password, n, salt, iv, uuid}] -> [json]
  keystoreEncrypt: ({ cases }) => cases.map(({ key, password, n, salt, iv, uuid }) => {
    const k = new SigningKey(key);
    return encryptKeystoreJsonSync({ address: computeAddress(k.publicKey), privateKey: key }, password,
      { scrypt: { N: n, r: 8, p: 1 }, salt, iv, uuid });
  }),
  // [{json, password}] -> [{address, privateKey} | {error}]
  keystoreDecrypt: ({ cases }) => cases.map(({ json, password }) => {
    try {
      const a = decryptKeystoreJsonSync(json, password);
      return { address: a.address, privateKey: a.privateKey };
    } catch (e) {
      return { error: String(e.shortMessage ?? e.message) };
    }
  }),
  signatureFrom: ({ signature }) => Signature.from(signature).serialized,
};
