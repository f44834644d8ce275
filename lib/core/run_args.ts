/**
 * The run planner: request + host facts + settings + resolved image → a
 * {@link RunSpec}, the `docker run` argv rendered from it, and what the
 * caller needs to know (name, mode, the engine's environment, `--explain`
 * lines). The heart of run-docker.
 *
 * Pure module: reads nothing; every fact comes in as data.
 *
 * @module
 */

import { msysPipeReason } from "./platform_hints.ts";
import { unameMachine } from "./uname.ts";
import { posixPath } from "./host_path.ts";
import type { HostFacts, Settings } from "./facts.ts";
import { imageBaseName } from "./reference.ts";
import { MAX_DEFAULT_NAME, namePart } from "./grammar.ts";
import { runLabels } from "./labels.ts";
import { renderRunArgs } from "./render/podman.ts";
import { givenValues, isGiven, type ValidRunRequest } from "./request.ts";
import { DOCKER_ENGINE } from "./engine_kind.ts";
import { JUPYTER_DIRS, notebookCommand } from "./notebook.ts";
import { GPUS_AUTO } from "./outcome.ts";
import { chooseUser, type UserChoice } from "./user.ts";
import type { EnvSpec, MountSpec, NotebookSpec, RunSpec, RunSpecInput } from "./run_spec.ts";

export { bindMount } from "./render/docker.ts";
export type { RunSpec, RunSpecInput } from "./run_spec.ts";

/** Everything the planner needs (see {@link RunSpecInput}). */
export type RunArgsInput = RunSpecInput;

/** The planned run: the spec, its docker argv and what the caller needs to know about it. */
export interface RunPlan {
  /** The run, as data. */
  readonly spec: RunSpec;
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
  /** Who the container runs as, and why. */
  readonly user: UserChoice;
}

/** `uname -s` of each `Deno.build.os`. */
const KERNEL_NAMES: Record<string, string> = {
  linux: "Linux",
  darwin: "Darwin",
  windows: "Windows_NT",
};

/** Where the source tree is mounted in the container, relative to the container home. */
const SRC = "src";

/** root's home in the container (`--root`, `user: root`). */
const ROOT_HOME = "/root";

/**
 * Builds the `docker run` argv with run-docker's conventions.
 *
 * @param input See {@link RunSpecInput}.
 * @returns The argv after `docker`, starting with `"run"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildRunArgs } from "./run_args.ts";
 * import { exampleInput } from "../../tests/fixtures.ts";
 * const args = buildRunArgs(exampleInput(["zppz/app:1", "true"]));
 * assert.equal(args[0], "run");
 * assert.deepEqual(args.slice(-2), ["zppz/app:1", "true"]);
 * ```
 */
export function buildRunArgs(input: RunSpecInput): string[] {
  return planRun(input).args;
}

/** What the option steps share: the input, the `--explain` lines, the user's options. */
interface Step {
  readonly input: RunSpecInput;
  readonly explain: string[];
  /** Whether the user gave this docker option. */
  given(long: string): boolean;
  /** Where a setting came from, for `--explain`. */
  from(key: string): string;
  /**
   * The value run-docker adds for an option, or `undefined` when the user gave it;
   * either way one `--explain` line says so.
   */
  add<T>(option: string, value: T, key: string, why?: string): T | undefined;
}

function step(input: RunSpecInput, explain: string[]): Step {
  const from = (key: string) => input.settings.provenance?.get(key) ?? "default";
  const given = (long: string) => isGiven(input.request, long);
  return {
    input,
    explain,
    given,
    from,
    add<T>(option: string, value: T, key: string, why = from(key)): T | undefined {
      if (given(option)) {
        explain.push(`left out --${option}: given on the command line`);
        return undefined;
      }
      const shown = typeof value === "string" ? ` ${value}` : "";
      explain.push(`added --${option}${shown} (${why})`);
      return value;
    },
  };
}

