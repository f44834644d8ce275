/**
 * A credential helper that hangs, with a grandchild holding its stdout open:
 * bounded by the time limit, its whole process group killed on timeout and
 * when a stop signal ends run-docker (Linux: processes are found in /proc).
 */

import { until } from "./poll.ts";
import assert from "node:assert/strict";
import { lookupCredential, systemCredentialIo } from "../lib/edge/registry/credentials.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const linuxOnly = Deno.build.os !== "linux";

/** The helper: notes its pid, then a `sleep` child inherits (and holds) stdout and stderr. */
async function hangingHelper(dir: string): Promise<string> {
  await Deno.mkdir(`${dir}/bin`, { recursive: true });
  const helper = `${dir}/bin/docker-credential-hang`;
  await Deno.writeTextFile(helper, `#!/bin/sh\necho $$ > '${dir}/helper.pid'\nsleep 1000\n`, {
    mode: 0o755,
  });
  return helper;
}

/** The pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) {
        found.push(Number(entry.name));
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Whether a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The helper's pid and its `sleep` child's, once both run. */
async function helperAndSleep(dir: string): Promise<[number, number]> {
  let helper = 0;
  let sleep: number | undefined;
  const started = await until(() => {
    try {
      helper = Number(Deno.readTextFileSync(`${dir}/helper.pid`).trim() || 0);
    } catch {
      return false;
    }
    sleep = helper ? childrenOf(helper)[0] : undefined;
    return sleep !== undefined;
  }, 10_000);
  assert.ok(started, "the helper and its sleep did not start");
  return [helper, sleep!];
}

Deno.test({
  name: "systemCredentialIo() a helper whose child holds stdout: timed out, its whole group killed",
  ignore: linuxOnly,
}, async () => {
  const dir = await Deno.makeTempDir();
  let pids: number[] = [];
  try {
    const helper = await hangingHelper(dir);
    const warnings: string[] = [];
    const io = systemCredentialIo((m) => warnings.push(m), 500);
    const sleepSeen = helperAndSleep(dir).then((p) => pids = p);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise((resolve) => timer = setTimeout(resolve, 15_000, "hung"));
    const started = Date.now();
    const result = await Promise.race([io.runHelper(helper, "127.0.0.1:5000"), hung]);
    clearTimeout(timer);
    await sleepSeen;
    assert.deepEqual(result, { code: 137, stdout: "", stderr: "", timedOut: true, limitMs: 500 });
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    assert.ok(await until(() => !pids.some(alive), 2_000), `left running: ${pids}`);
    // lookupCredential() turns it into one warning and anonymous access.
    await Deno.writeTextFile(`${dir}/config.json`, '{"credsStore":"hang"}');
    Deno.env.set("PATH", `${dir}/bin:${Deno.env.get("PATH")}`);
    assert.equal(await lookupCredential("127.0.0.1:5000", `${dir}/config.json`, io), undefined);
    assert.deepEqual(warnings, [
      "credential helper docker-credential-hang did not answer in 0.5 s; " +
      "using anonymous registry access",
    ]);
  } finally {
    Deno.env.set("PATH", (Deno.env.get("PATH") ?? "").replace(`${dir}/bin:`, ""));
    for (const pid of pids) if (alive(pid)) Deno.kill(pid, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "run-docker --list-tags stopped by SIGTERM while a helper hangs: the helper's group goes too",
  ignore: linuxOnly,
}, async () => {
  const dir = await Deno.makeTempDir();
  let pids: number[] = [];
  // A registry that asks for Basic credentials: run-docker asks the helper.
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("{}", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="test"', "content-type": "application/json" },
      }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}main.ts`,
      "--list-tags",
      `127.0.0.1:${server.addr.port}/app`,
    ],
    env: { HOME: dir, DOCKER_CONFIG: dir, PATH: `${dir}/bin:${Deno.env.get("PATH")}` },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  try {
    await hangingHelper(dir);
    await Deno.writeTextFile(`${dir}/config.json`, '{"credsStore":"hang"}');
    const running = child.spawn();
    pids = await helperAndSleep(dir);
    running.kill("SIGTERM");
    const output = await running.output();
    assert.equal(output.code, 143, new TextDecoder().decode(output.stderr));
    assert.ok(await until(() => !pids.some(alive), 2_000), `left running: ${pids}`);
  } finally {
    for (const pid of pids) if (alive(pid)) Deno.kill(pid, "SIGKILL");
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
