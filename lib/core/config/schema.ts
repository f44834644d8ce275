/**
 * The configuration keys, their validation, and merging with provenance.
 *
 * A layer (a file, the environment, the command line) becomes a list of
 * {@link Assignment}s; {@link mergeConfig} applies them in order: maps merge
 * by key, lists append, scalars replace; each value remembers where it came from.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import picomatch from "picomatch";
import { ConfigError } from "./errors.ts";
import type { ConfigNode } from "./yaml.ts";
import type { TagOrder } from "../tags.ts";
import { didYouMean, keyPath, keyText, type Kind, scalar, showPath } from "./values.ts";

export { didYouMean, scalar, showPath };

/** Per-registry settings. */
export interface RegistrySettings {
  /** Plain http (and no certificate check) allowed for this registry's tag lookup. */
  insecure?: boolean;
  /** Seconds the tag lookup may take before run-docker falls back to the local image. */
  timeout_seconds?: number;
  /** Registry host (`host[:port]`) asked for tags instead of this one. */
  mirror?: string;
}

/** Settings for images whose familiar name matches a glob. */
export interface ImageRule {
  /** Only tags matching this regular expression (RE2 syntax); `(?<version>…)` is compared. */
  tag_filter?: string;
  /** How tags order when none is given. */
  tag_order?: TagOrder;
  /** Only tags in this npm semver range (`^1.2`). */
  tag_range?: string;
  /** The container command when none follows IMAGE, as argv tokens. */
  command?: string[];
  /** Variables for the container: a string is the value, `null` passes the host's by name. */
  env?: Record<string, string | null>;
  /** docker's `--gpus` value, e.g. `all`. */
  gpus?: string;
  /** Memory limit in docker's size syntax (`12g`, `512m`). */
  memory?: string;
  /** `none`: the images are local only; no registry lookup, no warning (as `--local` does). */
  registry?: "none";
}

/** What `--emit kubernetes` mounts as data and log: PersistentVolumeClaim names. */
export interface KubernetesSettings {
  /** PersistentVolumeClaim mounted as `DATADIR`; absent: an `emptyDir`. */
  data_claim?: string;
  /** PersistentVolumeClaim mounted as `LOGDIR`; absent: an `emptyDir`. */
  log_claim?: string;
}

/** The effective configuration. */
export interface Config {
  /** Host work root holding `src/`, `data/`, `log/` as written (`~`, `${VAR}`); absent: `~/work`. */
  workdir?: string;
  /** Absolute container path of the container user's home; src, data and log go under it. */
  container_home: string;
  /** `auto` (see `lib/core/user.ts`), `docker-user`, `root`, `host`, a user name or `uid[:gid]`. */
  user: string;
  /** Memory limit in docker's size syntax (`12g`). */
  memory: string;
  /** Size of `/dev/shm` in docker's size syntax (`4g`). */
  shm_size: string;
  /** `TZ` in the container: `host` (the host's zone) or an IANA name. */
  timezone: string;
  /** Host port (1–65535) the `notebook` command is published on. */
  notebook_port: number;
  /** Host address the notebook port is published on (`127.0.0.1`). */
  notebook_bind: string;
  /** Whether to add `--init`. */
  init: boolean;
  /**
   * docker's `--gpus` value, e.g. `all`; `auto` (the default): `all` when `nvidia-smi` is on
   * PATH and the engine has an nvidia runtime, none otherwise (see `decideGpus`); absent: none.
   */
  gpus?: string;
  /** Variables for the container: a string is the value, `null` passes the host's by name. */
  env: Record<string, string | null>;
  /** Extra `--volume` values (`host:container[:opts]`; the host side may use `~`, `${VAR}`). */
  volumes: string[];
  /** Extra `--publish` values (`[ip:]host:container[/proto]`). */
  ports: string[];
  /** Extra raw `docker run` options (tokens), placed before the command line's. */
  docker_args: string[];
  /** Path of a docker-compatible CLI as written; absent: `docker` from PATH. */
  engine?: string;
  /**
   * Relabel run-docker's own bind mounts (src, data, log) with SELinux's shared label:
   * `auto` when the engine reports SELinux, `true` always, `false` never.
   */
  selinux: "auto" | boolean;
  /** Settings per registry host (`host[:port]`). */
  registries: Record<string, RegistrySettings>;
  /** Settings per glob on the repository's familiar name (`zppz/*`). */
  images: Record<string, ImageRule>;
  /** What `--emit kubernetes` mounts as data and log. */
  kubernetes: KubernetesSettings;
}

