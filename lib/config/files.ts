/**
 * Edge module: finds and reads the configuration files, lowest precedence
 * first: `/etc/run-docker/config.yaml`, then the user file
 * (`$RUN_DOCKER_CONFIG`, else `$XDG_CONFIG_HOME/run-docker/config.yaml`,
 * default `~/.config/run-docker/config.yaml`), then in dev mode the project
 * file `run-docker.yaml` at the root of the source tree.
 *
 * The YAML parser loads only when a file exists, RE2 only when a file has a
 * `tag_filter`.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import type { Assignment } from "./schema.ts";
import type { ConfigNode } from "./yaml.ts";

/** The system file, for production hosts. */
export const SYSTEM_CONFIG = "/etc/run-docker/config.yaml";
/** The project file's name, at the root of the source tree. */
export const PROJECT_CONFIG = "run-docker.yaml";

/**
 * The user file's path.
 *
 * @param env `RUN_DOCKER_CONFIG`, `XDG_CONFIG_HOME`.
 * @param home The home directory.
 */
export function userConfigPath(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  if (env.RUN_DOCKER_CONFIG) return env.RUN_DOCKER_CONFIG;
  const base = env.XDG_CONFIG_HOME || `${home}/.config`;
  return `${base}/run-docker/config.yaml`;
}

/**
 * Reads one config file into assignments.
 *
 * @param path Absolute path.
 * @param home For showing the path with `~`.
 * @param project `true` for a project file (`run-docker.yaml` of a source tree): only the keys
 *   of `PROJECT_KEYS` (lib/config/project.ts) may be set, as `checkProjectFile` says.
 * @returns `undefined` when the file does not exist (that is fine); else its assignments.
 * @throws {ConfigError} when it exists but cannot be read, is not valid configuration, or is a
 *   project file that sets what a project file may not.
 */
export async function readConfigFile(
  path: string,
  home: string,
  project = false,
): Promise<Assignment[] | undefined> {
  const shown = home && home !== "/" && path.startsWith(`${home}/`)
    ? `~${path.slice(home.length)}`
    : path;
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) {
      // A directory, a FIFO (which would block the read forever), a device: not a config file.
      throw new ConfigError(
        `${shown}: ${info.isDirectory ? "is a directory" : "not a regular file"}`,
        "remove it, or point RUN_DOCKER_CONFIG at a YAML file",
      );
    }
    if (info.size > 1024 * 1024) {
      throw new ConfigError(
        `${shown}: file larger than 1048576 bytes`,
        "a config file is a few lines of YAML",
      );
    }
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    throw new ConfigError(
      `cannot read ${shown}: ${reason}`,
      "fix its permissions, or move it away",
    );
  }
  const { parseConfigText } = await import("./yaml.ts");
  const { validateConfig } = await import("./schema.ts");
  const root = parseConfigText(text, shown);
  const checkFilter = hasKey(root, "tag_filter")
    ? await (await import("../tags.ts")).loadFilterCheck()
    : undefined;
  const assignments = validateConfig(root, shown, checkFilter);
  if (project) (await import("./project.ts")).checkProjectFile(root, shown);
  return assignments;
}

/** Whether a map anywhere in the tree has this key. */
function hasKey(node: ConfigNode, key: string): boolean {
  if (node.kind === "map") return node.entries.some((e) => e.key === key || hasKey(e.node, key));
  if (node.kind === "seq") return node.items.some((item) => hasKey(item, key));
  return false;
}
