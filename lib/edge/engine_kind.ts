/**
 * Edge module: which engine runs the containers. `engine: auto` (the default) is docker when
 * its CLI is on PATH and answers `docker version` (or `DOCKER_HOST` is set), else podman. The kind comes from what the
 * CLI says it is (podman-docker's `docker` shim says podman), not from the name it was found
 * by; a native executable whose real name (symlinks followed) is docker's or podman's needs no
 * `--version` process.
 *
 * @module
 */

import {
  DOCKER_ENGINE,
  type EngineFamily,
  type EngineKind,
  familyOf,
} from "../core/engine_kind.ts";
import { EngineError } from "../core/errors.ts";
import { platformHints } from "../core/platform_hints.ts";
import { type Engine, resolveEngine } from "./engine.ts";
import { spawn } from "./spawn.ts";

/** Seconds the version probe may take before the CLI counts as not answering. */
const PROBE_SECONDS = 10;

/** What identification needs from the host. */
export interface EngineHost {
  /** `PATH`, `PATHEXT`, `DOCKER_HOST`, and `CONTAINER_HOST` (podman's remote endpoint). */
  readonly env: { PATH?: string; PATHEXT?: string; DOCKER_HOST?: string; CONTAINER_HOST?: string };
  /** `Deno.build.os`. */
  readonly os: string;
  /** The invoking user's uid (`undefined` on Windows). */
  readonly uid?: number;
}

/**
 * Finds the engine's CLI and what kind it is.
 *
 * @param engine From `engineFrom`: `program` is `auto`, `docker`, `podman` or a path.
 * @param host PATH, the OS and the uid.
 * @param required Whether a missing CLI is an error (a run); else (`--dry-run`) the engine is
 *   kept as named, its kind guessed from its name.
 * @returns The engine with `program` found and `kind` set.
 * @throws {EngineError} when `required` and no CLI is found (for `auto`: neither docker nor
 *   podman).
 */
export async function identifyEngine(
  engine: Engine,
  host: EngineHost,
  required: boolean,
): Promise<Engine> {
  const identified = await identify(engine, host, required);
  // Nothing runs here (`--dry-run`): the command line printed names the program as given.
  if (required) return identified;
  const named = engine.program === "auto"
    ? identified.program.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "")
    : engine.program;
  return { ...identified, program: named };
}

async function identify(engine: Engine, host: EngineHost, required: boolean): Promise<Engine> {
  if (engine.program === "auto") {
    const docker = find({ ...engine, program: "docker" }, host);
    const podman = find({ ...engine, program: "podman" }, host);
    // DOCKER_HOST or a docker context names a docker engine, and without podman there is no
    // choice to make: `--version` says what the CLI is without reaching the daemon (~15 ms
    // instead of ~30 ms for `version`); its errors say later what is wrong with the engine.
    if (docker !== undefined && (podman === undefined || host.env.DOCKER_HOST || engine.context)) {
      return withKind(docker, await cliFamily(docker.program), host);
    }
    // Both are there: docker when its engine answers.
    const said = docker === undefined ? undefined : await probe(docker.program, ["version"]);
    if (docker !== undefined && said?.answered) return withKind(docker, said.family, host);
    if (podman !== undefined) {
      return withKind(podman, (await probe(podman.program, ["--version"])).family, host);
    }
    // docker is there but does not answer: its own error says why, later.
    if (docker !== undefined) return withKind(docker, said?.family, host);
    if (!required) return withKind({ ...engine, program: "docker" }, "docker", host);
    throw new EngineError(
      "no container engine found: neither docker nor podman is on PATH",
      `${platformHints(host.os).installEngine}, or set engine: PATH in the configuration`,
    );
  }
  const found = required ? resolveEngine(engine, host.env, host.os) : find(engine, host);
  if (found === undefined) return withKind(engine, nameFamily(engine.program), host);
  return withKind(found, (await cliFamily(found.program)) ?? nameFamily(found.program), host);
}

