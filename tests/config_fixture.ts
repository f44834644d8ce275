/**
 * Loading the configuration in tests: file access from a table in memory, so no test
 * reads the host's `/etc/run-docker/config.yaml` or the tester's own config file.
 *
 * @module
 */

import { parseRunRequest } from "../lib/core/cli.ts";
import type { ConfigFiles } from "../lib/edge/config/files.ts";
import { type ConfigHost, loadBaseConfig, loadConfig } from "../lib/edge/config/load.ts";

/**
 * File access over a table: a path maps to a file's text, or to `{ dir: true }` for a directory.
 * Every path asked about is recorded in `asked`.
 */
export function memoryFiles(
  table: Readonly<Record<string, string | { dir: true }>>,
): ConfigFiles & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    stat(path) {
      asked.push(path);
      const entry = Object.hasOwn(table, path) ? table[path] : undefined;
      if (entry === undefined) return Promise.resolve(undefined);
      return Promise.resolve(
        typeof entry === "string"
          ? { isFile: true, isDirectory: false, size: new TextEncoder().encode(entry).length }
          : { isFile: false, isDirectory: true, size: 4096 },
      );
    },
    readText(path) {
      const entry = table[path];
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
