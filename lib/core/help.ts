/**
 * The `--help` text, generated from the option table.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { dockerOption, OPTION_TABLE, type OptionRow } from "./cli/options.ts";
import { selfUpdateSynopsis } from "./cli/tokenize.ts";
import { DEFAULT_SETTINGS } from "./facts.ts";

/**
 * The rows of the Options section, in table order: run-docker's options of a
 * run, the docker options it gives a default, `--self-update` with its options.
 *
 * @returns `[left column, description]` pairs, e.g.
 *   `["--notebook-port, --nb_port PORT", "host port for …"]`.
 */
export function helpRows(): [string, string][] {
  const rows: [string, string][] = [];
  for (const row of OPTION_TABLE as readonly OptionRow[]) {
    if (row.owner === "docker") {
      const short = dockerOption(row).short;
      const names = [...(short ? [`-${short}`] : []), `--${row.long}`].join(", ");
      rows.push([names + (row.placeholder ? ` ${row.placeholder}` : ""), row.help]);
    } else if ("selects" in row && row.selects === "update") {
      rows.push([selfUpdateSynopsis(), row.help]);
    } else if (row.scopes.includes("run") && !row.hidden) {
      const names = [row.long, ...(row.aliases ?? [])].map((name) => `--${name}`).join(", ");
      rows.push([names + ("placeholder" in row ? ` ${row.placeholder}` : ""), row.help]);
    }
  }
  return rows;
}

/**
 * The help text, built from the option table so the two never disagree.
 *
 * @param version run-docker's version.
 * @returns Text ending with a newline.
 */
export function helpText(version: string): string {
  const rows = helpRows();
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