/** Built-in defaults. */
export const DEFAULT_CONFIG: Config = {
  container_home: "/home/docker-user",
  user: "auto",
  memory: "12g",
  shm_size: "4g",
  timezone: "host",
  notebook_port: 8888,
  notebook_bind: "127.0.0.1",
  init: true,
  gpus: "auto",
  env: {},
  volumes: [],
  ports: [],
  docker_args: [],
  registries: {},
  images: {},
  kubernetes: {},
  selinux: "auto",
};

/** One value set by a layer. `path` is the key path; `where` the provenance. */
export interface Assignment {
  /** The key path, e.g. `["images", "zppz/*", "memory"]`. */
  readonly path: readonly string[];
  /** The value as the layer gave it (parsed YAML, or the string of a variable or option). */
  readonly value: unknown;
  /** Where it was set, as shown: `<file>:<line>`, `env RUN_DOCKER_MEMORY`, `option --memory`. */
  readonly where: string;
}

/** Top-level keys and their kinds; `registries` and `images` are maps of maps. */
export const KEY_KINDS: Record<string, Kind | "registries" | "images" | "kubernetes"> = {
  workdir: "path",
  container_home: "abs-path",
  user: "user",
  memory: "size",
  shm_size: "size",
  timezone: "timezone",
  notebook_port: "port",
  notebook_bind: "address",
  init: "bool",
  gpus: "string",
  env: "env",
  volumes: "list",
  ports: "list",
  docker_args: "list",
  engine: "path",
  selinux: "auto-bool",
  registries: "registries",
  images: "images",
  kubernetes: "kubernetes",
};
/** Fields of a `registries` entry and their kinds. */
export const REGISTRY_KINDS: Record<string, Kind> = {
  insecure: "bool",
  timeout_seconds: "positive",
  mirror: "string",
};
/** Fields of an `images` rule and their kinds. */
export const IMAGE_KINDS: Record<string, Kind> = {
  tag_filter: "regex",
  tag_order: "order",
  tag_range: "string",
  command: "command",
  env: "env",
  gpus: "string",
  memory: "size",
  registry: "registry",
};
/** Fields of an `images` rule. */
export const IMAGE_KEYS: readonly string[] = Object.keys(IMAGE_KINDS);
/** Fields of `kubernetes`: PersistentVolumeClaim names. */
export const KUBERNETES_KEYS: readonly string[] = ["data_claim", "log_claim"];
/** A PersistentVolumeClaim's name: a DNS subdomain (RFC 1123), at most 253 characters. */
const CLAIM = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Scalar keys settable as `RUN_DOCKER_<KEY>`. */
export const ENV_KEYS: string[] = Object.entries(KEY_KINDS).filter(([, k]) =>
  !["env", "list", "registries", "images", "kubernetes"].includes(k)
)
  .map(([key]) => key);

/** A table lookup that ignores inherited names (`toString`, `constructor`). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Turns a parsed file into assignments, checking every key and value.
 *
 * @param root The file's root node.
 * @param file The path shown in messages.
 * @param checkFilter Why a `tag_filter` pattern is refused, or `undefined` when it is fine
 *   (`loadFilterCheck` of `lib/tags.ts`: RE2's rules); without it, JavaScript's syntax is checked.
 * @returns The assignments in file order.
 * @throws {ConfigError} `<file>:<line>:<col>: <problem>` for an unknown key (with a
 *   did-you-mean), a wrong type, a bad size, glob or regex. Values under `env` are never echoed.
 */
