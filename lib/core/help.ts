/**
 * The `--help` text, generated from the option table and laid out to fit an
 * 80-column terminal.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { dockerOption, OPTION_TABLE, type OptionRow } from "./cli/options.ts";
import { selfUpdateSynopsis } from "./cli/tokenize.ts";
import { DEFAULT_SETTINGS } from "./facts.ts";

/** The widest line `--help` prints, in columns: a classic terminal's. */
export const HELP_WIDTH = 80;

/** A left column wider than this puts its description on the next line. */
const MAX_LEFT = 32;

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
 * Breaks text into lines of at most `width` columns at spaces; a word longer
 * than `width` stays whole on its own line.
 *
 * @param text One paragraph; runs of white space count as one space.
 * @param width Columns per line, e.g. 80.
 * @returns The lines, without trailing spaces; `[]` for blank text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wrapWords } from "./help.ts";
 * assert.deepEqual(wrapWords("one two three", 7), ["one two", "three"]);
 * ```
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * Two columns, indented by 2: names on the left, the description wrapped on
 * the right. A left column wider than {@link MAX_LEFT} stands alone and its
 * description starts on the next line, so no line is wider than `width`.
 *
 * @param rows `[left, description]` pairs.
 * @param width Columns per line.
 * @returns The lines.
 */
function twoColumns(rows: readonly (readonly [string, string])[], width: number): string[] {
  const left = Math.max(...rows.map(([l]) => l.length).filter((n) => n <= MAX_LEFT));
  const pad = " ".repeat(2 + left + 2);
  const lines: string[] = [];
  for (const [names, description] of rows) {
    const wrapped = wrapWords(description, width - pad.length);
    if (names.length > left) lines.push(`  ${names}`);
    else lines.push(`  ${names.padEnd(left)}  ${wrapped.shift() ?? ""}`.trimEnd());
    for (const more of wrapped) lines.push(pad + more);
  }
  return lines;
}

/**
 * The help text, built from the option table so the two never disagree;
 * every line fits {@link HELP_WIDTH} columns.
 *
 * @param version run-docker's version.
 * @returns Text ending with a newline.
 */
export function helpText(version: string): string {
  const paragraph = (text: string) => wrapWords(text, HELP_WIDTH).join("\n");
  const home = DEFAULT_SETTINGS.containerHome;
  return `${paragraph(`run-docker ${version}: run a project's Docker image the right way`)}

Usage: run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]

${
    paragraph(
      `With no tag, the newest tag of IMAGE, local or on its registry, runs (pulled when only the
      registry has it). When ~/work/src/<image name> exists, it is mounted at ${home}/src (dev
      mode); ~/work/data and ~/work/log are always mounted. Every 'docker run' option passes
      through; options go before IMAGE, everything after IMAGE is the container's command.`,
    )
  }

Options:
${twoColumns(helpRows(), HELP_WIDTH).join("\n")}

Commands with a shortcut:
${
    twoColumns([
      ["notebook", "Jupyter Lab on 127.0.0.1:<notebook port>, with a random token"],
      ["pytest, py.test", "adds -p no:cacheprovider"],
    ], HELP_WIDTH).join("\n")
  }

${paragraph("Exit status: the container's; 125 when run-docker or docker run itself failed.")}
`;
}
