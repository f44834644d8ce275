import { pushTags, startRegistry } from "../tests/registry_fixture.ts";
const r = await startRegistry();
await pushTags(
  r,
  "big",
  Array.from({ length: 10000 }, (_, i) => `2021${String(i).padStart(6, "0")}-000000`),
  32,
);
await Deno.writeTextFile("/tmp/reg10k.host", r.host);
console.log("ready", r.host);
await new Promise(() => {});