export function validateConfig(
  root: ConfigNode,
  file: string,
  checkFilter?: (pattern: string) => string | undefined,
): Assignment[] {
  const out: Assignment[] = [];
  const fail = (
    node: { line: number; col: number },
    message: string,
    hint = "see the keys in README.md",
  ): never => {
    throw new ConfigError(`${file}:${node.line}:${node.col}: ${message}`, hint);
  };
  /** Reports a value's problem at its node, named by its key path. */
  const failAt =
    (path: readonly string[]) => (node: { line: number; col: number }, problem: string) =>
      fail(node, `${keyPath(path)}: ${problem}`);
  if (root.kind !== "map") fail(root, "the file must be a map of keys (key: value)");
  const mapEntries = (node: ConfigNode, path: string[]) => {
    if (node.kind !== "map") fail(node, `${keyPath(path)}: expected a map`);
    return (node as Extract<ConfigNode, { kind: "map" }>).entries;
  };
  const unknown = (
    entry: { key: string; line: number; col: number },
    path: string[],
    known: string[],
  ): never => {
    return fail(
      entry,
      `unknown key ${keyText(entry.key)}${path.length ? ` in ${keyPath(path)}` : ""}${
        didYouMean(entry.key, known)
      }`,
      `known keys${path.length ? ` under ${keyPath(path)}` : ""}: ${known.join(", ")}`,
    );
  };

  for (const entry of (root as Extract<ConfigNode, { kind: "map" }>).entries) {
    const kind = own(KEY_KINDS, entry.key);
    if (kind === undefined) return unknown(entry, [], Object.keys(KEY_KINDS));
    const path = [entry.key];
    if (kind === "registries") {
      for (const host of mapEntries(entry.node, path)) {
        for (const field of mapEntries(host.node, [...path, host.key])) {
          const fieldKind = own(REGISTRY_KINDS, field.key);
          if (fieldKind === undefined) {
            return unknown(field, [...path, host.key], Object.keys(REGISTRY_KINDS));
          }
          const p = [...path, host.key, field.key];
          out.push({
            path: p,
            value: scalar(field.node, fieldKind, p, failAt(p)),
            where: `${file}:${field.line}`,
          });
        }
      }
    } else if (kind === "images") {
      for (const glob of mapEntries(entry.node, path)) {
        try {
          picomatch.makeRe(glob.key, { strictBrackets: true });
        } catch (error) {
          fail(glob, `images: bad glob ${keyText(glob.key)}: ${(error as Error).message}`);
        }
        for (const field of mapEntries(glob.node, [...path, glob.key])) {
          const fieldKind = own(IMAGE_KINDS, field.key);
          if (fieldKind === undefined) {
            return unknown(field, [...path, glob.key], Object.keys(IMAGE_KINDS));
          }
          const p = [...path, glob.key, field.key];
          if (fieldKind === "env") {
            for (const v of envEntries(field.node, p, fail)) {
              out.push({ ...v, where: `${file}:${v.line}` });
            }
          } else {
            const value = scalar(field.node, fieldKind, p, failAt(p));
            const problem = fieldKind === "regex"
              ? (checkFilter ?? jsRegexProblem)(value as string)
              : undefined;
            if (problem !== undefined) {
              fail(
                field.node,
                `${keyPath(p)}: ${problem}`,
                "fix the pattern (see Tag policy in README.md)",
              );
            }
            out.push({ path: p, value, where: `${file}:${field.line}` });
          }
        }
      }
    } else if (kind === "kubernetes") {
      for (const field of mapEntries(entry.node, path)) {
        if (!KUBERNETES_KEYS.includes(field.key)) return unknown(field, path, [...KUBERNETES_KEYS]);
        const p = [...path, field.key];
        const value = scalar(field.node, "string", p, fail) as string;
        if (!CLAIM.test(value)) {
          fail(
            field.node,
            `${keyPath(p)}: ${JSON.stringify(value)} is not a PersistentVolumeClaim name`,
            "a claim name is lowercase letters, digits, - and ., e.g. team-data",
          );
        }
        out.push({ path: p, value, where: `${file}:${field.line}` });
      }
    } else if (kind === "env") {
      for (const v of envEntries(entry.node, path, fail)) {
        out.push({ ...v, where: `${file}:${v.line}` });
      }
    } else if (kind === "list") {
      if (entry.node.kind !== "seq") fail(entry.node, `${entry.key}: expected a list of strings`);
      for (const item of (entry.node as Extract<ConfigNode, { kind: "seq" }>).items) {
        const value = scalar(item, "string", path, failAt(path));
        out.push({ path, value, where: `${file}:${item.line}` });
      }
    } else {
      out.push({
        path,
        value: scalar(entry.node, kind, path, failAt(path)),
        where: `${file}:${entry.line}`,
      });
    }
  }
  return out;
}

