/**
 * Edge module: the whole configuration for one run, layer by layer:
 * defaults, system file, user file, project file (dev mode only),
 * environment, command line.
 *
 * In two steps, with no call back to the caller: {@link loadBaseConfig} reads
 * the system and user files and the environment, which fix the work root;
 * the caller works out the layout from it and looks whether the source tree
 * exists (dev mode); {@link loadConfig} then adds that tree's project file
 * and the command line.
 *
 * @module
 */

import type { RunRequest } from "../../core/cli.ts";
import { expandPath } from "../../core/expand_path.ts";
import { workRootOf } from "../../core/layout.ts";
import {
  type ConfigFiles,
  PROJECT_CONFIG,
  readConfigFile,
  systemConfigFiles,
  userConfigPath,
} from "./files.ts";
import { envAssignments, optionAssignments } from "../../core/config/layers.ts";
import {
  type Assignment,
  type Config,
  mergeConfig,
  type Provenance,
} from "../../core/config/schema.ts";
import { ConfigError } from "../../core/config/errors.ts";
import { isWindowsAbsolute, systemConfigFile } from "../../core/platform_paths.ts";

/** What loading the configuration reads. */
export interface ConfigHost {
  /** The home directory, absolute. */
  readonly home: string;
  /** The whole environment: `RUN_DOCKER_*`, `XDG_CONFIG_HOME`, and any `${VAR}` a path names. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** File access; default the host's files. */
  readonly files?: ConfigFiles;
  /** `Deno.build.os`: where the system file is, how `~\` expands; default this host's. */
  readonly os?: string;
}

/** The layers that do not depend on dev mode, and the work root they fix. */
export interface BaseConfig {
  /** The home directory and environment the layers were read with. */
  readonly host: ConfigHost;
  /** Assignments of the system file (`/etc/run-docker/config.yaml`; see `systemConfigFile`). */
  readonly system: readonly Assignment[];
  /** Assignments of the user file, in file order. */
  readonly user: readonly Assignment[];
  /** Assignments of the `RUN_DOCKER_*` environment variables. */
  readonly env: readonly Assignment[];
  /** The files that were read, as shown in messages. */
  readonly files: readonly string[];
  /** The host work root (`workdir`, expanded), absolute. A project file cannot set it. */
  readonly workRoot: string;
}

/** The configuration of a run and where it came from. */
export interface LoadedConfig {
  /** The merged configuration, defaults filled in. */
  readonly config: Config;
  /** Where each set value came from, by dotted key path. */
  readonly provenance: Provenance;
  /** The files that were read, as shown in messages. */
  readonly files: string[];
  /** The host work root (`workdir`, expanded), absolute. */
  readonly workRoot: string;
}

/**
 * Reads the system file, the user file and the environment, and works out the work root.
 *
 * @param host `home`, the environment, and file access.
 * @returns The layers and the work root, for {@link loadConfig}.
 * @throws {ConfigError} for any problem in a file or variable (file:line:col, key path,
 *   expectation), a `RUN_DOCKER_CONFIG` naming no file, or a relative `workdir`.
 */
export async function loadBaseConfig(host: ConfigHost): Promise<BaseConfig> {
  const fileAccess = host.files ?? systemConfigFiles;
  const files: string[] = [];
  const read = async (path: string, role: "system" | "user") => {
    const assignments = await readConfigFile(path, host.home, role, fileAccess);
    if (assignments !== undefined) files.push(path);
    return assignments ?? [];
  };
  // Windows: under %ProgramData%, never `/etc/…` (a folder on the current drive any user may make).
  const systemPath = systemConfigFile({ os: host.os ?? Deno.build.os, env: host.env });
  const system = systemPath === undefined ? [] : await read(systemPath, "system");
  const userPath = userConfigPath(host.env, host.home);
  const user = await read(userPath, "user");
  if (host.env.RUN_DOCKER_CONFIG && !files.includes(userPath)) {
    // A file you named must be there; only the default places may be empty.
    throw new ConfigError(
      `RUN_DOCKER_CONFIG names ${JSON.stringify(host.env.RUN_DOCKER_CONFIG)}, which does not exist`,
      "fix the path (a ~ inside quotes is not expanded by the shell), or unset RUN_DOCKER_CONFIG",
    );
  }
  const env = envAssignments(host.env);
  const { config, provenance } = mergeConfig([system, user, env]);
  const os = host.os ?? Deno.build.os;
  const workRoot = workRootOf(config.workdir, host.home, host.env, os);
  // Absolute: `/…`, `C:\…`, or a UNC `\\server\share\…`.
  if (config.workdir && !workRoot.startsWith("/") && !isWindowsAbsolute(workRoot)) {
    throw new ConfigError(
      `${provenance.get("workdir")}: workdir must be an absolute path (after ~ and \${VAR}), got ${
        JSON.stringify(workRoot)
      }`,
      "write it as /path, ~/path or ${VAR}/path",
    );
  }
  return { host, system, user, env, files, workRoot };
}

/**
 * Completes the configuration: the project file of the source tree (dev mode) and the
 * command line on top of {@link loadBaseConfig}'s layers; paths expanded.
 *
 * @param request The parsed command line.
 * @param base From {@link loadBaseConfig}.
 * @param projectDir The source tree in dev mode (its `run-docker.yaml` is read, when there);
 *   `undefined` in prod mode.
 * @returns The merged configuration.
 * @throws {ConfigError} for any problem in the project file (file:line:col, key path, why a
 *   project file may not set it) or an unset `${VAR}` in a path.
 */
export async function loadConfig(
  request: RunRequest,
  base: BaseConfig,
  projectDir?: string,
): Promise<LoadedConfig> {
  const { host } = base;
  const files = [...base.files];
  let project: readonly Assignment[] = [];
  if (projectDir !== undefined) {
    // A project file may set only what cannot reach the host (lib/config/project.ts).
    const path = `${projectDir}/${PROJECT_CONFIG}`;
    const read = await readConfigFile(path, host.home, "project", host.files ?? systemConfigFiles);
    if (read !== undefined) files.push(path);
    project = read ?? [];
  }
  const options = optionAssignments(request);
  const { config, provenance } = mergeConfig([base.system, base.user, project, base.env, options]);
  const os = host.os ?? Deno.build.os;
  if (config.engine) config.engine = expandPath(config.engine, host.home, host.env, os);
  // A volume's host side is a path too: `~/cache:/home/docker-user/.cache`.
  config.volumes = config.volumes.map((volume) => {
    const colon = volume.indexOf(":");
    const source = colon === -1 ? volume : volume.slice(0, colon);
    if (!source.startsWith("~") && !source.includes("${")) return volume;
    return expandPath(source, host.home, host.env, os) + (colon === -1 ? "" : volume.slice(colon));
  });
  return { config, provenance, files, workRoot: base.workRoot };
}
