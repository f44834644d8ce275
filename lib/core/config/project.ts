/**
 * What a project file (`run-docker.yaml` in a source tree) may set.
 *
 * The file travels with the repository: whoever can push to it writes it, and everyone who runs
 * the image in dev mode applies it. So it may set only what cannot reach the host's secrets,
 * network or devices: literal `env` values, `ports` bound to a loopback address, `memory`,
 * `shm_size`, and under `images` the tag policy, `command`, `memory` and literal `env`.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import { IMAGE_KEYS, KEY_KINDS } from "./schema.ts";
import { didYouMean, keyPath } from "./values.ts";
import type { ConfigNode } from "./yaml.ts";

/** Top-level keys a project file may set. */
export const PROJECT_KEYS: readonly string[] = ["env", "ports", "memory", "shm_size", "images"];
/** Fields of an `images` rule a project file may set. */
export const PROJECT_IMAGE_KEYS: readonly string[] = [
  "tag_order",
  "tag_filter",
  "tag_range",
  "command",
  "memory",
  "env",
  "registry",
];

/** Why a key is refused, for the keys with a sharper reason than "not on the list". */
const REASONS: Record<string, string> = {
  engine: "it names a program run-docker runs on your host",
  selinux: "it changes the SELinux labels of your host's folders",
  docker_args: "raw docker options can give the container your host (--privileged, -v /:/host)",
  volumes: "it could mount any host path into the container",
  registries: "it could switch off TLS or redirect image lookups",
  workdir: "it moves where your data and log live",
  user: "it chooses who the container runs as (root writes root-owned files into your folders)",
  gpus: "it hands your host's devices to the container",
  notebook_bind: "it could publish the notebook on every network interface",
  notebook_port: "it opens a port on your host",
  container_home: "it moves where your source, data and log are mounted",
};
const ALLOWED = "a project file may set only env (literal values), ports (on a loopback " +
  "address), memory, shm_size and, under images, tag_order, tag_filter, tag_range, command, " +
  "memory, env and registry";
const ALLOWED_KEYS = "a project file may set only env, ports, memory, shm_size and images";
const ALLOWED_IMAGE_KEYS = "under images, a project file may set only tag_order, tag_filter, " +
  "tag_range, command, memory, env and registry";
const HINT = "set it in your own configuration (~/.config/run-docker/config.yaml) if you trust " +
  "the repository";

type MapNode = Extract<ConfigNode, { kind: "map" }>;

/**
 * Checks a project file, before `validateConfig` checks its values (whatever the shape, this
 * check reports only what a project file may not set, and leaves the rest to `validateConfig`).
 *
 * @param root The file's root node.
 * @param file The path shown in messages.
 * @throws {ConfigError} `<file>:<line>:<col>: <key path> …` naming the first refused key and why:
 *   a key not on the lists above, an `env` value that passes the host's (null), or a port not
 *   bound to 127.0.0.0/8 or ::1 (a port without an address is published on every interface).
 *   An unknown key is named by its place only, with a did-you-mean over what a project file
 *   may set: its text comes from the repository.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkProjectFile } from "./project.ts";
 * import { parseConfigText } from "./yaml.ts";
 * const check = (yaml: string) => checkProjectFile(parseConfigText(yaml, "p.yaml"), "p.yaml");
 * check("memory: 8g\nports: ['127.0.0.1:8080:80']\nenv:\n  A: b\n");
 * assert.throws(() => check("user: root\n"), /^ConfigError: p\.yaml:1:1: user cannot be set/);
 * assert.throws(() => check("memroy: 8g\n"), /^ConfigError: p\.yaml:1:1: unknown key \(did you/);
 * ```
 */
