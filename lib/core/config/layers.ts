/**
 * The environment and command-line layers of the configuration, and the
 * `--print-config` output.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import type { RunRequest } from "../cli.ts";
import { givenValues } from "../request.ts";
import { distance } from "fastest-levenshtein";
import { parseBool } from "../grammar.ts";
import { escapeControls } from "../printable.ts";
import { ConfigError } from "./errors.ts";
import { PASSED_VALUE, SET_VALUE, SHOWN_DEFAULTS } from "./config_json.ts";
import {
  type Assignment,
  type Config,
  ENV_KEYS,
  KEY_KINDS,
  type Provenance,
  scalar,
  showPath,
} from "./schema.ts";
import { NO_UPDATE_CHECK } from "../update_notice.ts";

/**
 * The environment layer: `RUN_DOCKER_<KEY>` for every scalar key (`RUN_DOCKER_WORKDIR`,
 * `RUN_DOCKER_ENGINE`, `RUN_DOCKER_MEMORY=8g`, `RUN_DOCKER_INIT=false`), the deprecated
 * {@link DEPRECATED_VARIABLES} when their new name is not set, and
 * `RUN_DOCKER_INSECURE_REGISTRIES=host[:port],…` as `registries.<host>.insecure: true`.
 *
 * @param env The process environment.
 * @returns Assignments with provenance `env NAME`.
 * @throws {ConfigError} `RUN_DOCKER_X: …` for a bad value.
 */
export function envAssignments(env: Readonly<Record<string, string | undefined>>): Assignment[] {
  const out: Assignment[] = [];
  const add = (name: string, key: string) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return;
    const kind = KEY_KINDS[key] as Parameters<typeof scalar>[1];
    const value = kind === "bool" ? parseEnvBool(name, raw) : raw;
    const node = { kind: "scalar" as const, value, line: 0, col: 0 };
    const parsed = scalar(node, kind, [key], (_n, problem) => {
      throw new ConfigError(
        `${name}: ${problem}`,
        `unset ${name} or fix its value`,
      );
    });
    out.push({ path: [key], value: parsed, where: `env ${name}` });
  };
  for (const key of ENV_KEYS) add(`RUN_DOCKER_${key.toUpperCase()}`, key);
  for (const [old, key] of Object.entries(DEPRECATED_VARIABLES)) {
    if (!env[`RUN_DOCKER_${key.toUpperCase()}`]) add(old, key);
  }
  for (const host of (env.RUN_DOCKER_INSECURE_REGISTRIES ?? "").split(",")) {
    if (host.trim() === "") continue;
    out.push({
      path: ["registries", host.trim(), "insecure"],
      value: true,
      where: "env RUN_DOCKER_INSECURE_REGISTRIES",
    });
  }
  return out;
}

/** Old names of configuration variables, still read (with a warning): name → key. */
export const DEPRECATED_VARIABLES: Readonly<Record<string, string>> = {
  RUN_DOCKER_DOCKER: "engine",
};

/** RUN_DOCKER_* variables that are not configuration keys but are still run-docker's. */
const OTHER_VARIABLES = [
  "RUN_DOCKER_CONFIG",
  ...Object.keys(DEPRECATED_VARIABLES),
  "RUN_DOCKER_INSECURE_REGISTRIES",
  "RUN_DOCKER_DOWNLOAD_URL",
  "RUN_DOCKER_VERSION",
  "RUN_DOCKER_INSTALL_DIR",
  "RUN_DOCKER_BIN",
  NO_UPDATE_CHECK,
];
/** The test suite's own variables: never warned about, never suggested to a user. */
const TEST_VARIABLES = ["RUN_DOCKER_E2E", "RUN_DOCKER_TEST_ENGINE", "RUN_DOCKER_TEST_TCP_HOST"];

/**
 * `RUN_DOCKER_*` variables run-docker does not know, each with a did-you-mean when one is close:
 * a misspelled variable would otherwise be ignored without a word.
 *
 * @param env The process environment.
 * @returns One warning line per unknown variable.
 */
export function unknownVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = [...ENV_KEYS.map((k) => `RUN_DOCKER_${k.toUpperCase()}`), ...OTHER_VARIABLES];
  return Object.keys(env).filter((name) =>
    name.startsWith("RUN_DOCKER_") && !known.includes(name) && !TEST_VARIABLES.includes(name)
  )
    .map(
      (name) => {
        const guess = known.reduce(
          (best, k) => (distance(name, k) < distance(name, best) ? k : best),
          known[0],
        );
        // As close as a did-you-mean for a config key: the names share RUN_DOCKER_.
        const words = name.length - "RUN_DOCKER_".length;
        const near = distance(name, guess) <= Math.max(2, Math.floor(words / 3))
          ? ` (did you mean ${guess}?)`
          : "";
        return `unknown variable ${name} is ignored${near}`;
      },
    );
}

/**
 * The warnings about `RUN_DOCKER_*` variables that every run (and `--print-config`) gives:
 * a deprecated name in use, then each unknown variable (see {@link unknownVariables}).
 *
 * @param env The process environment.
 * @returns One warning line each, without the `run-docker: warning: ` prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { variableWarnings } from "./layers.ts";
 * assert.deepEqual(variableWarnings({ RUN_DOCKER_DOCKER: "podman" }), [
 *   "RUN_DOCKER_DOCKER is deprecated: set RUN_DOCKER_ENGINE (the engine key) instead",
 * ]);
 * ```
 */