/**
 * Plans a run: the {@link RunSpec}, its docker argv, and the facts the caller
 * needs. Never throws on validated input.
 *
 * @param input See {@link RunSpecInput}.
 * @returns See {@link RunPlan}.
 */
export function planRun(input: RunSpecInput): RunPlan {
  const { request, host, layout, settings } = input;
  const explain: string[] = [];
  const s = step(input, explain);
  const choice = chooseUser({
    setting: settings.containerUser,
    from: s.from("user"),
    root: request.own.root,
    host,
    place: input.userPlace ?? (host.os === "darwin" || host.os === "windows" ? "desktop" : "local"),
    rootless: input.engine?.rootless ?? false,
    image: input.imageUser,
  });
  const user = choice.user;
  const mode = layout.srcDirGiven || host.existingDirs.has(layout.srcDir) ? "dev" : "prod";
  // The container home: src, data and log are mounted under it, as the original script did.
  const home = user === "root" ? ROOT_HOME : settings.containerHome;
  const workdir = mode === "dev" ? posixPath.join(home, SRC) : home;
  explain.push(
    mode === "dev"
      ? `mode: dev (${layout.srcDirGiven ? "--hostsrcdir" : `${layout.srcDir} exists`})`
      : `mode: prod (${layout.srcDir} does not exist)`,
  );
  const life = lifecycle(s);
  const identity = identityOptions(s, choice, mode, workdir);
  const mounts = mountSpecs(input, choice, home, mode, explain);
  const command = commandOf(request, settings, home, user === "root", input.notebookToken);
  const env = environment(input, user, home, mode, command.notebook !== undefined);
  const spec: RunSpec = {
    mode,
    image: { reference: input.image, digest: input.digest },
    command: command.command,
    ...life,
    ...identity,
    pullNever: (request.own.local || input.pullNever === true) && !s.given("pull"),
    labels: runLabels(input.version, mode, input.owner),
    mounts,
    volumes: settings.volumes,
    ports: settings.ports,
    env,
    notebook: command.notebook,
    passThrough: { config: settings.dockerArgs, commandLine: request.docker },
  };
  return {
    spec,
    args: renderRunArgs(spec, input.engine ?? DOCKER_ENGINE),
    name: spec.name,
    mode,
    engineEnv: command.engineEnv,
    notebookUrl: command.notebookUrl,
    explain,
    user: choice,
  };
}

function lifecycle(s: Step) {
  const { request, host, settings } = s.input;
  const restart = givenValues(request, "restart").at(-1);
  const restarts = restart !== undefined && restart !== "no";
  let remove = false;
  if (request.detach || restarts) s.explain.push("left out --rm: detached or restarting");
  else remove = s.add("rm", true, "rm", "always, unless detached") ?? false;
  let init = false;
  if (settings.init) init = s.add("init", true, "init") ?? false;
  else s.explain.push(`left out --init: init is false (${s.from("init")})`);
  const lastName = givenValues(request, "name").at(-1);
  const name = lastName ?? containerName(host, imageBaseName(s.input.image), s.input.nonce);
  const nameSet = s.add("name", name, "name", "unique per run") !== undefined;
  // -i always: a TTY, a pipe or a file stays readable (`echo x | run-docker img cat`);
  // from /dev/null the container reads EOF at once, as it would without -i.
  const interactive = !request.detach && !s.given("interactive");
  let tty = !request.detach && host.stdinIsTty && host.stdoutIsTty && !s.given("tty");
  const mintty = tty ? msysPipeReason(host) : undefined; // Git Bash without ConPTY
  if (mintty !== undefined) (tty = false, s.explain.push(mintty));
  return { remove, init, name, nameSet, interactive, tty };
}

