/**
 * The attack corpus's stand-in for docker's own checks of a `docker run` argv:
 * the fake engine records the calls, this says what docker would have refused.
 *
 * @module
 */

import { DOCKER_RUN_OPTIONS } from "../lib/core/docker_run_options.ts";

const BY_LONG = new Map(DOCKER_RUN_OPTIONS.map((o) => [o.long, o]));
const BY_SHORT = new Map(DOCKER_RUN_OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));
const BOOLEAN = /^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False)$/;

/**
 * What docker itself would do with a recorded `docker run` argv, as far as run-docker's
 * business goes: refuse an option it does not know or a boolean that is not one (it prints
 * its usage and exits 125), and for each bind mount (checked while HOME still exists)
 * refuse a source that does not exist, and mount a file where data or log belongs.
 */
export function asDocker(call: string[]): string[] {
  const found: string[] = [];
  let i = 1;
  for (; i < call.length; i++) {
    const token = call[i];
    if (token === "--") {
      i++;
      break;
    }
    if (!token.startsWith("-") || token === "-") break;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = token.slice(2, eq === -1 ? undefined : eq);
      const option = BY_LONG.get(name);
      if (option === undefined) found.push(`docker: unknown flag: --${name.slice(0, 40)}`);
      else if (!option.takesValue && eq !== -1 && !BOOLEAN.test(token.slice(eq + 1))) {
        found.push(`docker: invalid boolean for --${name}`);
      } else if (option.takesValue && eq === -1) {
        if (name === "mount") found.push(...mountProblems(call[i + 1] ?? ""));
        i++;
      }
      continue;
    }
    for (let k = 1; k < token.length; k++) {
      const option = BY_SHORT.get(token[k]);
      if (option === undefined) {
        found.push(`docker: unknown shorthand flag: ${token[k]}`);
        break;
      }
      if (option.takesValue) {
        if (k === token.length - 1) i++;
        break;
      }
      if (token[k + 1] === "=") {
        if (!BOOLEAN.test(token.slice(k + 2))) {
          found.push(`docker: invalid boolean for -${token[k]}`);
        }
        break;
      }
    }
  }
  if (i >= call.length) found.push("docker: no image");
  return found;
}

function mountProblems(value: string): string[] {
  // docker's CSV: fields split on commas, a field may be double-quoted ("" inside is a quote).
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let k = 0; k < value.length; k++) {
    const ch = value[k];
    if (quoted && ch === '"' && value[k + 1] === '"') {
      current += '"';
      k++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      fields.push(current);
      current = "";
    } else current += ch;
  }
  fields.push(current);
  const field = (key: string) => fields.find((f) => f.startsWith(`${key}=`))?.slice(key.length + 1);
  const source = field("source") ?? field("src");
  const target = field("target") ?? field("dst") ?? "";
  if (field("type") !== "bind" || source === undefined) return [];
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(source);
  } catch {
    return [`docker: bind source path does not exist: ${source}`];
  }
  if (/\/(data|log)$/.test(target) && !info.isDirectory) {
    return [`docker: a file mounted as ${target}`];
  }
  return [];
}
