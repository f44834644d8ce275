/**
 * Loading the configuration in tests: file access from a table in memory, so no test
 * reads the host's `/etc/run-docker/config.yaml` or the tester's own config file.
 *
 * @module
 */

import { parseRunRequest } from "../lib/core/cli.ts";
import type { ConfigFiles, ConfigLinkInfo } from "../lib/edge/config/files.ts";
import { type ConfigHost, loadBaseConfig, loadConfig } from "../lib/edge/config/load.ts";

/**
 * File access over a table: a path maps to a file's text, to `{ dir: true }` for a directory, or
 * to `{ link: path }` for a symbolic link. Every path asked about is recorded in `asked`.
 */
export function memoryFiles(
  table: Readonly<Record<string, string | { dir: true } | { link: string }>>,
): ConfigFiles & { asked: string[] } {
  const asked: string[] = [];
  const info = (path: string, follow: boolean, hops = 0): ConfigLinkInfo | undefined => {
    const entry = Object.hasOwn(table, path) ? table[path] : undefined;
    if (entry === undefined) return undefined;
    if (typeof entry === "string") {
      const size = new TextEncoder().encode(entry).length;
      return { isFile: true, isDirectory: false, isSymlink: false, size };
    }
    if ("dir" in entry) return { isFile: false, isDirectory: true, isSymlink: false, size: 4096 };
    if (follow && hops < 8) return info(entry.link, true, hops + 1);
    return { isFile: false, isDirectory: false, isSymlink: true, size: entry.link.length };
  };
  const resolve = (path: string, hops = 0): string => {
    const entry = Object.hasOwn(table, path) ? table[path] : undefined;
    return typeof entry === "object" && "link" in entry && hops < 8
      ? resolve(entry.link, hops + 1)
      : path;
  };
  return {
    asked,
    stat(path) {
      asked.push(path);
      return Promise.resolve(info(path, true));
    },
    lstat(path) {
      asked.push(path);
      return Promise.resolve(info(path, false));
    },
    readText(path) {
      const entry = table[resolve(path)];
      return typeof entry === "string"
        ? Promise.resolve(entry)
        : Promise.reject(new Error("is a directory"));
    },
  };
}

/** Both steps of loading: base layers, then the project file of `projectDir` and the options. */
export async function loadAll(argv: string[], host: ConfigHost, projectDir?: string) {
  return await loadConfig(parseRunRequest(argv), await loadBaseConfig(host), projectDir);
}
