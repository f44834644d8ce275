/**
 * run-docker's containers at a glance: `--ps` (what run-docker started on the engine) and
 * `--cleanup` (remove the stopped ones and the leftovers whose run-docker died). The engine's
 * answer is read here (docker's `ps --format '{{json .}}'` lines, podman's `ps --format json`
 * array) into {@link ContainerRow}s; what to remove is decided here from data.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import type { RunRequest } from "./cli.ts";
import { UsageError } from "./errors.ts";
import { LABELS } from "./labels.ts";
import { escapeControls } from "./printable.ts";
import { quoteCommand } from "./shell_quote.ts";
import { type ImageReference, parseReference } from "./reference.ts";

/** What `--ps` or `--cleanup` asks for. */
export type ContainersStep =
  /** List run-docker's containers (of `image` only, when given), as a table or JSON. */
  | { readonly kind: "ps"; readonly json: boolean; readonly image?: string }
  /** Remove the stopped ones and the leftovers; `yes`: stop running leftovers without asking. */
  | { readonly kind: "cleanup"; readonly yes: boolean; readonly image?: string };

/**
 * Whether the command line is `--ps` or `--cleanup`.
 *
 * @param request From `parseRunRequest`.
 * @returns The step, or `undefined` when neither is given.
 * @throws {UsageError} for both together, a command after IMAGE, `--json` with `--cleanup`,
 *   or `--yes` without `--cleanup`.
 * @throws {InvalidReferenceError} when IMAGE is not a reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { decideContainers } from "./containers.ts";
 * assert.deepEqual(decideContainers(parseRunRequest(["--ps", "--json"])), { kind: "ps", json: true });
 * assert.equal(decideContainers(parseRunRequest(["img"])), undefined);
 * ```
 */
export function decideContainers(request: RunRequest): ContainersStep | undefined {
  const { ps, cleanup, yes, json } = request.own;
  if (yes && !cleanup) {
    throw new UsageError("--yes goes with --cleanup", "run-docker --cleanup --yes");
  }
  if (!ps && !cleanup) return undefined;
  if (ps && cleanup) {
    throw new UsageError("--ps and --cleanup do not go together", "give one of them");
  }
  const option = ps ? "--ps" : "--cleanup";
  if (request.command.length > 0) {
    throw new UsageError(
      `${option} takes at most IMAGE, not a command`,
      `run-docker ${option} [IMAGE]: IMAGE narrows it to that image's containers`,
    );
  }
  if (cleanup && json) {
    throw new UsageError("--json goes with --ps, not --cleanup", "run-docker --ps --json");
  }
  if (request.image !== undefined) parseReference(request.image); // a wrong one: an error now
  const image = request.image === undefined ? {} : { image: request.image };
  return ps ? { kind: "ps", json, ...image } : { kind: "cleanup", yes, ...image };
}

/** One container run-docker started, as the engine lists it. */
export interface ContainerRow {
  /** The container's ID. */
  readonly id: string;
  /** Its name. */
  readonly name: string;
  /** The image as the engine names it (`image:tag`). */
  readonly image: string;
  /** `dev` or `prod` (its `run-docker.mode` label), empty when unlabelled. */
  readonly mode: string;
  /** The engine's state word: `running`, `exited`, `created`, `paused`, `dead` … */
  readonly state: string;
  /** The engine's status text, e.g. `Up 3 minutes`, `Exited (0) 2 hours ago`. */
  readonly status: string;
  /** When it was created, as the engine says it (docker: `2026-12-02 08:00:00 +0000 UTC`). */
  readonly started: string;
  /** Its command, as one shell-quoted line (as docker shows it). */
  readonly command: string;
  /** The host name of the run-docker that started it, when labelled. */
  readonly host?: string;
  /** The pid of that run-docker, when labelled. */
  readonly pid?: number;
  /** Whether it runs detached (`-d`): never a leftover. */
  readonly detached: boolean;
}

/**
 * Reads the engine's `ps` answer.
 *
 * @param text docker's `ps --no-trunc --format '{{json .}}'` (one object a line), or podman's
 *   `ps --format json` (one array).
 * @returns One row per container, in the engine's order.
 * @throws {SyntaxError} when the text is not JSON of either shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePs } from "./containers.ts";
 * const line = JSON.stringify({
 *   ID: "ab12", Names: "zepu-app-1", Image: "app:1", State: "running", Status: "Up 2 seconds",
 *   CreatedAt: "2026-12-02 08:00:00 +0000 UTC", Command: '"sleep 300"',
 *   Labels: "run-docker.mode=dev,run-docker.pid=42,run-docker.host=h,run-docker.detached=false",
 * });
 * const [row] = parsePs(line + "\n");
 * assert.equal(row.pid, 42);
 * assert.equal(row.command, "sleep 300");
 * ```
 */
export function parsePs(text: string): ContainerRow[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const items: unknown[] = trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  return items.map((item) => rowOf(item as Record<string, unknown>));
}