/** Without RE2 at hand: JavaScript's syntax (RE2 checks again when the filter is used). */
function jsRegexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `invalid tag filter ${JSON.stringify(pattern)}: ${(error as Error).message}`;
  }
}

function envEntries(
  node: ConfigNode,
  path: string[],
  fail: (node: { line: number; col: number }, message: string) => never,
): { path: string[]; value: string | null; line: number }[] {
  if (node.kind !== "map") fail(node, `${keyPath(path)}: expected a map of NAME: value`);
  return (node as Extract<ConfigNode, { kind: "map" }>).entries.map((e) => {
    if (!ENV_NAME.test(e.key)) {
      fail(e, `${keyPath(path)}: invalid variable name ${keyText(e.key)}`);
    }
    if (e.node.kind !== "scalar") {
      fail(e.node, `${keyPath([...path, e.key])}: expected a plain value or null`);
    }
    const v = (e.node as Extract<ConfigNode, { kind: "scalar" }>).value;
    return { path: [...path, e.key], value: v === null ? null : String(v), line: e.line };
  });
}

/** Where each value of the effective configuration came from, by key path. */
export type Provenance = Map<string, string>;

/**
 * Merges layers, lowest precedence first: maps merge by key, lists append, scalars replace.
 *
 * @param layers Assignments of each layer, in precedence order.
 * @returns The configuration and each value's provenance (`default`, `file:line`, `env VAR`, `option --x`).
 */
export function mergeConfig(
  layers: readonly (readonly Assignment[])[],
): { config: Config; provenance: Provenance } {
  const config: Config = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
  const provenance: Provenance = new Map();
  for (const key of Object.keys(DEFAULT_CONFIG)) provenance.set(key, "default");
  const target = config as unknown as Record<string, unknown>;
  for (const layer of layers) {
    for (const { path, value, where } of layer) {
      const [top] = path;
      if (KEY_KINDS[top] === "list") {
        const list = target[top] as string[];
        provenance.set(`${top}[${list.length}]`, where);
        list.push(value as string);
        continue;
      }
      let node = target;
      for (const segment of path.slice(0, -1)) {
        node[segment] ??= {};
        node = node[segment] as Record<string, unknown>;
      }
      node[path[path.length - 1]] = value;
      provenance.set(showPath(path), where);
    }
  }
  return { config, provenance };
}

/**
 * The image rules whose glob matches a familiar image name, merged in order (later wins).
 *
 * @param images `images` of the configuration.
 * @param name Familiar repository name, e.g. `zppz/app`.
 * @returns The merged rule and the globs that matched.
 */
export function matchImageRules(
  images: Record<string, ImageRule>,
  name: string,
): { rule: ImageRule; globs: string[] } {
  const rule: ImageRule = {};
  const globs: string[] = [];
  for (const [glob, r] of Object.entries(images)) {
    if (!picomatch(glob)(name)) continue;
    globs.push(glob);
    Object.assign(rule, { ...r, env: { ...rule.env, ...r.env } });
  }
  return { rule, globs };
}