export function checkProjectFile(root: ConfigNode, file: string): void {
  const fail = (at: { line: number; col: number }, message: string, hint = HINT): never => {
    throw new ConfigError(`${file}:${at.line}:${at.col}: ${message}`, hint);
  };
  const refuse = (at: { line: number; col: number }, path: string[], known: boolean): never => {
    const key = path[path.length - 1];
    const under = path.length > 1 ? keyPath(path.slice(0, -1)) : undefined;
    if (!known) {
      // Not a key anywhere: its text is the repository's, shown by place only.
      return fail(
        at,
        `unknown key${under ? ` in ${under}` : ""}${
          didYouMean(key, under ? PROJECT_IMAGE_KEYS : PROJECT_KEYS)
        }`,
        under ? ALLOWED_IMAGE_KEYS : ALLOWED_KEYS,
      );
    }
    const why = Object.hasOwn(REASONS, key)
      ? `it travels with the repository, and ${REASONS[key]}`
      : ALLOWED;
    return fail(at, `${keyPath(path)} cannot be set in a project file: ${why}`);
  };
  const checkEnv = (node: ConfigNode, path: string[]) => {
    for (const entry of entriesOf(node)) {
      if (entry.node.kind === "scalar" && entry.node.value === null) {
        fail(
          entry,
          `${
            keyPath([...path, entry.key])
          }: a project file cannot pass host environment values (null copies your host's ${entry.key} into the container)`,
          "give it a literal value, or pass it in your own configuration if you trust the repository",
        );
      }
      if (entry.key === "JUPYTER_TOKEN") {
        fail(
          entry,
          `${
            keyPath([...path, entry.key])
          }: a project file cannot set the notebook's token (whoever wrote it could open your notebook)`,
          "leave it out: run-docker makes a random token for each notebook",
        );
      }
    }
  };
  for (const entry of entriesOf(root)) {
    if (!PROJECT_KEYS.includes(entry.key)) {
      refuse(entry, [entry.key], Object.hasOwn(KEY_KINDS, entry.key));
    }
    if (entry.key === "env") checkEnv(entry.node, ["env"]);
    if (entry.key === "ports" && entry.node.kind === "seq") {
      for (const item of entry.node.items) {
        if (item.kind !== "scalar" || item.value === null) continue; // validateConfig says why
        const port = String(item.value);
        if (!isLoopbackPublish(port)) {
          fail(
            item,
            `ports: ${
              JSON.stringify(port)
            } is not bound to a loopback address; a project file may publish ports only on 127.0.0.1 (127.0.0.0/8) or ::1`,
            `write it as ${JSON.stringify(onLoopback(port))}`,
          );
        }
      }
    }
    if (entry.key === "images") {
      for (const glob of entriesOf(entry.node)) {
        for (const field of entriesOf(glob.node)) {
          const path = ["images", glob.key, field.key];
          if (!PROJECT_IMAGE_KEYS.includes(field.key)) {
            refuse(field, path, IMAGE_KEYS.includes(field.key));
          }
          if (field.key === "env") checkEnv(field.node, path);
          const first = field.node.kind === "seq" ? field.node.items[0] : undefined;
          if (field.key === "command" && first?.kind === "scalar" && first.value === "notebook") {
            // The shortcut publishes a port on your host, and the file's words would reach
            // Jupyter after run-docker's own (a token of the author's choosing).
            fail(
              field,
              `${
                keyPath(path)
              }: a project file cannot start the notebook (it opens a port on your host)`,
              "type the notebook command yourself: run-docker IMAGE notebook",
            );
          }
        }
      }
    }
  }
}

/** A map node's entries; none for any other node (`validateConfig` reports the wrong shape). */
function entriesOf(node: ConfigNode): MapNode["entries"] {
  return node.kind === "map" ? node.entries : [];
}

/** The same publish bound to 127.0.0.1, for the hint: `5477` → `127.0.0.1:5477:5477`. */
function onLoopback(spec: string): string {
  const parts = spec.split(":");
  const container = parts[parts.length - 1];
  const host = parts.length >= 2 ? parts[parts.length - 2] : container.split("/")[0];
  return `127.0.0.1:${host}:${container}`;
}

/**
 * Whether a `--publish` value is bound to a loopback address.
 *
 * @param spec As docker takes it: `[ip:][hostPort:]containerPort[/proto]`, IPv6 as `[::1]:…`.
 * @returns `true` only for an address in 127.0.0.0/8 or ::1; a port without an address is
 *   published on every interface, so `false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopbackPublish } from "./project.ts";
 * assert.equal(isLoopbackPublish("127.0.0.1:8080:80"), true);
 * assert.equal(isLoopbackPublish("[::1]:8080:80/udp"), true);
 * assert.equal(isLoopbackPublish("8080:80"), false);
 * assert.equal(isLoopbackPublish("0.0.0.0:8080:80"), false);
 * ```
 */
export function isLoopbackPublish(spec: string): boolean {
  const parts = spec.split(":");
  if (parts.length < 3) return false;
  const address = parts.slice(0, -2).join(":").replace(/^\[(.*)\]$/, "$1");
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4 !== null) return v4.slice(1).every((octet) => Number(octet) <= 255);
  return /^(::|(0{1,4}:){7})0{0,3}1$/i.test(address);
}
