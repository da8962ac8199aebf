// ABI operations for the C# differential tests. Values cross as JSON: integers as decimal strings, bytes as 0x-hex,
// addresses checksummed, arrays and tuples as JSON arrays. Batches answer each case separately so one rejection
// does not hide the others.
import { AbiCoder, EventFragment, FunctionFragment, ErrorFragment, Indexed, Interface, id } from "ethers";

const coder = AbiCoder.defaultAbiCoder();

function plain(v) {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Indexed) return v.hash;
  if (Array.isArray(v)) return Array.from(v, plain);
  return v;
}

function each(cases, fn) {
  return cases.map((c) => {
    try {
      return { ok: true, value: fn(c) };
    } catch (e) {
      return { ok: false, error: String(e?.shortMessage ?? e?.message ?? e) };
    }
  });
}

export default {
  // cases: [{ types: ["uint8", "(bool,string)[]"], values: [...] }] -> encoded hex
  abiEncodeBatch: ({ cases }) => each(cases, ({ types, values }) => coder.encode(types, values)),
  // cases: [{ types, data }] -> decoded values
  abiDecodeBatch: ({ cases }) => each(cases, ({ types, data }) => plain(coder.decode(types, data))),
  // sigs: ["f(uint256,(bool,address)[])"] -> { selector, topic, errorSelector }
  signatures: ({ sigs }) =>
    sigs.map((s) => ({
      selector: FunctionFragment.from("function " + s).selector,
      errorSelector: ErrorFragment.from("error " + s).selector,
      topic: EventFragment.from("event " + s).topicHash,
      id: id(s),
    })),
  // abi: ABI JSON array; cases: [{ event, values }] -> { topics, data } as ethers encodes the log
  encodeEventLogBatch: ({ abi, cases }) => {
    const iface = new Interface(abi);
    return each(cases, ({ event, values }) => iface.encodeEventLog(event, values));
  },
  // abi; logs: [{ topics, data }] -> { name, signature, args }
  parseLogBatch: ({ abi, logs }) => {
    const iface = new Interface(abi);
    return each(logs, (log) => {
      const parsed = iface.parseLog(log);
      if (!parsed) throw new Error("no matching event");
      return { name: parsed.name, signature: parsed.signature, args: plain(parsed.args) };
    });
  },
  // abi; calls: [{ fn, values }] -> calldata
  encodeFunctionDataBatch: ({ abi, calls }) => {
    const iface = new Interface(abi);
    return each(calls, ({ fn, values }) => iface.encodeFunctionData(fn, values));
  },
  // abi; data: revert data -> { name, signature, args }
  parseError: ({ abi, data }) => {
    const parsed = new Interface(abi).parseError(data);
    return parsed ? { name: parsed.name, signature: parsed.signature, args: plain(parsed.args) } : null;
  },
};
