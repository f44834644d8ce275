/**
 * `deno task man`: writes `dist/run-docker.1`, the manual page, generated from the option table
 * (the OPTIONS section, as `--help` lists them) and README.md's reference sections: the
 * configuration keys, environment, exit codes and files tables. `deno task release` puts it in
 * every archive; install.sh installs it into `share/man/man1` beside `bin`.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { helpRows } from "../lib/core/help.ts";
import { selfUpdateSynopsis } from "../lib/core/cli/tokenize.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** Plain text for roff: backslashes and non-ASCII escaped, a leading `.` or `'` defused. */
function escapeText(text: string): string {
  let out = "";
  for (const char of text.replaceAll("\\", "\\e").replaceAll("-", "\\-")) {
    const code = char.codePointAt(0)!;
    out += code > 0x7e ? `\\[u${code.toString(16).toUpperCase().padStart(4, "0")}]` : char;
  }
  return out;
}

/** Markdown inline text (code, bold, links) as roff. */
function inline(markdown: string): string {
  const parts = markdown
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .split(/(`[^`]*`|\*\*[^*]+\*\*)/);
  const text = parts.map((part) => {
    if (/^`[^`]*`$/.test(part)) return `\\fB${escapeText(part.slice(1, -1))}\\fR`;
    if (/^\*\*[^*]+\*\*$/.test(part)) return `\\fB${escapeText(part.slice(2, -2))}\\fR`;
    return escapeText(part);
  }).join("");
  return /^[.']/.test(text) ? `\\&${text}` : text;
}

/** The section of README.md under a `## ` heading, up to the next one. */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const rest = readme.slice(start + heading.length + 5);
  const end = rest.indexOf("\n## ");
  return end === -1 ? rest : rest.slice(0, end);
}

/** The rows of the first Markdown table in `text` whose header's first cell is `first`. */
function tableRows(text: string, first: string): string[][] {
  const lines = text.split("\n");
  const header = lines.findIndex((line) =>
    line.startsWith("|") && line.split("|")[1]?.trim() === first
  );
  if (header === -1) throw new Error(`no table starting with "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split("|").map((cell) => cell.trim()));
  }
  return rows;
}

/** A table as tagged paragraphs: the first cell as the tag, the others joined as its text. */
function tagged(rows: readonly string[][], join: (cells: string[]) => string): string[] {
  return rows.flatMap(([tag, ...rest]) => [".TP", inline(tag), inline(join(rest))]);
}

/** The first paragraph of a README section (its first block of lines). */
function paragraph(text: string): string {
  return text.trim().split("\n\n")[0].replaceAll("\n", " ");
}

/**
 * The manual page.
 *
 * @param readme README.md's text: the source of the reference sections.
 * @param version run-docker's version, for the page's footer.
 * @returns roff text (man macros) ending with a newline.
 * @throws {Error} when README.md lacks a section or table the page is made from.
 */
export function manPage(readme: string, version: string): string {
  const intro = readme.slice(readme.indexOf("\n") + 1, readme.indexOf("\n## ")).trim()
    .split("\n\n").map((p) => p.replaceAll("\n", " "));
  const options = helpRows().flatMap((
    [left, right],
  ) => [".TP", `\\fB${escapeText(left)}\\fR`, inline(right)]);
  const configuration = section(readme, "Configuration");
  const lines = [
    `.TH RUN\\-DOCKER 1 "" "run-docker ${escapeText(version)}" "User Commands"`,
    ".SH NAME",
    "run\\-docker \\- run a project's Docker image the right way",
    ".SH SYNOPSIS",
    ".B run\\-docker",
    "[\\fIOPTIONS\\fR] \\fIIMAGE\\fR[:\\fITAG\\fR|@\\fIDIGEST\\fR] [\\fICOMMAND\\fR [\\fIARG\\fR...]]",
    ".br",
    ".B run\\-docker",
    escapeText(selfUpdateSynopsis()),
    ".SH DESCRIPTION",
    ...intro.flatMap((p) => [".PP", inline(p)]),
    ".PP",
    inline(paragraph(section(readme, "Usage").replace(/^```[\s\S]*?```\n/m, ""))),
    ".SH OPTIONS",
    ...options,
    ".TP",
    inline("any other `docker run` option"),
    "passed to docker as given",
    ".SH CONFIGURATION",
    inline(
      "The keys of the YAML configuration files (see FILES; `run-docker --print-config` shows " +
        "their effective values, `run-docker --config-schema` their JSON Schema):",
    ),
    ...tagged(
      tableRows(configuration, "key"),
      ([value, meaning]) => `${meaning} (default ${value})`,
    ),
    ".SH ENVIRONMENT",
    ...tagged(tableRows(section(readme, "Environment"), "variable"), ([meaning]) => meaning),
    ".SH EXIT STATUS",
    ...tagged(tableRows(section(readme, "Exit codes"), "code"), ([meaning]) => meaning),
    ".SH FILES",
    ...tagged(tableRows(section(readme, "Files"), "file"), ([meaning]) => meaning),
    ".SH SEE ALSO",
    ".BR docker\\-run (1),",
    ".BR podman\\-run (1)",
  ];
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });
  await Deno.writeTextFile(`${ROOT}dist/run-docker.1`, manPage(readme, config.version));
  console.log(`wrote ${ROOT}dist/run-docker.1`);
}