/**
 * What a CLI is, without a process when its file tells: a native executable (ELF, Mach-O)
 * whose real name (symlinks followed) says `docker` or `podman` is that CLI; podman-docker's
 * `docker` shim is a script that runs podman, and anything else is asked with `--version`.
 */
async function cliFamily(program: string): Promise<EngineFamily | undefined> {
  return nativeFamily(program) ?? (await probe(program, ["--version"])).family;
}

/**
 * What a CLI is by its file: docker or podman when it is a native executable (ELF, Mach-O)
 * whose real name (symlinks followed) says so.
 *
 * @param program The CLI's path.
 * @returns `docker`, `podman`, or `undefined` (a script, a wrapper, another name, no such file).
 */
export function nativeFamily(program: string): EngineFamily | undefined {
  try {
    const real = Deno.realPathSync(program);
    const name = real.slice(real.lastIndexOf("/") + 1);
    const family = /podman/i.test(name) ? "podman" : /docker/i.test(name) ? "docker" : undefined;
    if (family === undefined) return undefined;
    const head = new Uint8Array(4);
    const file = Deno.openSync(real);
    try {
      if (file.readSync(head) !== 4) return undefined;
    } finally {
      file.close();
    }
    const magic = new DataView(head.buffer).getUint32(0);
    const native = magic === 0x7f454c46 || // ELF
      [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic); // Mach-O
    return native ? family : undefined;
  } catch {
    return undefined;
  }
}

function find(engine: Engine, host: EngineHost): Engine | undefined {
  try {
    return resolveEngine(engine, host.env, host.os);
  } catch {
    return undefined;
  }
}

function nameFamily(program: string): EngineFamily {
  return /(^|[\\/])podman(\.exe)?$/i.test(program) ? "podman" : "docker";
}

/** The engine with its kind; podman run by a non-root user on this host is rootless. */
function withKind(engine: Engine, family: EngineFamily | undefined, host: EngineHost): Engine {
  const kind: EngineKind = family === "podman"
    ? {
      kind: "podman",
      rootless: host.os === "linux" && host.uid !== undefined && host.uid !== 0 &&
        !host.env.CONTAINER_HOST,
    }
    : DOCKER_ENGINE;
  return { ...engine, kind };
}

/** Runs `PROGRAM ARGS`: what it says it is, and whether it exited 0. */
async function probe(
  program: string,
  args: string[],
): Promise<{ family?: EngineFamily; answered: boolean }> {
  try {
    const output = await spawn(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(PROBE_SECONDS * 1000),
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    return { family: familyOf(text), answered: output.success };
  } catch {
    return { answered: false };
  }
}

/**
 * Why podman could not start `--init`: its init binary (`init_path` of containers.conf,
 * default `/usr/libexec/podman/catatonit`) is missing. Called after `podman run` exited 125.
 *
 * @param env `CONTAINERS_CONF`, `XDG_CONFIG_HOME`, `HOME`: where containers.conf is.
 * @returns The error with a hint, or `undefined` when the init binary is there.
 */
export function podmanInitMissing(
  env: { CONTAINERS_CONF?: string; XDG_CONFIG_HOME?: string; HOME?: string },
): EngineError | undefined {
  const user = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : undefined);
  const files = env.CONTAINERS_CONF ? [env.CONTAINERS_CONF] : [
    "/usr/share/containers/containers.conf",
    "/etc/containers/containers.conf",
    ...(user ? [`${user}/containers/containers.conf`] : []),
  ];
  let initPath = "/usr/libexec/podman/catatonit";
  for (const file of files) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    const match = /^\s*init_path\s*=\s*"([^"]*)"/m.exec(text);
    if (match) initPath = match[1];
  }
  try {
    Deno.statSync(initPath);
    return undefined;
  } catch {
    return new EngineError(
      `podman cannot start --init: its init binary ${JSON.stringify(initPath)} is missing`,
      "install catatonit (Debian: apt-get install catatonit), or set init: false (RUN_DOCKER_INIT=false)",
    );
  }
}
