// Differential-test bridge: the C# suites send one JSON request per line on stdin and get one JSON answer per line.
// Operations live in ./ops/*.mjs; each module exports an object mapping op names to functions (args) => result.
// Values cross as JSON: byte strings as 0x-hex, big integers as decimal strings.
import { readdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const ops = {};
for (const file of (await readdir(path.join(here, "ops"))).filter((f) => f.endsWith(".mjs")).sort()) {
  const mod = await import(pathToFileURL(path.join(here, "ops", file)).href);
  for (const [name, fn] of Object.entries(mod.default)) {
    if (ops[name]) throw new Error(`op ${name} defined twice (${file})`);
    ops[name] = fn;
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let id = null;
  try {
    const req = JSON.parse(line);
    id = req.id;
    const fn = ops[req.op];
    if (!fn) throw new Error(`unknown op ${req.op}`);
    const result = await fn(req.args ?? {});
    process.stdout.write(JSON.stringify({ id, ok: true, result }) + "\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ id, ok: false, error: String(e?.shortMessage ?? e?.message ?? e) }) + "\n");
  }
}
