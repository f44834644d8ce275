/**
 * Edge module: carries out a run that `decideRun` (lib/decide.ts) planned, step by step,
 * and `--self-update`. Decides nothing.
 *
 * @module
 */

import type { SelfUpdateRequest } from "../core/cli.ts";
import { portInUse, type Run } from "../core/decide.ts";
import { detachedNotice } from "../core/labels.ts";
import { cliName, type Engine } from "./engine.ts";
import { diagnoseRunFailure } from "./engine_images.ts";
import {
  containerIdFrom,
  killIfRunning,
  PullError,
  pullImage,
  runForeground,
} from "./engine_run.ts";
import { podmanInitMissing } from "./engine_kind.ts";
import { hasNoDefaultCommand, hasNvidiaRuntime, oomKilled } from "./engine_queries.ts";
import { EXIT_KILLED, gpusUnavailable, OutOfMemoryError } from "../core/outcome.ts";
import { EngineError, NotInImageError, UsageError } from "../core/errors.ts";
import type { HostFacts } from "../core/facts.ts";
import { checkDirs, dirGiver, isPortFree, makeDirs, removeEmptyDirs } from "./host.ts";
import { writeHostUserFiles } from "./host_user_files.ts";
import { warn, write } from "./output.ts";
import { releaseBase, selfUpdate } from "./self_update.ts";
import { onStop, stopUnderWay } from "./spawn.ts";
import { type LoadedTagPolicy, loadTagPolicy, type TagPolicy } from "../core/tags.ts";
import { startWatchdog } from "./watchdog.ts";
import { mountOwnership } from "./path_state.ts";
import { unwritableDirsWarning } from "../core/user.ts";

/**
 * Runs the container: warns once about a remote engine (`run.warning`; then `makeDirs` is empty
 * and no port is checked), writes the `user: host` files, checks the notebook port, pulls (or, when
 * the pull fails and a local tag exists, warns and runs the newest local image), makes the data
 * and log directories, starts the watchdog, runs `docker run`, and on its failure leaves nothing
 * behind and says why. The container is known by the ID `docker run --cidfile` writes, so
 * run-docker never touches another container of the same name.
 *
 * After the run, an exit 137 asks docker whether the engine killed the container for want of
 * memory, and a refused `--gpus` whether the engine has an nvidia runtime: a normal end asks
 * nothing.
 *
 * @param run From `decideRun`.
 * @param engine The engine, found on this host.
 * @param host Host facts.
 * @param hooks `explainPull`: for a pinned image whose pull failed, the one error that says why
 *   (it may ask the registry); absent: docker's own text and a generic error. `afterPull`: once
 *   the pull of `run.pull` succeeded, the run decided again with what the pulled image says
 *   (`user: auto` reads its user); absent: `run` stands. `scrub`: takes every form of the
 *   registry credential out of docker's pull text before it is shown; absent: shown as it is.
 * @returns The container's exit code (128+N when the CLI died of signal N).
 * @throws {UsageError} when the notebook port is taken.
 * @throws {OutOfMemoryError} (exit 137) when the engine killed the container for want of memory.
 * @throws {RunDockerError} when a file cannot be written, the pull fails, or `docker run`
 *   fails (no such image, engine unreachable, options docker refused, no GPUs).
 * @throws {NotInImageError} (exit 127) when `notebook`'s JupyterLab is not in the image.
 */
