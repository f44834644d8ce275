/**
 * run-docker: runs a project's Docker image the right way.
 *
 * The edge: gathers facts, calls the pure core in `lib/`, reports errors,
 * exits with the container's code. Nothing else lives here.
 *
 * @module
 */

import { parseRunRequest, parseSelfUpdate } from "./lib/cli.ts";
import { DEFAULT_RELEASE_BASE, selfUpdate } from "./lib/self_update.ts";
import {
  diagnoseRunFailure,
  engineFrom,
  killIfRunning,
  pullImage,
  resolveEngine,
  runForeground,
} from "./lib/engine.ts";
import { formatError, RunDockerError, UsageError } from "./lib/errors.ts";
import { escapeControls } from "./lib/printable.ts";
import { loadBaseConfig, loadConfig } from "./lib/config/load.ts";
import { formatConfig, unknownVariables } from "./lib/config/layers.ts";
import { settingsFor } from "./lib/config/settings.ts";
import type { HostFacts } from "./lib/facts.ts";
import { helpText } from "./lib/help.ts";
import {
  checkDirs,
  gatherHostFacts,
  isPortFree,
  makeDirs,
  randomHex,
  removeEmptyDirs,
  writeHostUserFiles,
} from "./lib/host.ts";
import { checkMountSources, planLayout } from "./lib/layout.ts";
import { inspectHostPath } from "./lib/path_state.ts";
import { resolveImage } from "./lib/image.ts";
import { familiarName, formatReference } from "./lib/reference.ts";
import { formatTagRows } from "./lib/resolve.ts";
import { givenValues, validateRunRequest } from "./lib/request.ts";
import { planRun } from "./lib/run_args.ts";
import { quoteCommand } from "./lib/shell_quote.ts";
import { handleStopSignals, stopUnderWay } from "./lib/spawn.ts";
import { type LoadedTagPolicy, loadTagPolicy, type TagPolicy } from "./lib/tags.ts";
import { runWatchdog, startWatchdog, WATCHDOG_ARG } from "./lib/watchdog.ts";
import { VERSION } from "./lib/version.ts";

