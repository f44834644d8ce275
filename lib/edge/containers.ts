/**
 * Edge module: carries out `--ps` and `--cleanup` (see `lib/core/containers.ts`, which decides).
 *
 * @module
 */

import { type ContainersStep, formatPs, ofImage, planCleanup } from "../core/containers.ts";
import { EngineError } from "../core/errors.ts";
import type { Engine } from "./engine.ts";
import { listRunDockerContainers, removeContainers } from "./engine_ps.ts";
import { print, write } from "./output.ts";
import { spawn } from "./spawn.ts";

/**
 * Lists or cleans up run-docker's containers.
 *
 * @param step From `decideContainers`.
 * @param engine The engine, identified.
 * @param hostname This host's name (leftovers are told by it and the pid).
 * @returns 0.
 * @throws {EngineError} when the engine cannot list or remove them.
 */
export async function carryOutContainers(
  step: ContainersStep,
  engine: Engine,
  hostname: string,
): Promise<number> {
  const rows = ofImage(await listRunDockerContainers(engine), step.image);
  if (step.kind === "ps") return await print({ stdout: formatPs(rows, step.json) });
  const pids = rows.filter((r) => r.host === hostname && r.pid !== undefined).map((r) => r.pid!);
  const plan = planCleanup(rows, { host: hostname, alive: await alivePids(pids) });
  const say = (line: string) => write(Deno.stderr, `run-docker: ${line}\n`);
  let stop = plan.leftovers;
  if (stop.length > 0 && !step.yes) {
    const names = stop.map((r) => r.name).join(", ");
    if (Deno.stdin.isTerminal() && Deno.stderr.isTerminal()) {
      await write(
        Deno.stderr,
        `run-docker: stop and remove ${names} (its run-docker is gone)? [y/N] `,
      );
      if (!/^y(es)?$/i.test((await readLine()).trim())) stop = [];
    } else {
      await say(`left running ${names} (its run-docker is gone): --cleanup --yes stops it`);
      stop = [];
    }
  }
  const removed = new Set([
    ...await removeContainers(engine, plan.remove.map((r) => r.id), false),
    ...await removeContainers(engine, stop.map((r) => r.id), true),
  ]);
  const failed: string[] = [];
  for (const row of [...plan.remove, ...stop]) {
    if (!removed.has(row.id)) failed.push(row.name);
    else await say(`removed ${row.name} (${plan.remove.includes(row) ? row.status : "leftover"})`);
  }
  if (failed.length > 0) {
    throw new EngineError(
      `could not remove ${failed.join(", ")}`,
      "see why with: docker inspect NAME",
    );
  }
  if (removed.size === 0 && plan.leftovers.length === 0) await say("nothing to clean up");
  return 0;
}

/**
 * The pids (of those given) that are alive on this host, by `ps -p` (Deno reads /proc only
 * with every permission). No answer (no `ps`): every one counts as alive, so nothing running
 * is taken for a leftover.
 */
async function alivePids(pids: readonly number[]): Promise<Set<number>> {
  if (pids.length === 0) return new Set();
  const args = ["-o", "pid=", "-p", pids.join(",")];
  const output = await spawn("ps", { args, stdin: "null", stdout: "piped", stderr: "null" })
    .output().catch(() => undefined);
  // `ps -p` exits 1 when none is alive; anything else it could not answer.
  if (output === undefined || (output.code !== 0 && output.code !== 1)) return new Set(pids);
  return new Set(new TextDecoder().decode(output.stdout).split(/\s+/).filter(Boolean).map(Number));
}

/** One line from stdin (the answer to a question). */
async function readLine(): Promise<string> {
  const buffer = new Uint8Array(256);
  const n = await Deno.stdin.read(buffer).catch(() => null);
  return n === null ? "" : new TextDecoder().decode(buffer.subarray(0, n));
}
