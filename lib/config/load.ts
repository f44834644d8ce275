/**
 * Edge module: the whole configuration for one run, layer by layer:
 * defaults, system file, user file, project file (dev mode only),
 * environment, command line.
 *
 * @module
 */

import type { RunRequest } from "../cli.ts";
import { PROJECT_CONFIG, readConfigFile, SYSTEM_CONFIG, userConfigPath } from "./files.ts";
import { envAssignments, optionAssignments } from "./layers.ts";
import { type Assignment, type Config, mergeConfig, type Provenance } from "./schema.ts";
import { ConfigError } from "./errors.ts";
import { expandPath } from "./settings.ts";

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
 * Loads the configuration.
 *
 * @param request The parsed command line.
 * @param host `home` and the environment.
 * @param projectDir A function from the work root to the source tree when dev mode is on
 *   (its `run-docker.yaml` is read), or `undefined` in prod mode.
 * @throws {ConfigError} for any problem in a file or variable (file:line:col, key path, expectation).
 */
export async function loadConfig(
  request: RunRequest,
  host: { home: string; env: Readonly<Record<string, string | undefined>> },
  projectDir: (workRoot: string) => string | undefined,
): Promise<LoadedConfig> {
  const files: string[] = [];
  const read = async (path: string, project = false) => {
    const assignments = await readConfigFile(path, host.home, project);
    if (assignments !== undefined) files.push(path);
    return assignments ?? [];
  };
  const system = await read(SYSTEM_CONFIG);
  const userPath = userConfigPath(host.env, host.home);
  const user = await read(userPath);
  if (host.env.RUN_DOCKER_CONFIG && !files.includes(userPath)) {
    // A file you named must be there; only the default places may be empty.
    throw new ConfigError(
      `RUN_DOCKER_CONFIG names ${JSON.stringify(host.env.RUN_DOCKER_CONFIG)}, which does not exist`,
      "fix the path (a ~ inside quotes is not expanded by the shell), or unset RUN_DOCKER_CONFIG",
    );
  }
  const env = envAssignments(host.env);
  const options = optionAssignments(request);
  const workRootOf = (layers: Assignment[][]) => {
    const { config, provenance } = mergeConfig(layers);
    if (!config.workdir) return `${host.home}/work`;
    const root = expandPath(config.workdir, host.home, host.env);
    if (!root.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(root)) {
      throw new ConfigError(
        `${
          provenance.get("workdir")
        }: workdir must be an absolute path (after ~ and \${VAR}), got ${JSON.stringify(root)}`,
        "write it as /path, ~/path or ${VAR}/path",
      );
    }
    return root;
  };
  // A project file cannot set workdir, so the work root is known before it is read.
  const workRoot = workRootOf([system, user, env]);
  const project = projectDir(workRoot);
  // A project file may set only what cannot reach the host (lib/config/project.ts).
  const projectLayer = project === undefined
    ? []
    : await read(`${project}/${PROJECT_CONFIG}`, true);
  const layers = [system, user, projectLayer, env, options];
  const { config, provenance } = mergeConfig(layers);
  if (config.engine) config.engine = expandPath(config.engine, host.home, host.env);
  // A volume's host side is a path too: `~/cache:/home/docker-user/.cache`.
  config.volumes = config.volumes.map((volume) => {
    const colon = volume.indexOf(":");
    const source = colon === -1 ? volume : volume.slice(0, colon);
    if (!source.startsWith("~") && !source.includes("${")) return volume;
    return expandPath(source, host.home, host.env) + (colon === -1 ? "" : volume.slice(colon));
  });
  return { config, provenance, files, workRoot };
}
