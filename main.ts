/**
 * run-docker: runs a project's Docker image the right way.
 *
 * The edge: gathers facts, calls the pure core in `lib/`, reports errors,
 * exits with the container's code. Nothing else lives here.
 *
 * @module
 */

import { parseRunRequest } from "./lib/cli.ts";
import {
  diagnoseRunFailure,
  engineFrom,
  killIfRunning,
  pullImage,
  resolveEngine,
  runForeground,
} from "./lib/engine.ts";
import { formatError, RunDockerError, UsageError } from "./lib/errors.ts";
import { DEFAULT_SETTINGS, type HostFacts } from "./lib/facts.ts";
import { helpText } from "./lib/help.ts";
import {
  checkDirs,
  gatherHostFacts,
  isPortFree,
  makeDirs,
  randomHex,
  removeEmptyDirs,
} from "./lib/host.ts";
import { planLayout } from "./lib/layout.ts";
import { resolveImage } from "./lib/image.ts";
import { familiarName, formatReference } from "./lib/reference.ts";
import { formatTagRows } from "./lib/resolve.ts";
import { validateRunRequest } from "./lib/request.ts";
import { planRun } from "./lib/run_args.ts";
import { quoteCommand } from "./lib/shell_quote.ts";
import { loadTagPolicy, type TagPolicy } from "./lib/tags.ts";
import { VERSION } from "./lib/version.ts";

/**
 * Runs run-docker.
 *
 * @param argv The arguments after the program name.
 * @returns The exit code: the container's, 0 for `--help`/`--version`/`--dry-run`,
 *   125 for run-docker's own failures.
 */
export async function main(argv: readonly string[]): Promise<number> {
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
  const valid = validateRunRequest(request);
  let host: HostFacts = gatherHostFacts();
  const layout = planLayout(valid, host);
  host = { ...host, existingDirs: checkDirs([layout.srcDir]) };
  if (layout.srcDirGiven && !host.existingDirs.has(layout.srcDir)) {
    throw new UsageError(
      `--hostsrcdir ${JSON.stringify(layout.srcDir)} is not a directory`,
      "give the path of an existing source tree",
    );
  }

  let engine = engineFrom(host.env);
  if (!valid.own.dryRun) engine = resolveEngine(engine, Deno.env.toObject(), host.os);
  await loadPolicy(valid.tagPolicy);
  const resolution = await resolveImage(valid.reference, {
    engine,
    policy: valid.tagPolicy,
    local: valid.own.local,
    env: host.env,
    warn,
    listAll: valid.own.listTags,
    lookupOnly: valid.own.listTags || valid.own.resolve,
  });
  if (valid.own.listTags) {
    await write(
      Deno.stdout,
      formatTagRows(familiarName(valid.reference), resolution.rows ?? [], valid.own.json),
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
          policy: valid.tagPolicy,
        }) + "\n"
        : `${reference}\n`,
    );
    return 0;
  }
  const mustPull = resolution.source === "remote";
  const isNotebook = valid.command[0] === "notebook";
  const plan = planRun({
    request: valid,
    image,
    host,
    layout,
    settings: DEFAULT_SETTINGS,
    version: VERSION,
    nonce: randomHex(2),
    notebookToken: isNotebook && !valid.own.dryRun ? randomHex(24) : undefined,
    pullNever: mustPull,
  });

  if (valid.own.dryRun) {
    // Pasted into a shell on a fresh machine, the line must work as the run would: the run
    // creates the data and log directories first, so the line does too.
    const mounted = [layout.dataDir, layout.logDir].filter((d): d is string => d !== undefined);
    const existing = checkDirs(mounted);
    const missing = mounted.filter((d) => !existing.has(d));
    const mkdir = missing.length > 0
      ? `${quoteCommand(["mkdir", "-p", "--", ...missing])} && `
      : "";
    await write(Deno.stdout, mkdir + quoteCommand([engine.program, ...plan.args]) + "\n");
    return 0;
  }
  if (isNotebook) {
    const port = valid.notebookPort ?? DEFAULT_SETTINGS.notebookPort;
    if (!isPortFree(DEFAULT_SETTINGS.notebookBind, port)) {
      throw new UsageError(
        `port ${port} is already in use on ${DEFAULT_SETTINGS.notebookBind}`,
        "pick another port with --notebook-port PORT",
      );
    }
  }
  if (mustPull) await pullImage(engine, formatReference(image));
  const created = makeDirs([layout.dataDir, layout.logDir]);
  if (plan.notebookUrl !== undefined) {
    await write(Deno.stderr, `run-docker: notebook at ${plan.notebookUrl}\n`);
  }
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
}

async function loadPolicy(policy: TagPolicy): Promise<void> {
  try {
    await loadTagPolicy(policy);
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
    Deno.stderr.writeSync(new TextEncoder().encode(`run-docker: warning: ${message}\n`));
  } catch {
    // stderr closed
  }
}

async function write(stream: { write(p: Uint8Array): Promise<number> }, text: string) {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += await stream.write(bytes.subarray(offset));
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    const report = formatError(error);
    try {
      await write(Deno.stderr, report.lines.join("\n") + "\n");
    } catch {
      // stderr closed: nothing more to say
    }
    code = error instanceof RunDockerError ? error.exitCode : report.exitCode;
  }
  Deno.exit(code);
}
