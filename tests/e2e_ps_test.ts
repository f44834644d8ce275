/**
 * End to end: run-docker's containers at a glance on the engine. `--ps` lists what run-docker
 * started (a stopped one, a detached one, one whose run-docker still runs, and a leftover made
 * the way real ones happen: run-docker and its watchdog both killed with SIGKILL, as a cgroup
 * kill or the OOM killer does); `--cleanup` removes the stopped one, leaves the leftover alone
 * off a terminal without `--yes`, and stops it with `--yes`; the others stay.
 *
 * Every call names this test's image, so other runs on a shared engine are never touched.
 */

import assert from "node:assert/strict";
import { until } from "./poll.ts";
import { quoteCommand } from "../lib/core/shell_quote.ts";
import {
  baseEnv,
  decoder,
  docker,
  e2e,
  ignore,
  program,
  runDocker,
  spawnRunDocker,
  unreachable,
  withHome,
} from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";

const IMAGE = `e2e-ps-${crypto.randomUUID().slice(0, 6)}/app`;
const TAG = "1";
if (!ignore && unreachable === undefined) {
  await buildTestImages(IMAGE, [TAG]);
  globalThis.addEventListener("unload", () => {
    new Deno.Command("docker", { args: ["rmi", "-f", `${IMAGE}:${TAG}`], stdout: "null" })
      .outputSync();
  });
}

/** Processes whose command line has every one of `parts` as an argument. */
function processesWith(...parts: string[]): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let argv: string[] = [];
    try {
      argv = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0");
    } catch {
      continue;
    }
    if (parts.every((p) => argv.includes(p))) pids.push(Number(entry.name));
  }
  return pids;
}

async function state(name: string): Promise<string> {
  const result = await docker("inspect", "--format", "{{.State.Status}}", name);
  return result.code === 0 ? result.stdout.trim() : "gone";
}

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return text;
}

/** run-docker on a pseudo-terminal (`script`) with `input` typed: what the terminal showed. */
async function onTerminal(args: string[], home: string, input: string) {
  const [cmd, argv] = program(args);
  const child = new Deno.Command("script", {
    args: ["--quiet", "--return", "--command", quoteCommand([cmd, ...argv]), "/dev/null"],
    clearEnv: true,
    env: baseEnv(home),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const result = await child.output();
  return { code: result.code, terminal: decoder.decode(result.stdout) };
}

e2e(
  "--ps lists run-docker's containers; --cleanup removes the stopped and the leftovers",
  () =>
    withHome("h", async (home) => {
      const id = crypto.randomUUID().slice(0, 6);
      const names = {
        stopped: `e2e-ps-stopped-${id}`,
        detached: `e2e-ps-detached-${id}`,
        live: `e2e-ps-live-${id}`,
        leftover: `e2e-ps-leftover-${id}`,
      };
      const image = `${IMAGE}:${TAG}`;
      // TMPDIR in the temp HOME: the leftover's cid folder, which nothing removes after a kill -9
      // of run-docker and its watchdog, goes with the test's HOME.
      const start = (name: string) =>
        spawnRunDocker(
          ["--name", name, image, "sh", "-c", "echo ready; exec sleep 300"],
          home,
          "piped",
          { TMPDIR: home },
        );
      const live = start(names.live);
      const leftover = start(names.leftover);
      try {
        assert.equal(await readLine(live.stdout), "ready\n");
        assert.equal(await readLine(leftover.stdout), "ready\n");
        // A leftover as a real one happens: the watchdog dies with run-docker (kill -9 of both).
        const [watchdog] = processesWith("--run-docker-watchdog", names.leftover);
        assert.ok(watchdog !== undefined, "the leftover's watchdog runs");
        Deno.kill(watchdog, "SIGKILL");
        leftover.kill("SIGKILL");
        await leftover.status;
        assert.ok(await until(() => processesWith(names.leftover).length <= 1, 5000));

        const stopped = await runDocker(["--name", names.stopped, "--rm=false", image, "true"], {
          home,
        });
        assert.equal(stopped.code, 0, stopped.stderr);
        const detached = await runDocker(["-d", "--name", names.detached, image, "sleep", "300"], {
          home,
        });
        assert.equal(detached.code, 0, detached.stderr);
        assert.match(detached.stderr, new RegExp(`started container ${names.detached}\\b`));

        // --ps: a table with each of them, and --json with their fields.
        const ps = await runDocker(["--ps", IMAGE], { home });
        assert.equal(ps.code, 0, ps.stderr);
        const lines = ps.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^NAME +IMAGE +MODE +STATUS +STARTED +COMMAND$/);
        for (const name of Object.values(names)) {
          assert.ok(lines.some((l) => l.startsWith(`${name} `)), `${name} in:\n${ps.stdout}`);
        }
        const json = await runDocker(["--ps", "--json", IMAGE], { home });
        const rows: Record<string, unknown>[] = JSON.parse(json.stdout);
        const row = (name: string) => rows.find((r) => r.name === name)!;
        assert.equal(rows.length, 4);
        assert.deepEqual(
          { ...row(names.leftover), id: "", started: "", status: "" },
          {
            id: "",
            name: names.leftover,
            image,
            mode: "prod",
            state: "running",
            status: "",
            started: "",
            command: "sh -c 'echo ready; exec sleep 300'",
            host: Deno.hostname(),
            pid: leftover.pid,
            detached: false,
          },
        );
        assert.equal(row(names.stopped).state, "exited");
        assert.equal(row(names.detached).detached, true);

        // Off a terminal, without --yes: the stopped one goes, the leftover is only named.
        const first = await runDocker(["--cleanup", IMAGE], { home });
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, new RegExp(`removed ${names.stopped} \\(Exited \\(0\\)`));
        assert.match(first.stderr, new RegExp(`left running ${names.leftover} .*--cleanup --yes`));
        assert.equal(await state(names.stopped), "gone");
        assert.equal(await state(names.leftover), "running");

        // On a terminal it asks first; "n" keeps the leftover.
        const asked = await onTerminal(["--cleanup", IMAGE], home, "n\n");
        assert.equal(asked.code, 0, asked.terminal);
        assert.match(
          asked.terminal,
          new RegExp(`stop and remove ${names.leftover} .*\\? \\[y/N\\]`),
        );
        assert.equal(await state(names.leftover), "running");

        // --yes: the leftover goes; the detached one and the one whose run-docker runs stay.
        const second = await runDocker(["--cleanup", "--yes", IMAGE], { home });
        assert.equal(second.code, 0, second.stderr);
        assert.equal(second.stderr, `run-docker: removed ${names.leftover} (leftover)\n`);
        assert.equal(await state(names.leftover), "gone");
        assert.equal(await state(names.detached), "running");
        assert.equal(await state(names.live), "running");
        const third = await runDocker(["--cleanup", "--yes", IMAGE], { home });
        assert.equal(third.stderr, "run-docker: nothing to clean up\n");
      } finally {
        live.kill("SIGTERM");
        await live.status;
        await Promise.all([live.stdout.cancel(), live.stderr.cancel()]).catch(() => {});
        await Promise.all([leftover.stdout.cancel(), leftover.stderr.cancel()]).catch(() => {});
        await docker("rm", "--force", ...Object.values(names));
      }
    }),
);