export async function carryOutRun(
  decided: Run,
  engine: Engine,
  host: HostFacts,
  hooks: {
    readonly explainPull?: (error: PullError) => Promise<Error>;
    readonly afterPull?: (run: Run) => Promise<Run>;
    readonly scrub?: (text: string) => Promise<string>;
  } = {},
): Promise<number> {
  let run = decided;
  if (run.warning !== undefined) warn(run.warning);
  if (run.writeUserFiles) writeHostUserFiles(host, run.writeUserFiles.containerHome);
  if (run.checkPort && !isPortFree(run.checkPort.hostname, run.checkPort.port)) {
    throw portInUse(run.checkPort);
  }
  let chosen = run.pull === undefined
    ? run
    : await pullOrFallBack(run, engine, hooks.explainPull, hooks.scrub);
  if (chosen === run && run.pull !== undefined && hooks.afterPull !== undefined) {
    chosen = run = await hooks.afterPull(run);
  }
  // The pulled image may have changed who runs it (user: auto).
  if (run.writeUserFiles && !decided.writeUserFiles) {
    writeHostUserFiles(host, run.writeUserFiles.containerHome);
  }
  const { plan, image } = chosen;
  // node:fs (for fchown) costs ~60 ms to load: only when a directory is to be made.
  const give = run.dirOwner === undefined || checkDirs(run.makeDirs).size === run.makeDirs.length
    ? undefined
    : await dirGiver(run.dirOwner);
  const created = makeDirs(run.makeDirs, give);
  // Host root: the folders that were there already keep their owner; say when that locks out.
  const locked = run.dirOwner === undefined
    ? undefined
    : unwritableDirsWarning(run.plan.user.image, mountOwnership(run.plan.spec.mounts));
  if (locked !== undefined) warn(locked);
  if (run.notice !== undefined) await write(Deno.stderr, run.notice);
  // Where docker writes the container's ID: run-docker's own folder, unless the user gave one.
  const folder = run.detach || run.cidfile !== undefined ? undefined : cidFolder();
  const cidfile = folder === undefined ? run.cidfile : `${folder}/cid`;
  const args = folder === undefined
    ? plan.args
    : [plan.args[0], "--cidfile", `${folder}/cid`, ...plan.args.slice(1)];
  const forget = onStop(() => removeFolder(folder));
  // If run-docker dies without cleaning up (SIGKILL), the watchdog deals with the container.
  const watchdog = run.watchdog && cidfile
    ? startWatchdog(engine.program, {
      cidfile,
      mode: run.watchdog,
      folder: folder ?? "",
      name: plan.name,
    }, warn)
    : undefined;
  let code: number | undefined;
  const started = Date.now();
  try {
    code = await runForeground(engine, args, {
      env: plan.engineEnv,
      cidfile,
      stdinIsTty: host.stdinIsTty,
    });
    const id = cidfile === undefined ? undefined : containerIdFrom(cidfile);
    if (code === 125 || code === 126) {
      // docker run itself failed (or says so): nothing of this run should stay behind.
      if (code === 125) removeEmptyDirs(created);
      const diagnosis = code === 125 && engine.kind?.kind === "podman" && plan.spec.init
        ? podmanInitMissing(Deno.env.toObject()) ??
          await diagnoseRunFailure(engine, image, run.local)
        : await diagnoseRunFailure(engine, image, run.local);
      if (diagnosis !== undefined) {
        removeEmptyDirs(created);
        throw diagnosis;
      }
      // Created, not started, with GPUs asked of an engine that has none to give.
      if (
        code === 125 && id !== undefined && run.gpus !== undefined &&
        engine.kind?.kind !== "podman" && !await hasNvidiaRuntime(engine)
      ) {
        removeEmptyDirs(created);
        throw gpusUnavailable(run.gpus, cliName(engine));
      }
      // No container was created (a detached run's 125 is always docker's): docker refused.
      if (code === 125 && id === undefined && (run.detach || cidfile !== undefined)) {
        if (run.noCommand && await hasNoDefaultCommand(engine, image)) {
          throw new EngineError(
            `${image} has no default command (no CMD or ENTRYPOINT in the image)`,
            `give the command after IMAGE, e.g. run-docker ${image} sh`,
          );
        }
        throw new EngineError(
          "docker run refused the options (exit 125); docker's message is above",
          "check the docker options you gave; 'run-docker --dry-run …' shows the whole command",
        );
      }
    }
    if (code !== 0 && run.killOnFailure && cidfile !== undefined) {
      await killIfRunning(engine, cidfile);
    }
    // 127: the exec failed (docker without --init, or tini with it): the program is not there.
    if (code === 127 && run.notFound !== undefined) {
      throw new NotInImageError(run.notFound.message, run.notFound.hint);
    }
    if (
      code === EXIT_KILLED && id !== undefined && engine.kind?.kind !== "podman" &&
      await oomKilled(engine, id, { since: started - 1000, until: Date.now() })
    ) {
      throw new OutOfMemoryError(run.memory);
    }
    // docker printed the ID on stdout; the name says what runs, and is what --ps shows.
    if (code === 0 && run.detach) await write(Deno.stderr, detachedNotice(plan.name));
    return code;
  } finally {
    // docker run never started (its CLI vanished): the folders made for it go too.
    if (code === undefined) removeEmptyDirs(created);
    await watchdog?.done();
    removeFolder(folder);
    forget();
  }
}

/**
 * Pulls the newest tag (or a pinned one that is not local); when that fails and a local tag
 * exists, warns and runs that one. A pinned image's failure is one error, without docker's text.
 */
async function pullOrFallBack(
  run: Run,
  engine: Engine,
  explainPull?: (error: PullError) => Promise<Error>,
  scrub: (text: string) => Promise<string> = (text) => Promise.resolve(text),
): Promise<Pick<Run, "plan" | "image">> {
  try {
    // On a terminal, docker's own per-layer progress; elsewhere its short summary.
    const output = run.pullQuiet ? "quiet" : Deno.stderr.isTerminal() ? "progress" : "summary";
    await pullImage(engine, run.pull!, run.pullOptions, output);
    return run;
  } catch (error) {
    await stopUnderWay(); // a stop signal ended the pull: run-docker ends, nothing falls back
    if (error instanceof PullError && run.pinned && explainPull !== undefined) {
      throw await explainPull(error);
    }
    if (!(error instanceof PullError) || run.fallback === undefined) {
      if (error instanceof PullError) await write(Deno.stderr, await scrub(error.stderr));
      throw error;
    }
    const { registry, image } = run.fallback;
    warn(
      `registry ${registry} could not serve ${run.pull} (${await scrub(error.reason)}); ` +
        `using the newest local image ${image}`,
    );
    return run.fallback;
  }
}

/** A new private folder for the cidfile; `undefined` when none can be made (no kill by ID). */
function cidFolder(): string | undefined {
  try {
    return Deno.makeTempDirSync({ prefix: "run-docker-" });
  } catch {
    return undefined;
  }
}

function removeFolder(folder: string | undefined): void {
  try {
    if (folder !== undefined) Deno.removeSync(folder, { recursive: true });
  } catch {
    // gone already
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
    base: releaseBase(Deno.env.toObject()),
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
