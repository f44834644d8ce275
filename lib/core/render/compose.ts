/**
 * Renders a {@link RunSpec} as a Compose file (the Compose Specification):
 * one service equal to the run, for running it on other hosts with
 * `docker compose` / `docker-compose`.
 *
 * Pure module: a function of the spec alone.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { imageBaseName } from "../reference.ts";
import type { RunSpec } from "../run_spec.ts";
import { containerConfig } from "./container_config.ts";

/** docker options a Compose service has a key for: `--option` → service key. */
const COMPOSE_KEYS: Readonly<Record<string, { key: string; list: boolean }>> = {
  "add-host": { key: "extra_hosts", list: true },
  "cap-add": { key: "cap_add", list: true },
  "cap-drop": { key: "cap_drop", list: true },
  cpus: { key: "cpus", list: false },
  device: { key: "devices", list: true },
  entrypoint: { key: "entrypoint", list: false },
  "env-file": { key: "env_file", list: true },
  hostname: { key: "hostname", list: false },
  network: { key: "network_mode", list: false },
  platform: { key: "platform", list: false },
  "read-only": { key: "read_only", list: false },
  restart: { key: "restart", list: false },
  "security-opt": { key: "security_opt", list: true },
  "stop-signal": { key: "stop_signal", list: false },
  tmpfs: { key: "tmpfs", list: true },
};

/**
 * The Compose file of a run, as data (serialize it with a YAML writer).
 *
 * Every string is escaped for Compose's `${VAR}` interpolation (`$` → `$$`), so a
 * path or value holding `$` reaches the container as written. Environment entries
 * passed by name stay a bare `NAME`: Compose takes the value from its own
 * environment, as `docker run -e NAME` does.
 *
 * @param spec The run.
 * @returns `{ services: { <image name>: {…} } }`.
 * @throws {UsageError} for a docker option Compose has no key for (`--gpus`, `--ulimit` …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { renderCompose } from "./compose.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["zppz/app:1", "python", "-V"]));
 * const service = renderCompose(spec).services.app;
 * assert.equal(service.image, "zppz/app:1");
 * assert.deepEqual(service.command, ["python", "-V"]);
 * ```
 */
export function renderCompose(
  spec: RunSpec,
): { services: Record<string, Record<string, unknown>> } {
  const config = containerConfig(spec);
  const $ = (text: string) => text.replaceAll("$", "$$$$");
  const service: Record<string, unknown> = { image: $(config.image) };
  if (config.command.length > 0) service.command = config.command.map($);
  if (config.user !== undefined) service.user = $(config.user);
  if (config.workdir !== undefined) service.working_dir = $(config.workdir);
  const volumes: unknown[] = [];
  const tmpfs: string[] = [];
  for (const mount of config.mounts) {
    if (mount.kind === "tmpfs") {
      const exec = mount.exec ? ",exec" : "";
      tmpfs.push($(`${mount.target}:uid=${mount.uid},gid=${mount.gid},mode=${mount.mode}${exec}`));
    } else {
      volumes.push({
        type: "bind",
        source: $(mount.source),
        target: $(mount.target),
        ...(mount.readOnly ? { read_only: true } : {}),
      });
    }
  }
  volumes.push(...config.volumes.map($));
  if (volumes.length > 0) service.volumes = volumes;
  if (tmpfs.length > 0) service.tmpfs = tmpfs;
  service.environment = config.env.map((e) => "value" in e ? $(`${e.name}=${e.value}`) : e.name);
  if (config.memory !== undefined) service.mem_limit = config.memory;
  if (config.shmSize !== undefined) service.shm_size = config.shmSize;
  if (config.init) service.init = true;
  if (config.ports.length > 0) service.ports = config.ports.map($);
  service.labels = Object.fromEntries(Object.entries(config.labels).map(([k, v]) => [k, $(v)]));
  service.stdin_open = config.interactive;
  service.tty = config.tty;
  for (const option of config.other) {
    const target = COMPOSE_KEYS[option.long];
    if (target === undefined) {
      throw new UsageError(
        `--emit compose cannot carry --${option.long}: a Compose service has no key for it`,
        "leave the option out and add it to the Compose file by hand",
      );
    }
    const value = option.value === undefined ? true : $(option.value);
    if (!target.list) service[target.key] = option.long === "read-only" ? value !== "false" : value;
    else service[target.key] = [...((service[target.key] as unknown[]) ?? []), value];
  }
  return { services: { [serviceName(spec)]: service } };
}

/** The service's name: the image's base name in Compose's grammar `[a-z0-9][a-z0-9_.-]*`. */
function serviceName(spec: RunSpec): string {
  const name = imageBaseName(spec.image.reference).toLowerCase().replace(/[^a-z0-9_.-]/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return name || "app";
}
