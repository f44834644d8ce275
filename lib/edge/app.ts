/**
 * The program: parse → decide → carry out. It gathers facts, asks the pure
 * `lib/core/decide.ts` what to do, does it, reports errors, and returns the
 * container's code. `main.ts` loads it only when run-docker is not the
 * watchdog, so the watchdog process stays small.
 *
 * @module
 */

import { carryOutRun, loadPolicy, updateSelf } from "./carry_out.ts";
import { parseRunRequest, parseSelfUpdate } from "../core/cli.ts";
import { formatConfig, variableWarnings } from "../core/config/layers.ts";
import { printConfigJson } from "../core/config/config_json.ts";
import { completeImages } from "./complete_images.ts";
import { carryOutContainers } from "./containers.ts";
import { loadBaseConfig, loadConfig } from "./config/load.ts";
import { decideLookup, decideRequest, decideRun, type Run } from "../core/decide.ts";
import * as engines from "./engine.ts";
import { withApiSocket } from "./engine_api.ts";
import { engineReportsSelinux } from "./engine_images.ts";
import type { PullError } from "./engine_run.ts";
import { identifyEngine } from "./engine_kind.ts";
import { formatError, RunDockerError } from "../core/errors.ts";
import { checkDirs, gatherHostFacts, randomHex, readEnvironment } from "./host.ts";
import { writeHostUserFiles } from "./host_user_files.ts";
import { pinnedPullFailure, resolveImage, scrubPullText } from "./image.ts";
import { gpuFacts } from "./engine_queries.ts";
import { gpusQuestion } from "../core/outcome.ts";
import { isGiven } from "../core/request.ts";
import { readImageUser } from "./image_user.ts";
import { formatReference, qualifiedReference } from "../core/reference.ts";
import { planLayout } from "../core/layout.ts";
import { OutputClosed, print, warn, write } from "./output.ts";
import { inspectHostPath, isExactDir } from "./path_state.ts";
import { handleStopSignals, stopUnderWay } from "./spawn.ts";
import { removeOldBinary } from "./self_update.ts";
import { VERSION } from "../core/version.ts";
import { hostUserWarning } from "../core/platform_hints.ts";
import { cacheDir } from "../core/platform_paths.ts";
import { afterRun, beforeRun } from "./update_check.ts";