function identityOptions(s: Step, choice: UserChoice, mode: "dev" | "prod", workdir: string) {
  const { host, settings } = s.input;
  const user = choice.user;
  const userValue = user === "host"
    ? (host.uid !== undefined ? `${host.uid}:${host.gid}` : choice.image.name)
    : user;
  const chosen = s.add("user", userValue, "user", choice.why);
  if (s.input.engine?.rootless && chosen !== undefined && user !== "root") {
    s.explain.push(
      "rootless podman: --userns=keep-id, so you are the container user and src, data and log are writable",
    );
  } else if (
    !choice.auto && user !== "host" && user !== "root" && host.os === "linux" &&
    mode === "dev" && host.uid !== undefined && host.uid !== choice.image.uid
  ) {
    s.explain.push(
      `note: your uid ${host.uid} differs from the image user's (${choice.image.name}, uid ${choice.image.uid}): ` +
        "files in src, data and log may not be writable; `user: auto` (the default) or `user: host` runs as you",
    );
  }
  return {
    user: chosen,
    workdir: s.add("workdir", workdir, "workdir", mode === "dev" ? "dev mode" : "prod mode"),
    memory: s.add("memory", settings.memory, "memory"),
    shmSize: s.add("shm-size", settings.shmSize, "shm_size"),
    // `auto` is decided before the plan (decideGpus, lib/core/outcome.ts); unresolved: none.
    gpus: settings.gpus !== undefined && settings.gpus !== GPUS_AUTO
      ? s.add("gpus", settings.gpus, "gpus")
      : undefined,
  };
}

function mountSpecs(
  input: RunSpecInput,
  choice: UserChoice,
  home: string,
  mode: "dev" | "prod",
  explain: string[],
): MountSpec[] {
  const { host, layout } = input;
  const user = choice.user;
  const imageUid = choice.image.uid;
  const bind = (
    role: "src" | "data" | "log" | "passwd" | "group",
    source: string,
    target: string,
    readOnly = false,
  ) => ({ kind: "bind", role, source, target, readOnly }) as const;
  const mounts: MountSpec[] = [];
  // SELinux: the shared label on run-docker's own three, never on the passwd and group files.
  const own = (role: "src" | "data" | "log", source: string, target: string) =>
    input.relabel
      ? { ...bind(role, source, target), relabel: true as const }
      : bind(role, source, target);
  if (mode === "dev") mounts.push(own("src", layout.srcDir, posixPath.join(home, SRC)));
  if (layout.dataDir !== undefined) {
    mounts.push(own("data", layout.dataDir, posixPath.join(home, "data")));
  }
  if (layout.logDir !== undefined) {
    mounts.push(own("log", layout.logDir, posixPath.join(home, "log")));
  }
  const relabelled = mounts.map((m) => m.role);
  if (input.relabel && relabelled.length > 0) {
    explain.push(
      `relabelled ${relabelled.join(", ")} with SELinux's shared label (:z): ${input.relabel.why}`,
    );
  }
  if (
    user === "host" && host.uid !== undefined && host.gid !== undefined && host.uid !== imageUid
  ) {
    // HOME belongs to the image user: give this uid a writable one. The image's own files
    // under HOME are hidden; src, data and log are mounted on top as always.
    mounts.push({
      kind: "tmpfs",
      role: "home",
      target: home,
      uid: host.uid,
      gid: host.gid,
      mode: "0755",
      exec: true,
    });
    explain.push(
      `added --tmpfs ${home} owned by ${host.uid}:${host.gid}: running as you, and HOME belongs to uid ${imageUid}`,
    );
  }
  if (user === "host" && input.hostUserFiles !== undefined) {
    // The host user exists in the container, so `id -un`, getpass.getuser() and pip work.
    mounts.push(bind("passwd", input.hostUserFiles.passwd, "/etc/passwd", true));
    mounts.push(bind("group", input.hostUserFiles.group, "/etc/group", true));
  }
  return mounts;
}

