/**
 * The `--help` text.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { OWN_OPTIONS } from "./cli.ts";
import { DEFAULT_SETTINGS } from "./facts.ts";

/**
 * The help text, built from the option table so the two never disagree.
 *
 * @param version run-docker's version.
 * @returns Text ending with a newline.
 */
export function helpText(version: string): string {
  const rows: [string, string][] = OWN_OPTIONS.map((o) => [
    [`--${o.long}`, ...(o.aliases ?? []).map((a) => `--${a}`)].join(", ") +
    (o.placeholder ? ` ${o.placeholder}` : ""),
    o.help,
  ]);
  rows.push(
    ["-m, --memory SIZE", `memory limit (default ${DEFAULT_SETTINGS.memory})`],
    ["--shm-size SIZE", `size of /dev/shm (default ${DEFAULT_SETTINGS.shmSize})`],
    ["--name NAME", "container name (default <user>-<YYYYMMDD-HHMMSS>-<4 hex>)"],
    ["-d, --detach", "run in the background (no --rm, no -i/-t)"],
    ["--restart POLICY", "restart policy (no --rm)"],
    [
      "--self-update [--version X] [--archive FILE]",
      "replace this binary with a release (FILE: air-gapped)",
    ],
  );
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  return `run-docker ${version}: run a project's Docker image the right way

Usage: run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]

With no tag, the newest tag of IMAGE, local or on its registry, runs (pulled
when only the registry has it). When ~/work/src/<image name>
exists, it is mounted at ${DEFAULT_SETTINGS.containerHome}/src (dev mode);
~/work/data and ~/work/log are always mounted. Every 'docker run' option
passes through; options go before IMAGE, everything after IMAGE is the
container's command.

Options:
${lines.join("\n")}

Commands with a shortcut:
  notebook            Jupyter Lab on 127.0.0.1:<notebook port>, with a random token
  pytest, py.test     adds -p no:cacheprovider

Exit status: the container's; 125 when run-docker or docker run itself failed.
`;
}
