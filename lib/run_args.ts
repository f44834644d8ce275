/**
 * The options builder: request + host facts + settings + resolved image →
 * the `docker run` argv. The heart of run-docker.
 *
 * Pure module: reads nothing; every fact comes in as data.
 *
 * @module
 */

import { posixPath } from "./host_path.ts";
import type { HostFacts, Settings } from "./facts.ts";
import type { HostLayout } from "./layout.ts";
import { formatReference, imageBaseName, type ImageReference } from "./reference.ts";
import { givenValues, isGiven, type ValidRunRequest } from "./request.ts";

/** Everything the builder needs. */
export interface RunArgsInput {
  /** The validated command line. */
  readonly request: ValidRunRequest;
  /** The image to run, with the tag (or digest) resolved. */
  readonly image: ImageReference;
  /** Host facts, with `existingDirs` covering `layout.srcDir`. */
  readonly host: HostFacts;
  /** Host directories, from {@link planLayout}. */
  readonly layout: HostLayout;
  /** Settings (built-in defaults for now). */
  readonly settings: Settings;
  /** run-docker's version, for the `run-docker.version` label. */
  readonly version: string;
  /** 4 random hex digits that make the default container name unique. */
  readonly nonce: string;
  /** Jupyter token for the `notebook` command (random, made by the caller). */
  readonly notebookToken?: string;
  /** Add `--pull never` (the image was just pulled, or must be local). */
  readonly pullNever?: boolean;
  /** For `user: host`: host paths of the generated passwd and group files to mount. */
  readonly hostUserFiles?: { readonly passwd: string; readonly group: string };
}

/** The planned run: the argv and what the caller needs to know about it. */
export interface RunPlan {
  /** The full argv after `docker`: `["run", …options, image, …command]`. */
  readonly args: string[];
  /** The container name (the user's `--name` when given). */
  readonly name: string;
  /** `dev` when the source tree is mounted, else `prod`. */
  readonly mode: "dev" | "prod";
  /** Environment to add to the docker CLI's own (the notebook token travels here, not in argv). */
  readonly engineEnv: Record<string, string>;
  /** For `notebook`: the URL to open, including its token. */
  readonly notebookUrl?: string;
  /** One line per decision, for `--explain`. */
  readonly explain: string[];
}

/** The uid of the image user (docker-user) by the images' convention. */
const IMAGE_UID = 1000;

/** `uname -s` of each `Deno.build.os`. */
const KERNEL_NAMES: Record<string, string> = {
  linux: "Linux",
  darwin: "Darwin",
  windows: "Windows_NT",
};

/** Where the source tree is mounted in the container, relative to the container home. */
const SRC = "src";

/**
 * Builds the `docker run` argv with run-docker's conventions.
 *
 * @param input See {@link RunArgsInput}.
 * @returns The argv after `docker`, starting with `"run"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildRunArgs } from "./run_args.ts";
 * import { exampleInput } from "../tests/fixtures.ts";
 * const args = buildRunArgs(exampleInput(["zppz/app:1", "true"]));
 * assert.equal(args[0], "run");
 * assert.deepEqual(args.slice(-2), ["zppz/app:1", "true"]);
 * ```
 */
export function buildRunArgs(input: RunArgsInput): string[] {
  return planRun(input).args;
}

/**
 * Builds the `docker run` argv and the facts about the run the caller needs.
 * Never throws on validated input.
 *
 * @param input See {@link RunArgsInput}.
 * @returns See {@link RunPlan}.
 */
