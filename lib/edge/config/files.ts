/**
 * Edge module: finds and reads the configuration files, lowest precedence
 * first: `/etc/run-docker/config.yaml` (Windows: `%ProgramData%\run-docker\config.yaml`), then the user file
 * (`$RUN_DOCKER_CONFIG`, else `$XDG_CONFIG_HOME/run-docker/config.yaml`,
 * default `~/.config/run-docker/config.yaml`), then in dev mode the project
 * file `run-docker.yaml` at the root of the source tree.
 *
 * The YAML parser loads only when a file exists, RE2 only when a file has a
 * `tag_filter`.
 *
 * @module
 */

import { ioReason } from "../../core/errors.ts";
import { ConfigError } from "../../core/config/errors.ts";
import type { Assignment } from "../../core/config/schema.ts";
import { MAX_CONFIG_BYTES } from "../../core/config/values.ts";
import type { ConfigNode } from "../../core/config/yaml.ts";

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
  /** Whether the path is a regular file (after following links, for `stat`). */
  readonly isFile: boolean;
  /** Whether the path is a directory (after following links, for `stat`). */
  readonly isDirectory: boolean;
  /** Size in bytes. */
  readonly size: number;
}

/** What {@link ConfigFiles.lstat} tells about a path itself, not following a link. */
export interface ConfigLinkInfo extends ConfigFileInfo {
  /** Whether the path is a symbolic link (then `isFile` and `isDirectory` are `false`). */
  readonly isSymlink: boolean;
}

/** Which configuration file is read: it decides what it may set and what a hint says. */
export type ConfigFileRole = "system" | "user" | "project";

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
   * What is at a path itself, not following a symlink (for the project file, which must not
   * lead out of its repository).
   *
   * @returns `undefined` when nothing is there.
   * @throws {Error} when it cannot be looked at; the message says why (`permission denied`).
   */
  lstat(path: string): Promise<ConfigLinkInfo | undefined>;
  /**
   * The text of a file.
   *
   * @throws {Error} when it cannot be read; the message says why.
   */
  readText(path: string): Promise<string>;
}

/** What to do when a configuration path is a directory, a FIFO or a device. */
const NOT_A_FILE_HINTS: Record<ConfigFileRole, string> = {
  system: "replace it with a YAML file, or remove it",
  user: "remove it, or point RUN_DOCKER_CONFIG at a YAML file",
  project: `${PROJECT_CONFIG} in the source tree must be a YAML file: remove or rename it`,
};

/** Why a file operation failed, in a few words (never Deno's permission advice). */
function reason(error: unknown): string {
  return ioReason(error);
}

/** `Deno.stat` or `Deno.lstat` as a {@link ConfigLinkInfo}; `undefined` when nothing is there. */
async function look(
  path: string,
  how: (path: string) => Promise<Deno.FileInfo>,
): Promise<ConfigLinkInfo | undefined> {
  try {
    const info = await how(path);
    const { isFile, isDirectory, isSymlink, size } = info;
    return { isFile, isDirectory, isSymlink, size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(reason(error));
  }
}

/** The host's files, through `Deno.stat`, `Deno.lstat` and `Deno.readTextFile`. */
export const systemConfigFiles: ConfigFiles = {
  stat: (path) => look(path, Deno.stat),
  lstat: (path) => look(path, Deno.lstat),
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
 * @param role `project` for `run-docker.yaml` of a source tree: it must not be a symlink, and only
 *   the keys of `PROJECT_KEYS` (lib/config/project.ts) may be set, as `checkProjectFile` says.
 *   The role also picks the hint for a path that is not a file.
 * @param files File access; default {@link systemConfigFiles}.
 * @returns `undefined` when the file does not exist (that is fine); else its assignments.
 * @throws {ConfigError} when it exists but cannot be read, is not valid configuration, or is a
 *   project file that is a symlink or sets what a project file may not.
 */
export async function readConfigFile(
  path: string,
  home: string,
  role: ConfigFileRole,
  files: ConfigFiles = systemConfigFiles,
): Promise<Assignment[] | undefined> {
  const project = role === "project";
  const shown = home && home !== "/" && path.startsWith(`${home}/`)
    ? `~${path.slice(home.length)}`
    : path;
  let text: string;
  try {
    // A project file comes with the repository: a link in it could lead to any file of the host
    // (`run-docker.yaml -> /etc/shadow`), whose text would then be shown in messages.
    const info: (ConfigFileInfo & { isSymlink?: boolean }) | undefined = project
      ? await files.lstat(path)
      : await files.stat(path);
    if (info === undefined) return undefined;
    if (info.isSymlink) {
      throw new ConfigError(
        `${shown}: is a symbolic link; a project file must be a regular file in the source tree`,
        `replace ${PROJECT_CONFIG} with a copy of the file it points to, if you trust it`,
      );
    }
    if (!info.isFile) {
      // A directory, a FIFO (which would block the read forever), a device: not a config file.
      throw new ConfigError(
        `${shown}: ${info.isDirectory ? "is a directory" : "not a regular file"}`,
        NOT_A_FILE_HINTS[role],
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
  const { parseConfigText } = await import("../../core/config/yaml.ts");
  const { validateConfig } = await import("../../core/config/schema.ts");
  const root = parseConfigText(text, shown);
  // Before the general check, so that an unknown key gets a project file's own message.
  if (project) (await import("../../core/config/project.ts")).checkProjectFile(root, shown);
  const checkFilter = hasKey(root, "tag_filter")
    ? await (await import("../../core/tags.ts")).loadFilterCheck()
    : undefined;
  return validateConfig(root, shown, checkFilter);
}

/** Whether a map anywhere in the tree has this key. */
function hasKey(node: ConfigNode, key: string): boolean {
  if (node.kind === "map") return node.entries.some((e) => e.key === key || hasKey(e.node, key));
  if (node.kind === "seq") return node.items.some((item) => hasKey(item, key));
  return false;
}