/**
 * Runs run-docker.
 *
 * @param argv The arguments after the program name.
 * @returns The exit code: the container's, 0 for `--help`/`--version`/`--dry-run`,
 *   125 for run-docker's own failures.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const update = parseSelfUpdate(argv);
  if (update !== undefined) {
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
  const request = parseRunRequest(argv);
  if (request.own.help) {
    await write(Deno.stdout, helpText(VERSION));
    return 0;
  }
  if (request.own.version) {
    await write(
      Deno.stdout,
      `run-docker ${VERSION} (${Deno.build.target}, deno ${Deno.version.deno})\n`,
    );
    return 0;
  }
  // Before the first child (a credential helper, docker image ls, docker pull): a stop signal
  // stops every child with run-docker.
  handleStopSignals();
  let host: HostFacts = gatherHostFacts();
  // Configuration sees the whole environment: `${VAR}` in paths may name any variable.
  const environment = Deno.env.toObject();
  const configHost = { home: host.home, env: environment };
  if (request.own.printConfig && request.image === undefined) {
    const loaded = await loadConfig(request, await loadBaseConfig(configHost));
    await write(Deno.stdout, formatConfig(loaded.config, loaded.provenance, loaded.files));
    return 0;
  }
  const valid = validateRunRequest(request);
  const name = familiarName(valid.reference);
  // Dev mode decides whether the project file is read, and the work root (from the
  // configuration) decides where the source tree is.
  const base = await loadBaseConfig(configHost);
  const { srcDir } = planLayout(valid, { ...host, workRoot: base.workRoot });
  const loaded = await loadConfig(
    request,
    base,
    checkDirs([srcDir]).has(srcDir) ? srcDir : undefined,
  );
  for (const line of unknownVariables(environment)) warn(line);
  const { settings, policy: rulePolicy, globs } = settingsFor(
    loaded.config,
    loaded.provenance,
    name,
  );
  if (valid.own.printConfig) {
    // What the images rules change for this image, as the run will use it.
    const effective = globs.length === 0 ? "" : [
      `# for ${name}, images rules ${globs.map((g) => JSON.stringify(g)).join(", ")} make:`,
      `#   memory: ${settings.memory}  (${settings.provenance?.get("memory") ?? "default"})`,
      ...(settings.gpus
        ? [`#   gpus: ${settings.gpus}  (${settings.provenance?.get("gpus") ?? "default"})`]
        : []),
      ...(settings.command ? [`#   command: ${JSON.stringify(settings.command)}`] : []),
      ...(rulePolicy.order ? [`#   tag_order: ${rulePolicy.order}`] : []),
      ...(rulePolicy.filter ? [`#   tag_filter: ${JSON.stringify(rulePolicy.filter)}`] : []),
      ...Object.keys(settings.env).filter((k) => !(k in loaded.config.env)).map((k) =>
        `#   env: ${k}`
      ),
    ].join("\n") + "\n";
    await write(
      Deno.stdout,
      formatConfig(loaded.config, loaded.provenance, loaded.files) + effective,
    );
    return 0;
  }
  const layout = planLayout(valid, { ...host, workRoot: loaded.workRoot });
  if (!valid.own.listTags && !valid.own.resolve) {
    // A file or a symlink to nothing where data or log goes: stop before docker does, in its words.
    const dirs = [layout.dataDir, layout.logDir].filter((d): d is string => d !== undefined);
    checkMountSources(layout, new Map(dirs.map((d) => [d, inspectHostPath(d, host.os)])));
  }
  host = { ...host, existingDirs: checkDirs([layout.srcDir]) };
  if (layout.srcDirGiven && !host.existingDirs.has(layout.srcDir)) {
    throw new UsageError(
      `--hostsrcdir ${JSON.stringify(layout.srcDir)} is not a directory`,
      "give the path of an existing source tree",
    );
  }

  let engine = engineFrom(loaded.config.engine, host.env);
  if (!valid.own.dryRun) engine = resolveEngine(engine, environment, host.os);
  const policy = { ...rulePolicy, ...valid.tagPolicy };
  const loadedPolicy = await loadPolicy(policy);
  const resolution = await resolveImage(valid.reference, {
    engine,
    policy: loadedPolicy,
    local: valid.own.local,
    env: host.env,
    registries: loaded.config.registries,
    warn,
    listAll: valid.own.listTags,
    lookupOnly: valid.own.listTags || valid.own.resolve,
  });
  if (valid.own.listTags) {
    await write(
      Deno.stdout,
      formatTagRows(name, resolution.rows ?? [], valid.own.json, resolution.registry),
    );
    return 0;
  }
  const image = resolution.image;
  if (valid.own.resolve) {
    const reference = formatReference(image);
    await write(
      Deno.stdout,
      valid.own.json
        ? JSON.stringify({
          reference,
          source: resolution.source,
          candidates: resolution.candidates,
          policy,
          registry: resolution.registry,
        }) + "\n"
        : `${reference}\n`,
    );
    return 0;
  }
  const mustPull = resolution.source === "remote";
  const isNotebook = (valid.command[0] ?? settings.command?.[0]) === "notebook";
  const hostUser = settings.containerUser === "host" && !valid.own.root
    ? writeHostUserFiles(host, settings.containerHome, !valid.own.dryRun)
    : undefined;
  const plan = planRun({
    request: valid,
    image,
    host,
    layout,
    settings,
    version: VERSION,
    nonce: randomHex(2),
    notebookToken: isNotebook && !valid.own.dryRun ? randomHex(24) : undefined,
    pullNever: mustPull,
    hostUserFiles: hostUser,
  });
  if (valid.own.explain) {
    const tag = resolution.source === "given"
      ? `tag: ${formatReference(image)} (given)`
      : `tag: ${image.tag} (newest of ${resolution.candidates} by ${
        policy.order ?? "natural"
      } order; ${resolution.source})`;
    const lines = [...plan.explain.slice(0, 1), tag, ...plan.explain.slice(1)];
    if (loaded.files.length) lines.unshift(`config: ${loaded.files.join(", ")}`);
    await write(Deno.stderr, lines.map((l) => `run-docker: explain: ${l}\n`).join(""));
  }

  if (valid.own.dryRun) {
    // Pasted into a shell on a fresh machine, the line must work as the run would: the run
    // creates the data and log directories first, so the line does too.
    const mounted = [layout.dataDir, layout.logDir].filter((d): d is string => d !== undefined);
    const existing = checkDirs(mounted);
    const missing = mounted.filter((d) => !existing.has(d));
    const mkdir = missing.length > 0
      ? `${quoteCommand(["mkdir", "-p", "--", ...missing])} && `
      : "";
    // The newest tag only on the registry: the run pulls it first, so the line does too.
    const pull = mustPull
      ? `${quoteCommand([engine.program, "pull", formatReference(image)])} && `
      : "";
    await write(Deno.stdout, mkdir + pull + quoteCommand([engine.program, ...plan.args]) + "\n");
    return 0;
  }
  if (isNotebook) {
    const port = valid.notebookPort ?? settings.notebookPort;
    if (!isPortFree(settings.notebookBind, port)) {
      throw new UsageError(
        `port ${port} is already in use on ${settings.notebookBind}`,
        "pick another port with --notebook-port PORT",
      );
    }
  }
  if (mustPull) await pullImage(engine, formatReference(image));
  const created = makeDirs([layout.dataDir, layout.logDir]);
  if (plan.notebookUrl !== undefined) {
    await write(Deno.stderr, `run-docker: notebook at ${plan.notebookUrl}\n`);
  }
  // If run-docker dies without cleaning up (SIGKILL), the watchdog removes the container.
  // Detached and restarting containers outlive the run by design.
  const restart = givenValues(valid, "restart").at(-1);
  const watchdog = valid.detach || (restart !== undefined && restart !== "no")
    ? undefined
    : startWatchdog(engine.program, plan.name, warn);
  try {
    const code = await runForeground(engine, plan.args, {
      env: plan.engineEnv,
      containerName: plan.name,
      stdinIsTty: host.stdinIsTty,
    });
    if (code === 125 || code === 126) {
      // docker run itself failed (or says so): nothing of this run should stay behind.
      if (code === 125) removeEmptyDirs(created);
      const diagnosis = await diagnoseRunFailure(engine, formatReference(image), valid.own.local);
      if (diagnosis !== undefined) {
        removeEmptyDirs(created);
        throw diagnosis;
      }
    }
    if (code !== 0 && !valid.detach) await killIfRunning(engine, plan.name);
    return code;
  } finally {
    await watchdog?.done();
  }
}

async function loadPolicy(policy: TagPolicy): Promise<LoadedTagPolicy> {
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

function warn(message: string): void {
  try {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`run-docker: warning: ${escapeControls(message)}\n`),
    );
  } catch {
    // stderr closed
  }
}

/** run-docker's own output lost its reader (`| head`): not an error, run-docker ends quietly. */
class OutputClosed extends Error {}

/**
 * Writes all of `text`. A reader that went away (`| head`) is not an error:
 * it goes up as {@link OutputClosed} and ends run-docker quietly (a broken
 * pipe to a child is not that); other failures (a full disk) are reported plainly.
 */
async function write(stream: { write(p: Uint8Array): Promise<number> }, text: string) {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += await stream.write(bytes.subarray(offset));
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
    throw new RunDockerError(
      `cannot write the output: ${(error as Error).message}`,
      "check where the output goes (a full disk, a closed file)",
    );
  }
}

if (import.meta.main) {
  if (Deno.args[0] === WATCHDOG_ARG) Deno.exit(await runWatchdog(Deno.args.slice(1)));
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    await stopUnderWay(); // a stop signal: what the stopped children did is no news
    if (error instanceof OutputClosed) Deno.exit(0); // `run-docker --list-tags IMG | head -1`
    const report = formatError(error);
    try {
      await write(Deno.stderr, report.lines.join("\n") + "\n");
    } catch {
      // stderr closed: nothing more to say
    }
    code = error instanceof RunDockerError ? error.exitCode : report.exitCode;
  }
  await stopUnderWay();
  Deno.exit(code);
}
