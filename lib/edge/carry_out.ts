/**
 * Edge module: carries out a run that `decideRun` (lib/decide.ts) planned, step by step,
 * and `--self-update`. Decides nothing.
 *
 * @module
 */

import type { SelfUpdateRequest } from "../core/cli.ts";
import { portInUse, type Run } from "../core/decide.ts";
import {
  diagnoseRunFailure,
  type Engine,
  killIfRunning,
  pullImage,
  runForeground,
} from "./engine.ts";
import { UsageError } from "../core/errors.ts";
import type { HostFacts } from "../core/facts.ts";
import { isPortFree, makeDirs, removeEmptyDirs, writeHostUserFiles } from "./host.ts";
import { warn, write } from "./output.ts";
import { DEFAULT_RELEASE_BASE, selfUpdate } from "./self_update.ts";
import { type LoadedTagPolicy, loadTagPolicy, type TagPolicy } from "../core/tags.ts";
import { startWatchdog } from "./watchdog.ts";

/**
 * Runs the container: writes the `user: host` files, checks the notebook port, pulls, makes the
 * data and log directories, starts the watchdog, runs `docker run`, and on its failure leaves
 * nothing behind and says why.
 *
 * @param run From `decideRun`.
 * @param engine The engine, found on this host.
 * @param host Host facts.
 * @returns The container's exit code (128+N when the CLI died of signal N).
 * @throws {UsageError} when the notebook port is taken.
 * @throws {RunDockerError} when a file cannot be written, the pull fails, or `docker run`
 *   fails for a reason run-docker can name (no such image, engine unreachable).
 */
export async function carryOutRun(run: Run, engine: Engine, host: HostFacts): Promise<number> {
  if (run.writeUserFiles) writeHostUserFiles(host, run.writeUserFiles.containerHome);
  if (run.checkPort && !isPortFree(run.checkPort.hostname, run.checkPort.port)) {
    throw portInUse(run.checkPort);
  }
  if (run.pull !== undefined) await pullImage(engine, run.pull);
  const created = makeDirs(run.makeDirs);
  if (run.notice !== undefined) await write(Deno.stderr, run.notice);
  // If run-docker dies without cleaning up (SIGKILL), the watchdog removes the container.
  const watchdog = run.watchdog ? startWatchdog(engine.program, run.plan.name, warn) : undefined;
  try {
    const code = await runForeground(engine, run.plan.args, {
      env: run.plan.engineEnv,
      containerName: run.plan.name,
      stdinIsTty: host.stdinIsTty,
    });
    if (code === 125 || code === 126) {
      // docker run itself failed (or says so): nothing of this run should stay behind.
      if (code === 125) removeEmptyDirs(created);
      const diagnosis = await diagnoseRunFailure(engine, run.image, run.local);
      if (diagnosis !== undefined) {
        removeEmptyDirs(created);
        throw diagnosis;
      }
    }
    if (code !== 0 && !run.detach) await killIfRunning(engine, run.plan.name);
    return code;
  } finally {
    await watchdog?.done();
  }
}

/**
 * `--self-update`: replaces the running binary with a release.
 *
 * @param update The parsed `--self-update` request.
 * @returns 0.
 * @throws {UsageError} when run-docker runs under deno (there is no binary to replace).
 * @throws {RunDockerError} when the download, the check or the rename fails.
 */
export async function updateSelf(update: SelfUpdateRequest): Promise<number> {
  const binary = Deno.execPath();
  if (/^deno(\.exe)?$/.test(binary.replace(/^.*[\\/]/, ""))) {
    throw new UsageError(
      "--self-update replaces an installed run-docker binary; this run-docker runs under deno",
      "update a clone with git pull, or install the binary with install.sh",
    );
  }
  const version = await selfUpdate({
    binary,
    target: Deno.build.target,
    base: Deno.env.get("RUN_DOCKER_DOWNLOAD_URL") || DEFAULT_RELEASE_BASE,
    ...update,
  });
  await write(Deno.stderr, `run-docker: updated ${binary} to ${version}\n`);
  return 0;
}

/**
 * Loads what a tag policy needs (semver, RE2) before the lookup.
 *
 * @param policy The tag policy of the run.
 * @throws {UsageError} when the filter or range does not parse.
 */
export async function loadPolicy(policy: TagPolicy): Promise<LoadedTagPolicy> {
  try {
    return await loadTagPolicy(policy);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) {
      throw new UsageError(
        error.message,
        "see --tag-order, --tag-filter and --tag-range in 'run-docker --help'",
      );
    }
    throw error;
  }
}