/**
 * Runs run-docker.
 *
 * @param argv The arguments after the program name.
 * @returns The exit code: the container's, 0 for what only prints (`--help`, `--dry-run`,
 *   `--emit` …), 125 for run-docker's own failures.
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (Deno.build.os === "windows") removeOldBinary(Deno.execPath(), Deno.build.os);
  const update = parseSelfUpdate(argv);
  if (update !== undefined) return await updateSelf(update);
  const request = parseRunRequest(argv);
  const about = { version: VERSION, target: Deno.build.target, deno: Deno.version.deno };
  const first = decideRequest(request, about);
  if (first.kind === "print") return await print(first);
  // Before the first child (a credential helper, docker image ls, docker pull): a stop signal
  // stops every child with run-docker.
  handleStopSignals();
  // The one view of the environment (case-insensitive names on Windows); configuration sees it
  // whole: `${VAR}` in paths may name any variable.
  const environment = readEnvironment();
  const facts = gatherHostFacts([], environment);
  const configHost = { home: facts.home, env: environment, os: facts.os };
  if (first.kind === "complete-images") {
    return await completeImages(first.prefix, facts, environment);
  }
  if (first.kind === "ps" || first.kind === "cleanup") {
    const loaded = await loadConfig(request, await loadBaseConfig(configHost));
    const configured = engines.engineFrom(loaded.config.engine, facts.env);
    const located = await engines.locateEndpoint(configured, facts.env);
    const engineHost = { env: environment, os: facts.os, uid: facts.uid };
    const engine = await identifyEngine(located, engineHost, true);
    return await carryOutContainers(first, engine, facts.hostname);
  }
  if (first.kind === "print-config") {
    const loaded = await loadConfig(request, await loadBaseConfig(configHost));
    for (const line of variableWarnings(environment)) warn(line);
    return await print({
      stdout: request.own.json
        ? printConfigJson(loaded)
        : formatConfig(loaded.config, loaded.provenance, loaded.files),
    });
  }
  // The work root (system and user files) says where the source tree is; whether it exists
  // (dev mode) says whether the project file is read.
  const base = await loadBaseConfig(configHost);
  const { srcDir, srcDirGiven } = planLayout(first.request, { ...facts, workRoot: base.workRoot });
  // Dev mode needs the tree under the image's exact name, also on APFS and NTFS (MyApp ≠ myapp).
  const isTree = (dir: string, given: boolean) =>
    given ? checkDirs([dir]).has(dir) : isExactDir(dir, facts.os);
  const devTree = isTree(srcDir, srcDirGiven) ? srcDir : undefined;
  const loaded = await loadConfig(request, base, devTree);
  for (const line of variableWarnings(environment)) warn(line);
  const layout = planLayout(first.request, { ...facts, workRoot: loaded.workRoot });
  const mounted = [layout.dataDir, layout.logDir].filter((d): d is string => d !== undefined);
  const existingDirs = checkDirs(mounted);
  if (isTree(layout.srcDir, layout.srcDirGiven)) existingDirs.add(layout.srcDir);
  const host = { ...facts, existingDirs };
  const pathStates = new Map(mounted.map((d) => [d, inspectHostPath(d, host.os)]));
  const configured = engines.engineFrom(loaded.config.engine, host.env);
  const located = await engines.locateEndpoint(configured, host.env, host.home, host.os);
  const remoteEngine = located.remote ? engines.engineWhere(located) : undefined;
  const lookup = decideLookup({ ...first, loaded, host, layout, pathStates, remoteEngine });
  if (lookup.kind === "print") return await print(lookup);
  const noUid = hostUserWarning(lookup.settings.containerUser, host);
  if (noUid !== undefined && !lookup.resolve.lookupOnly) warn(noUid); // Windows: no uid
  const engineHost = { env: environment, os: host.os, uid: host.uid };
  const engine = withApiSocket(
    await identifyEngine(located, engineHost, lookup.findEngine),
    environment,
    host.os,
  );
  // One `info` call, beside the image lookup rather than after it.
  const selinux = lookup.askSelinux ? engineReportsSelinux(engine, host.os) : undefined;
  // gpus: auto: a PATH lookup, and the engine's runtimes only when nvidia-smi is there.
  const gpus = gpusQuestion(
      lookup.settings.gpus,
      isGiven(first.request, "gpus"),
      lookup.resolve.lookupOnly,
    )
    ? gpuFacts(engine, environment, host.os)
    : undefined;
  const resolveOptions = {
    engine,
    policy: await loadPolicy(lookup.policy),
    env: host.env,
    home: host.home,
    os: host.os,
    registries: loaded.config.registries,
    warn,
    ...lookup.resolve,
    dryRun: first.request.own.dryRun,
  };
  const found = await resolveImage(first.request.reference, resolveOptions);
  // user: auto reads the image's user (cached per image ID); --list-tags and --resolve run nothing.
  const { own } = first.request;
  const cache = cacheDir(host);
  let read = lookup.settings.containerUser === "auto" && !own.root && !own.listTags &&
      !own.resolve
    ? await readImageUser(
      engine,
      (engine.kind?.kind === "podman" ? qualifiedReference : formatReference)(found.image),
      cache,
      found.localIds?.get(found.image.tag ?? found.image.digest ?? ""),
    )
    : undefined;
  const runFacts = {
    version: VERSION,
    engine: engine.program,
    engineKind: engine.kind,
    found,
    nonce: randomHex(2),
    pid: Deno.pid,
    notebookToken: randomHex(24),
    hostUserFiles: writeHostUserFiles(host, lookup.settings.containerHome, false),
    selinux: await selinux,
    gpus: await gpus,
    imageUser: read?.user,
  };
  const action = decideRun(lookup, runFacts);
  // A newly read image user is cached once the run (or --dry-run, --emit) went well: a failed
  // one changes nothing.
  const saved = (code: number) => (read?.save(), code);
  if (action.kind === "print") return saved(await print(action));
  if (action.stderr) await write(Deno.stderr, action.stderr);
  if (action.kind === "run") {
    const explainPull = (error: PullError) =>
      pinnedPullFailure(first.request.reference, error, resolveOptions);
    // A tag only the registry had: once pulled, its user is read and the run decided again.
    const afterPull = read === undefined ? undefined : async (run: Run) => {
      const pulled = await readImageUser(engine, run.pull!, cache);
      const again = decideRun(lookup, { ...runFacts, imageUser: pulled.user });
      read = pulled;
      return again.kind === "run" ? again : run;
    };
    // The update notice reads only its cache now; it asks the network once the container exits.
    const updates = beforeRun({ ...host, env: environment }, first.request.own.local);
    // docker's pull text may echo the credential the registry was sent.
    const scrub = (text: string) => scrubPullText(first.request.reference, text, resolveOptions);
    const code = await carryOutRun(action, engine, host, { explainPull, afterPull, scrub });
    await afterRun(updates);
    return saved(code);
  }
  const { formatEmitted } = await import("../core/format/emit.ts"); // the YAML writer: only here
  return saved(await print({ stdout: formatEmitted(action.document, action.comments) }));
}

/**
 * Runs run-docker and turns what it threw into run-docker's report: one error line and a
 * hint on stderr, nothing for a closed output (`| head`), after every child has stopped.
 *
 * @param argv The arguments after the program name.
 * @returns The exit code for `Deno.exit`.
 */
export async function runEntry(argv: readonly string[]): Promise<number> {
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    await stopUnderWay(); // a stop signal: what the stopped children did is no news
    if (error instanceof OutputClosed) return 0; // `run-docker --list-tags IMG | head -1`
    const report = formatError(error);
    try {
      await write(Deno.stderr, report.lines.join("\n") + "\n");
    } catch {
      // stderr closed
    }
    code = error instanceof RunDockerError ? error.exitCode : report.exitCode;
  }
  await stopUnderWay();
  return code;
}