function rowOf(item: Record<string, unknown>): ContainerRow {
  const text = (value: unknown) => typeof value === "string" ? value : "";
  const labels = labelsOf(item.Labels);
  const pid = Number(labels[LABELS.pid]);
  const names = Array.isArray(item.Names) ? item.Names.join(",") : text(item.Names);
  const command = Array.isArray(item.Command)
    ? quoteCommand(item.Command.map(String))
    : text(item.Command).replace(/^"(.*)"$/s, "$1");
  // podman: `Created` in seconds (and `StartedAt`); docker: `CreatedAt` text.
  const created = typeof item.Created === "number"
    ? new Date(item.Created * 1000).toISOString()
    : text(item.CreatedAt);
  return {
    id: text(item.ID) || text(item.Id),
    name: names,
    image: text(item.Image),
    mode: labels[LABELS.mode] ?? "",
    state: text(item.State).toLowerCase(),
    status: text(item.Status) || text(item.State),
    started: created,
    command,
    ...(labels[LABELS.host] === undefined ? {} : { host: labels[LABELS.host] }),
    ...(Number.isSafeInteger(pid) && pid > 0 ? { pid } : {}),
    detached: labels[LABELS.detached] === "true",
  };
}

/** docker's `a=b,c=d` text (run-docker's own values have no commas) or podman's object. */
function labelsOf(labels: unknown): Record<string, string> {
  if (labels !== null && typeof labels === "object") {
    return Object.fromEntries(
      Object.entries(labels).filter(([, v]) => typeof v === "string"),
    ) as Record<string, string>;
  }
  const out: Record<string, string> = {};
  for (const pair of typeof labels === "string" ? labels.split(",") : []) {
    const eq = pair.indexOf("=");
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * `--ps`'s output: a table with a header (name, image, mode, status, started, command), or JSON.
 *
 * @param rows From {@link parsePs}.
 * @param json A JSON array of the rows instead of the table.
 * @returns The text for stdout; the table says so when there is no container.
 */
export function formatPs(rows: readonly ContainerRow[], json: boolean): string {
  if (json) return JSON.stringify(rows, null, 2) + "\n";
  if (rows.length === 0) return "no containers started by run-docker\n";
  const table = [
    ["NAME", "IMAGE", "MODE", "STATUS", "STARTED", "COMMAND"],
    ...rows.map((r) => [r.name, r.image, r.mode, r.status, r.started, r.command]),
  ].map((cells) => cells.map((c) => escapeControls(c)));
  const widths = table[0].map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  return table.map((cells) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join("  ").trimEnd()
  ).join("\n") + "\n";
}

/** What `--cleanup` does with each container. */
export interface CleanupPlan {
  /** Stopped (exited, created, dead): removed. */
  readonly remove: readonly ContainerRow[];
  /** Running, not detached, started on this host by a run-docker that is gone: stopped and removed. */
  readonly leftovers: readonly ContainerRow[];
  /** Running and kept, each with why. */
  readonly kept: readonly { readonly row: ContainerRow; readonly why: string }[];
}

/**
 * Decides what `--cleanup` removes.
 *
 * @param rows From {@link parsePs}.
 * @param here This host's name and the pids (of those the rows name) that are alive on it.
 * @returns The stopped containers, the leftovers, and the running ones kept with why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planCleanup } from "./containers.ts";
 * const row = { id: "a", name: "n", image: "i:1", mode: "prod", state: "running", status: "Up",
 *   started: "", command: "", host: "h", pid: 42, detached: false };
 * assert.equal(planCleanup([row], { host: "h", alive: new Set() }).leftovers.length, 1);
 * assert.equal(planCleanup([row], { host: "h", alive: new Set([42]) }).kept.length, 1);
 * ```
 */
export function planCleanup(
  rows: readonly ContainerRow[],
  here: { readonly host: string; readonly alive: ReadonlySet<number> },
): CleanupPlan {
  const remove: ContainerRow[] = [];
  const leftovers: ContainerRow[] = [];
  const kept: { row: ContainerRow; why: string }[] = [];
  for (const row of rows) {
    if (["exited", "created", "dead"].includes(row.state)) remove.push(row);
    else if (row.detached) kept.push({ row, why: "detached" });
    else if (row.host === undefined || row.pid === undefined) {
      kept.push({ row, why: "no run-docker pid label" });
    } else if (row.host !== here.host) kept.push({ row, why: `started on host ${row.host}` });
    else if (here.alive.has(row.pid)) kept.push({ row, why: `run-docker ${row.pid} still runs` });
    else leftovers.push(row);
  }
  return { remove, leftovers, kept };
}

/**
 * The rows of one image, as `--ps IMAGE` and `--cleanup IMAGE` narrow them. References are
 * compared normalized (`app` is `docker.io/library/app`, as podman names it).
 *
 * @param rows From {@link parsePs}.
 * @param image As given: `repo` (any tag), `repo:tag` or `repo@digest`; absent: every row.
 * @returns The rows whose image is that one, in order.
 * @throws {InvalidReferenceError} when `image` is not a reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ofImage, type ContainerRow } from "./containers.ts";
 * const rows = ["app:1", "docker.io/library/app:2", "apple:1"].map((image) => ({ image }) as ContainerRow);
 * assert.deepEqual(ofImage(rows, "app").map((r) => r.image), ["app:1", "docker.io/library/app:2"]);
 * assert.deepEqual(ofImage(rows, "app:2").map((r) => r.image), ["docker.io/library/app:2"]);
 * ```
 */
export function ofImage(rows: readonly ContainerRow[], image?: string): ContainerRow[] {
  if (image === undefined) return [...rows];
  const wanted = parseReference(image);
  return rows.filter((row) => {
    let ref: ImageReference;
    try {
      ref = parseReference(row.image);
    } catch {
      return false; // an image ID, or what the engine shows for a removed image
    }
    return ref.registry === wanted.registry && ref.repository === wanted.repository &&
      (wanted.tag === undefined || ref.tag === wanted.tag) &&
      (wanted.digest === undefined || ref.digest === wanted.digest);
  });
}