export function variableWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  const deprecated = Object.entries(DEPRECATED_VARIABLES).filter(([old]) => env[old] !== undefined)
    .map(([old, key]) => {
      const name = `RUN_DOCKER_${key.toUpperCase()}`;
      return env[name]
        ? `${old} is ignored: ${name} is set (and ${old} is deprecated)`
        : `${old} is deprecated: set ${name} (the ${key} key) instead`;
    });
  return [...deprecated, ...unknownVariables(env)];
}

/** A boolean variable reads as docker reads a boolean (`1`, `true`, `0`, `false`, …). */
function parseEnvBool(name: string, raw: string): boolean {
  const parsed = parseBool(raw);
  if (parsed !== undefined) return parsed;
  throw new ConfigError(
    `${name}: expected true or false, got ${JSON.stringify(raw)}`,
    `unset ${name} or fix its value`,
  );
}

/**
 * The command-line layer: run-docker options that are also configuration keys.
 *
 * @param request The parsed command line.
 * @returns Assignments with provenance `option --x`.
 */
export function optionAssignments(request: RunRequest): Assignment[] {
  const out: Assignment[] = [];
  const last = (long: string) => givenValues(request, long).at(-1);
  const memory = last("memory");
  if (memory !== undefined) out.push({ path: ["memory"], value: memory, where: "option --memory" });
  const shm = last("shm-size");
  if (shm !== undefined) out.push({ path: ["shm_size"], value: shm, where: "option --shm-size" });
  const user = last("user");
  if (request.own.root) out.push({ path: ["user"], value: "root", where: "option --root" });
  else if (user !== undefined) out.push({ path: ["user"], value: user, where: "option --user" });
  if (request.own.notebookPort !== undefined) {
    out.push({
      path: ["notebook_port"],
      value: Number(request.own.notebookPort),
      where: "option --notebook-port",
    });
  }
  return out;
}

/**
 * The effective configuration as YAML, each value commented with where it came from. Values
 * under `env` are shown as `<set>` or `<passed from the host>` (null), never as they are.
 *
 * @param config The merged configuration.
 * @param provenance From `mergeConfig`.
 * @param files The files that were read, for a header.
 * @returns YAML text ending with a newline.
 */
export function formatConfig(
  config: Config,
  provenance: Provenance,
  files: readonly string[],
): string {
  const q = (v: unknown) => (v === null ? "null" : typeof v === "string" ? quote(v) : String(v));
  // An env value can be a secret: shown as whether it is set, never as it is.
  const secret = (v: unknown) => (v === null ? PASSED_VALUE : SET_VALUE);
  const from = (path: string) => `  # ${provenance.get(path) ?? "default"}`;
  const lines = [
    `# run-docker effective configuration; files read: ${files.length ? files.join(", ") : "none"}`,
  ];
  for (const key of Object.keys(KEY_KINDS)) {
    const value = (config as unknown as Record<string, unknown>)[key];
    const kind = KEY_KINDS[key];
    if (kind === "list") {
      const list = value as string[];
      lines.push(list.length ? `${key}:` : `${key}: []${from(key)}`);
      list.forEach((item, i) => lines.push(`  - ${q(item)}${from(`${key}[${i}]`)}`));
    } else if (["env", "registries", "images", "kubernetes"].includes(kind)) {
      const map = value as Record<string, unknown>;
      if (Object.keys(map).length === 0) {
        lines.push(`${key}: {}${from(key)}`);
        continue;
      }
      lines.push(`${key}:`);
      for (const [k, v] of Object.entries(map)) {
        if (v !== null && typeof v === "object") {
          lines.push(`  ${quote(k)}:`);
          for (const [f, fv] of Object.entries(v as Record<string, unknown>)) {
            if (fv !== null && typeof fv === "object" && !Array.isArray(fv)) {
              lines.push(`    ${f}:`);
              const show = f === "env" ? secret : q;
              for (const [ek, ev] of Object.entries(fv)) {
                lines.push(`      ${ek}: ${show(ev)}${from(showPath([key, k, f, ek]))}`);
              }
            } else {
              lines.push(
                `    ${f}: ${Array.isArray(fv) ? escapeControls(JSON.stringify(fv)) : q(fv)}${
                  from(showPath([key, k, f]))
                }`,
              );
            }
          }
        } else {
          lines.push(`  ${k}: ${(key === "env" ? secret : q)(v)}${from(showPath([key, k]))}`);
        }
      }
    } else if (value !== undefined) {
      lines.push(`${key}: ${q(value)}${from(key)}`);
    } else if (Object.hasOwn(SHOWN_DEFAULTS, key)) {
      lines.push(`${key}: ${q(SHOWN_DEFAULTS[key])}${from(key)}`);
    }
  }
  return lines.join("\n") + "\n";
}

function quote(text: string): string {
  const plain = /^[A-Za-z_./@][A-Za-z0-9_./@+-]*$/.test(text) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(text);
  return plain ? text : escapeControls(JSON.stringify(text));
}
