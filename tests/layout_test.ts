import assert from "node:assert/strict";
import { checkMountSources, type HostLayout, type HostPathState } from "../lib/core/layout.ts";
import { UsageError } from "../lib/core/errors.ts";
import { inspectHostPath } from "../lib/edge/path_state.ts";

const layout: HostLayout = {
  workRoot: "/h/work",
  srcDir: "/h/work/src/app",
  srcDirGiven: false,
  dataDir: "/h/work/data",
  logDir: "/h/work/log",
};

const rows: [string, Record<string, HostPathState>, RegExp | undefined][] = [
  [
    "directories",
    { "/h/work/data": { kind: "directory" }, "/h/work/log": { kind: "directory" } },
    undefined,
  ],
  [
    "missing directories (run-docker makes them)",
    { "/h/work/data": { kind: "missing" } },
    undefined,
  ],
  [
    "a file at data",
    { "/h/work/data": { kind: "not-directory", at: "/h/work/data" } },
    /^data directory "\/h\/work\/data" is a file, not a directory$/,
  ],
  [
    "a file above log",
    { "/h/work/log": { kind: "not-directory", at: "/h/work" } },
    /^log directory "\/h\/work\/log" cannot be made: "\/h\/work" is a file, not a directory$/,
  ],
  [
    "a dangling symlink at log",
    { "/h/work/log": { kind: "dangling-symlink", at: "/h/work/log", target: "/mnt/x" } },
    /^log directory "\/h\/work\/log" is a symlink to "\/mnt\/x", which does not exist$/,
  ],
];
for (const [name, states, message] of rows) {
  Deno.test(`checkMountSources() ${message ? "rejects" : "accepts"} ${name}`, () => {
    const check = () => checkMountSources(layout, new Map(Object.entries(states)));
    if (message === undefined) return check();
    assert.throws(check, (e: unknown) => e instanceof UsageError && message.test(e.message));
  });
}

Deno.test("checkMountSources() leaves out what is not mounted (--hostdatadir no)", () => {
  const states = new Map([[
    "/h/work/data",
    { kind: "not-directory", at: "/h/work/data" } as const,
  ]]);
  checkMountSources({ ...layout, dataDir: undefined }, states);
});

Deno.test("inspectHostPath() tells directories, files, dangling symlinks and missing paths apart", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${base}/dir`);
    await Deno.writeTextFile(`${base}/file`, "x");
    await Deno.symlink(`${base}/nowhere`, `${base}/dangling`);
    await Deno.symlink(`${base}/dir`, `${base}/link`);
    await Deno.symlink(`${base}/file`, `${base}/filelink`);
    const os = Deno.build.os;
    assert.deepEqual(inspectHostPath(`${base}/dir`, os), { kind: "directory" });
    assert.deepEqual(inspectHostPath(`${base}/link`, os), { kind: "directory" });
    assert.deepEqual(inspectHostPath(`${base}/missing`, os), { kind: "missing" });
    assert.deepEqual(inspectHostPath(`${base}/missing/deeper`, os), { kind: "missing" });
    assert.deepEqual(inspectHostPath(`${base}/link/new`, os), { kind: "missing" });
    assert.deepEqual(inspectHostPath(`${base}/file`, os), {
      kind: "not-directory",
      at: `${base}/file`,
    });
    assert.deepEqual(inspectHostPath(`${base}/filelink`, os), {
      kind: "not-directory",
      at: `${base}/filelink`,
    });
    assert.deepEqual(inspectHostPath(`${base}/file/data`, os), {
      kind: "not-directory",
      at: `${base}/file`,
    });
    const dangling = {
      kind: "dangling-symlink",
      at: `${base}/dangling`,
      target: `${base}/nowhere`,
    };
    assert.deepEqual(inspectHostPath(`${base}/dangling`, os), dangling);
    assert.deepEqual(inspectHostPath(`${base}/dangling/data`, os), dangling);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