function environment(
  input: RunSpecInput,
  user: string,
  home: string,
  mode: "dev" | "prod",
  notebook: boolean,
): EnvSpec[] {
  const { request, host, layout, settings, image } = input;
  const root = user === "root";
  // A variable the user sets with -e/--env is left to the user.
  const userEnv = new Set(givenValues(request, "env").map((v) => (v ?? "").split("=", 1)[0]));
  const conventions: [string, string | undefined][] = [
    ["HOME", home],
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
      [
        KERNEL_NAMES[host.os] ?? host.os,
        host.hostname,
        host.osRelease,
        unameMachine(host.os, host.arch),
      ].join(" "),
    ],
    ["HOST_WHOAMI", host.user],
    ["HOST_IP", host.hostIp],
    ["DATADIR", layout.dataDir !== undefined ? posixPath.join(home, "data") : "/tmp"],
    ["LOGDIR", layout.logDir !== undefined ? posixPath.join(home, "log") : "/tmp"],
    ["PYTHONPATH", mode === "dev" ? posixPath.join(home, SRC, "src") : undefined],
    ["DOCKER_LOCAL_MODE", request.own.local ? "1" : undefined],
    ...JUPYTER_DIRS.map(([name, value]): [string, string | undefined] => [
      name,
      notebook ? value : undefined,
    ]),
  ];
  const env: EnvSpec[] = [];
  for (const [name, value] of conventions) {
    if (value !== undefined && !userEnv.has(name)) env.push({ name, value });
  }
  for (const [name, value] of Object.entries(settings.env)) {
    if (userEnv.has(name)) continue;
    env.push(value === null ? { name, byName: true } : { name, value });
  }
  return env;
}

/** The command with its shortcuts (`notebook`, `pytest`), and the notebook's port and token. */
function commandOf(
  request: ValidRunRequest,
  settings: Settings,
  home: string,
  root: boolean,
  notebookToken: string | undefined,
): {
  command: string[];
  notebook?: NotebookSpec;
  engineEnv: Record<string, string>;
  notebookUrl?: string;
} {
  const command = request.command.length > 0 ? [...request.command] : [...(settings.command ?? [])];
  if (command[0] === "pytest" || command[0] === "py.test") {
    return { command: [command[0], "-p", "no:cacheprovider", ...command.slice(1)], engineEnv: {} };
  }
  if (command[0] !== "notebook") return { command, engineEnv: {} };
  return notebookCommand(request, settings, { home, root, token: notebookToken }, command.slice(1));
}

/**
 * The default container name: `<host user>-<image>-<YYYYMMDD-HHMMSS>-<nonce>`, in the host's
 * time zone, each part sanitized to docker's name grammar, at most {@link MAX_DEFAULT_NAME}
 * characters (the user keeps at most 16, the image what is left).
 *
 * @param host `{ user, now, utcOffsetMinutes }`.
 * @param image The image's base name (`imageBaseName`), e.g. `app`.
 * @param nonce Random hex digits, so two runs in the same second differ.
 * @returns e.g. `zepu-app-20210502-002343-9f3a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { containerName } from "./run_args.ts";
 * const now = new Date("2021-05-02T00:23:43Z");
 * const host = { user: "j.doe@corp", now, utcOffsetMinutes: 0 };
 * assert.equal(containerName(host, "app", "9f3a"), "j.doe_corp-app-20210502-002343-9f3a");
 * ```
 */
export function containerName(
  host: Pick<HostFacts, "user" | "now" | "utcOffsetMinutes">,
  image: string,
  nonce: string,
): string {
  // Local time by shifting UTC, not Intl: loading time zone data costs ~20 ms a run.
  const local = new Date(host.now.getTime() + host.utcOffsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${local.getUTCFullYear()}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}-` +
    `${two(local.getUTCHours())}${two(local.getUTCMinutes())}${two(local.getUTCSeconds())}`;
  const user = namePart(host.user, 16) || "run-docker";
  const tail = `-${stamp}-${nonce.slice(0, 8)}`;
  const room = MAX_DEFAULT_NAME - user.length - tail.length - 1;
  const base = namePart(image, room).replace(/[-_.]+$/, "");
  return base === "" ? `${user}${tail}` : `${user}-${base}${tail}`;
}