export function planRun(input: RunArgsInput): RunPlan {
  const { request, host, layout, settings, image } = input;
  const user = request.own.root ? "root" : settings.containerUser;
  const root = user === "root";
  const home = settings.containerHome;
  const mode = layout.srcDirGiven || host.existingDirs.has(layout.srcDir) ? "dev" : "prod";
  const srcTarget = posixPath.join(home, SRC);
  const workdir = mode === "dev" ? srcTarget : home;
  const given = (long: string) => isGiven(request, long);
  const args: string[] = ["run"];
  const explain: string[] = [];
  const from = (key: string) => settings.provenance?.get(key) ?? "default";
  const add = (option: string, value: string | undefined, key: string, why = from(key)) => {
    if (given(option)) {
      explain.push(`left out --${option}: given on the command line`);
      return;
    }
    args.push(`--${option}`, ...(value === undefined ? [] : [value]));
    explain.push(`added --${option}${value === undefined ? "" : ` ${value}`} (${why})`);
  };
  explain.push(
    mode === "dev"
      ? `mode: dev (${layout.srcDirGiven ? "--hostsrcdir" : `${layout.srcDir} exists`})`
      : `mode: prod (${layout.srcDir} does not exist)`,
  );

  // Lifecycle and identity.
  const restart = givenValues(request, "restart").at(-1);
  const restarts = restart !== undefined && restart !== "no";
  if (request.detach || restarts) explain.push("left out --rm: detached or restarting");
  else add("rm", undefined, "rm", "always, unless detached");
  if (settings.init) add("init", undefined, "init");
  else explain.push(`left out --init: init is false (${from("init")})`);
  const lastName = givenValues(request, "name").at(-1);
  const name = lastName ?? containerName(host, input.nonce);
  add("name", name, "name", "unique per run");
  if (!request.detach) {
    // -i always: a TTY, a pipe or a file stays readable (`echo x | run-docker img cat`);
    // from /dev/null the container reads EOF at once, as it would without -i.
    if (!given("interactive")) args.push("--interactive");
    if (host.stdinIsTty && host.stdoutIsTty && !given("tty")) args.push("--tty");
  }
  const userValue = user === "host"
    ? (host.uid !== undefined ? `${host.uid}:${host.gid}` : "docker-user")
    : user;
  add("user", userValue, "user", request.own.root ? "option --root" : from("user"));
  if (
    user !== "host" && !root && host.os === "linux" && mode === "dev" && host.uid !== undefined &&
    host.uid !== IMAGE_UID
  ) {
    explain.push(
      `note: your uid ${host.uid} differs from the image user's (docker-user, uid 1000 by convention): ` +
        "files in src, data and log may not be writable; set `user: host` in the configuration",
    );
  }
  add("workdir", workdir, "workdir", mode === "dev" ? "dev mode" : "prod mode");
  add("memory", settings.memory, "memory");
  add("shm-size", settings.shmSize, "shm_size");
  if (settings.gpus !== undefined) add("gpus", settings.gpus, "gpus");
  if ((request.own.local || input.pullNever) && !given("pull")) args.push("--pull", "never");
  args.push("--label", `run-docker.version=${input.version}`, "--label", `run-docker.mode=${mode}`);

  // Bind mounts.
  if (mode === "dev") args.push("--mount", bindMount(layout.srcDir, srcTarget));
  const dataTarget = posixPath.join(home, "data");
  const logTarget = posixPath.join(home, "log");
  if (layout.dataDir !== undefined) args.push("--mount", bindMount(layout.dataDir, dataTarget));
  if (layout.logDir !== undefined) args.push("--mount", bindMount(layout.logDir, logTarget));
  if (user === "host" && host.uid !== undefined && host.uid !== IMAGE_UID) {
    // HOME belongs to the image user: give this uid a writable one. The image's own files
    // under HOME are hidden; src, data and log are mounted on top as always.
    args.push("--tmpfs", `${home}:uid=${host.uid},gid=${host.gid},mode=0755,exec`);
    explain.push(
      `added --tmpfs ${home} owned by ${host.uid}:${host.gid}: user: host, and HOME belongs to uid ${IMAGE_UID}`,
    );
  }
  if (user === "host" && input.hostUserFiles !== undefined) {
    // The host user exists in the container, so `id -un`, getpass.getuser() and pip work.
    args.push("--mount", `${bindMount(input.hostUserFiles.passwd, "/etc/passwd")},readonly`);
    args.push("--mount", `${bindMount(input.hostUserFiles.group, "/etc/group")},readonly`);
  }
  for (const volume of settings.volumes) args.push("--volume", volume);
  for (const port of settings.ports) args.push("--publish", port);

  // Environment; a variable the user sets with -e/--env is left to the user.
  const userEnv = new Set(
    givenValues(request, "env").map((v) => (v ?? "").split("=", 1)[0]),
  );
  const env: [string, string | undefined][] = [
    ["HOME", root ? "/root" : home],
    [
      "USER",
      root
        ? "root"
        : user === "host"
        ? host.user
        : /^\d/.test(user)
        ? undefined
        : user.split(":")[0],
    ],
    ["HOSTUSER", host.uid !== undefined ? `${host.uid}:${host.gid}` : undefined],
    ["IMAGE_NAME", imageBaseName(image)],
    ["IMAGE_VERSION", image.tag ?? image.digest],
    ["TZ", settings.timeZone ?? host.timeZone],
    [
      "HOST_UNAME",
      [KERNEL_NAMES[host.os] ?? host.os, host.hostname, host.osRelease, host.arch].join(" "),
    ],
    ["HOST_WHOAMI", host.user],
    ["HOST_IP", host.hostIp],
    ["DATADIR", layout.dataDir !== undefined ? dataTarget : "/tmp"],
    ["LOGDIR", layout.logDir !== undefined ? logTarget : "/tmp"],
    ["PYTHONPATH", mode === "dev" ? posixPath.join(srcTarget, "src") : undefined],
  ];
  for (const [key, value] of env) {
    if (value !== undefined && !userEnv.has(key)) args.push("--env", `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(settings.env)) {
    if (userEnv.has(key)) continue;
    args.push("--env", value === null ? key : `${key}=${value}`);
  }

  // The command, with its shortcuts.
  let command = request.command.length > 0 ? [...request.command] : [...(settings.command ?? [])];
  const engineEnv: Record<string, string> = {};
  let notebookUrl: string | undefined;
  if (command[0] === "notebook") {
    const port = request.notebookPort ?? settings.notebookPort;
    args.push("--publish", `${settings.notebookBind}:${port}:${port}`);
    const userToken = givenValues(request, "env").map((v) => v ?? "").find((v) =>
      v === "JUPYTER_TOKEN" || v.startsWith("JUPYTER_TOKEN=")
    );
    if (userToken !== undefined) {
      // The user's token wins; the URL shows it when it is on the command line.
      const value = userToken.startsWith("JUPYTER_TOKEN=")
        ? userToken.slice("JUPYTER_TOKEN=".length)
        : undefined;
      notebookUrl = `http://${urlHost(settings.notebookBind)}:${port}/lab` +
        (value ? `?token=${encodeURIComponent(value)}` : " (token: your JUPYTER_TOKEN)");
    } else if (input.notebookToken !== undefined) {
      // By name only: the value reaches docker through its environment, so the
      // token is in no argv (`ps`) and in no --dry-run output.
      args.push("--env", "JUPYTER_TOKEN");
      engineEnv.JUPYTER_TOKEN = input.notebookToken;
      notebookUrl = `http://${
        urlHost(settings.notebookBind)
      }:${port}/lab?token=${input.notebookToken}`;
    }
    command = [
      "jupyter",
      "lab",
      "--ip=0.0.0.0",
      `--port=${port}`,
      "--no-browser",
      `--ServerApp.root_dir=${workdir}`,
      ...(root ? ["--allow-root"] : []),
      ...command.slice(1),
    ];
  } else if (command[0] === "pytest" || command[0] === "py.test") {
    command = [command[0], "-p", "no:cacheprovider", ...command.slice(1)];
  }

  args.push(...settings.dockerArgs);
  for (const pass of request.docker) args.push(...pass.tokens);
  args.push(formatReference(image), ...command);
  return { args, name, mode, engineEnv, notebookUrl, explain };
}

function urlHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "") return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}

/**
 * The value of `--mount` for a bind mount, CSV-quoted where docker's CSV
 * reader needs it (a field with `,`, `"` or a line break).
 *
 * @param source Absolute host path; any characters.
 * @param target Absolute container path.
 * @returns e.g. `type=bind,source=/a/b,target=/c`, or `type=bind,"source=/a,b",target=/c`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindMount } from "./run_args.ts";
 * assert.equal(bindMount('/x/a,"b', "/t"), 'type=bind,"source=/x/a,""b",target=/t');
 * ```
 */
export function bindMount(source: string, target: string): string {
  return ["type=bind", `source=${source}`, `target=${target}`].map(csvField).join(",");
}

function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * The default container name: `<host user>-<YYYYMMDD-HHMMSS>-<nonce>`, in the
 * host's time zone, sanitized to docker's name grammar `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
 *
 * @param host `{ user, now, utcOffsetMinutes }`.
 * @param nonce Random hex digits, so two runs in the same second differ.
 * @returns e.g. `zepu-20210502-002343-9f3a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { containerName } from "./run_args.ts";
 * const now = new Date("2021-05-02T00:23:43Z");
 * assert.equal(containerName({ user: "j.doe@corp", now, utcOffsetMinutes: 0 }, "9f3a"), "j.doe_corp-20210502-002343-9f3a");
 * ```
 */
export function containerName(
  host: Pick<HostFacts, "user" | "now" | "utcOffsetMinutes">,
  nonce: string,
): string {
  // Local time by shifting UTC, not Intl: loading time zone data costs ~20 ms a run.
  const local = new Date(host.now.getTime() + host.utcOffsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${local.getUTCFullYear()}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}-` +
    `${two(local.getUTCHours())}${two(local.getUTCMinutes())}${two(local.getUTCSeconds())}`;
  const user = host.user.replace(/[^a-zA-Z0-9_.-]/g, "_").replace(/^[^a-zA-Z0-9]+/, "");
  return `${user || "run-docker"}-${stamp}-${nonce}`;
}
