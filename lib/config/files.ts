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

import { ioReason } from "../errors.ts";
import { ConfigError } from "./errors.ts";
import type { Assignment } from "./schema.ts";
import { MAX_CONFIG_BYTES } from "./values.ts";
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

/** What {@link ConfigFiles.stat} tells about a path. */
export interface ConfigFileInfo {
  /** Whether the path is a regular file (after following links). */
  readonly isFile: boolean;
  /** Whether the path is a directory (after following links). */
  readonly isDirectory: boolean;
  /** Size in bytes. */
  readonly size: number;
}

/**
 * File access for reading configuration, injected so tests never read the host's
 * `/etc/run-docker/config.yaml`. {@link systemConfigFiles} is the real one.
 */
export interface ConfigFiles {
  /**
   * What is at a path, following symlinks.
   *
   * @returns `undefined` when nothing is there.
   * @throws {Error} when it cannot be looked at; the message says why (`permission denied`).
   */
  stat(path: string): Promise<ConfigFileInfo | undefined>;
  /**
   * The text of a file.
   *
   * @throws {Error} when it cannot be read; the message says why.
   */
  readText(path: string): Promise<string>;
}

/** Why a file operation failed, in a few words (never Deno's permission advice). */
function reason(error: unknown): string {
  return ioReason(error);
}

/** The host's files, through `Deno.stat` and `Deno.readTextFile`. */
export const systemConfigFiles: ConfigFiles = {
  async stat(path) {
    try {
      const info = await Deno.stat(path);
      return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw new Error(reason(error));
    }
  },
  async readText(path) {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new Error(reason(error));
    }
  },
};

/**
 * Reads one config file into assignments.
 *
 * @param path Absolute path.
 * @param home For showing the path with `~`.
 * @param project `true` for a project file (`run-docker.yaml` of a source tree): only the keys
 *   of `PROJECT_KEYS` (lib/config/project.ts) may be set, as `checkProjectFile` says.
 * @param files File access; default {@link systemConfigFiles}.
 * @returns `undefined` when the file does not exist (that is fine); else its assignments.
 * @throws {ConfigError} when it exists but cannot be read, is not valid configuration, or is a
 *   project file that sets what a project file may not.
 */
export async function readConfigFile(
  path: string,
  home: string,
  project = false,
  files: ConfigFiles = systemConfigFiles,
): Promise<Assignment[] | undefined> {
  const shown = home && home !== "/" && path.startsWith(`${home}/`)
    ? `~${path.slice(home.length)}`
    : path;
  let text: string;
  try {
    const info = await files.stat(path);
    if (info === undefined) return undefined;
    if (!info.isFile) {
      // A directory, a FIFO (which would block the read forever), a device: not a config file.
      throw new ConfigError(
        `${shown}: ${info.isDirectory ? "is a directory" : "not a regular file"}`,
        "remove it, or point RUN_DOCKER_CONFIG at a YAML file",
      );
    }
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        `${shown}: file larger than ${MAX_CONFIG_BYTES} bytes`,
        "a config file is a few lines of YAML",
      );
    }
    text = await files.readText(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `cannot read ${shown}: ${(error as Error).message}`,
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
