/**
 * Which kind of engine runs the container: docker, or podman (rootful or rootless). The kind
 * changes how a run is rendered and carried out (see `render/podman.ts`), never the conventions.
 *
 * Pure module: data and functions of their arguments alone.
 *
 * @module
 */

/** The engine families run-docker knows. */
export type EngineFamily = "docker" | "podman";

/** What kind of engine a CLI is, as it says itself (`docker version`, `podman --version`). */
export interface EngineKind {
  /** `docker`, or `podman` (podman-docker's `docker` shim included). */
  readonly kind: EngineFamily;
  /** Podman run by a non-root user: containers live in the user's own user namespace. */
  readonly rootless: boolean;
}

/** The `engine` when none is configured: docker when its CLI answers, else podman. */
export const DEFAULT_ENGINE = "auto";

/** Docker: the kind when nothing else is known. */
export const DOCKER_ENGINE: EngineKind = { kind: "docker", rootless: false };

/**
 * The engine kind a CLI's version text names.
 *
 * @param text What `PROGRAM --version` or `PROGRAM version` printed.
 * @returns `podman` when the text names podman, `docker` when it names docker, else `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familyOf } from "./engine_kind.ts";
 * assert.equal(familyOf("podman version 4.3.1\n"), "podman");
 * assert.equal(familyOf("Docker version 28.2.2, build e6534b4\n"), "docker");
 * assert.equal(familyOf("Client:\n Version: 28.2.2\n"), undefined);
 * ```
 */
export function familyOf(text: string): EngineFamily | undefined {
  if (/\bpodman\b/i.test(text)) return "podman";
  if (/\bdocker\b/i.test(text)) return "docker";
  return undefined;
}

/**
 * How messages and `--explain` name an engine.
 *
 * @param program The CLI's path.
 * @param engine Its kind.
 * @returns e.g. `/usr/bin/podman (podman, rootless)`, `/usr/bin/docker (docker)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeEngine } from "./engine_kind.ts";
 * assert.equal(describeEngine("/usr/bin/docker", { kind: "podman", rootless: false }), "/usr/bin/docker (podman, rootful)");
 * ```
 */
export function describeEngine(program: string, engine: EngineKind): string {
  if (engine.kind === "docker") return `${program} (docker)`;
  return `${program} (podman, ${engine.rootless ? "rootless" : "rootful"})`;
}
