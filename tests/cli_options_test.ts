import assert from "node:assert/strict";
import {
  completionSpecs,
  OPTION_TABLE,
  type OptionRow,
  parseCommandLine,
  parseRunRequest,
  rowsOf,
  type Scope,
  tokenize,
} from "../lib/core/cli.ts";
import { DOCKER_RUN_OPTIONS } from "../lib/core/docker_run_options.ts";
import { HELP_WIDTH, helpRows, helpText, wrapWords } from "../lib/core/help.ts";

const table = OPTION_TABLE as readonly OptionRow[];

Deno.test("OPTION_TABLE: names and fields are unique per scope, none shadows docker's", () => {
  const docker = new Set(DOCKER_RUN_OPTIONS.map((o) => o.long));
  for (const scope of ["run", "update"] as Scope[]) {
    const rows = rowsOf(scope);
    const names = rows.flatMap((row) => [row.long, ...(row.aliases ?? [])]);
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], `${scope}: names`);
    const fields = rows.map((row) => row.field);
    assert.deepEqual(fields.filter((f, i) => fields.indexOf(f) !== i), [], `${scope}: fields`);
    assert.deepEqual(names.filter((name) => docker.has(name)), [], `${scope}: shadows docker`);
  }
  const dockerRows = table.filter((row) => row.owner === "docker").map((row) => row.long);
  assert.deepEqual(dockerRows.filter((long) => !docker.has(long)), []);
});

Deno.test("OPTION_TABLE: the parsed own values have exactly one field per run row", () => {
  const own = parseRunRequest(["--tag-filter=x", "--emit=compose", "--nb_port=1", "img"]).own;
  const switches = rowsOf("run").filter((row) => row.value.kind === "none").map((r) => r.field);
  assert.deepEqual(
    Object.keys(own).sort(),
    [...switches, "tagFilter", "emit", "notebookPort"].sort(),
  );
  for (const field of switches) assert.equal((own as Record<string, unknown>)[field], false);
});

Deno.test("OPTION_TABLE: TypeScript rejects a row without a field or a value row without a placeholder", () => {
  const rows: OptionRow[] = [
    // @ts-expect-error a run-docker row needs the field it fills
    {
      owner: "run-docker",
      long: "x",
      scopes: ["run"],
      repeatable: false,
      value: { kind: "none" },
      help: "",
    },
    // @ts-expect-error a value row needs its placeholder for --help
    {
      owner: "run-docker",
      long: "y",
      field: "y",
      scopes: ["run"],
      repeatable: false,
      value: { kind: "text" },
      help: "",
    },
  ];
  assert.equal(rows.length, 2);
});

Deno.test("tokenize() yields own, docker and operands tokens, operands last", () => {
  const tokens = [...tokenize(["--nb_port=9", "-dit", "--cpus", "2", "--", "-img", "x"], "run")];
  assert.deepEqual(
    tokens.map((t) =>
      t.kind === "own"
        ? [t.kind, t.row.long, t.spelled, t.value]
        : t.kind === "docker"
        ? [t.kind, t.pass.tokens]
        : [t.kind, t.operands]
    ),
    [
      ["own", "notebook-port", "--nb_port", "9"],
      ["docker", ["-dit"]],
      ["docker", ["--cpus", "2"]],
      ["operands", ["-img", "x"]],
    ],
  );
  assert.deepEqual([...tokenize([], "run")], [{ kind: "operands", operands: [] }]);
});

Deno.test("tokenize() gives --version a value after --self-update only", () => {
  const values = (argv: string[], scope: Scope) =>
    [...tokenize(argv, scope)].map((t) => t.kind === "own" ? t.value : t.kind);
  assert.deepEqual(values(["--version", "1.0"], "run"), [undefined, "operands"]);
  assert.deepEqual(values(["--version", "1.0"], "update"), ["1.0", "operands"]);
});

Deno.test("parseCommandLine() says what the command line asks for", () => {
  assert.deepEqual(parseCommandLine(["--self-update", "--local"]), {
    kind: "self-update",
    request: { local: true },
  });
  const run = parseCommandLine(["--dry-run", "img", "--self-update"]);
  assert.equal(run.kind, "run");
  assert.deepEqual(run.kind === "run" && run.request.command, ["--self-update"]);
});

Deno.test("helpRows() lists every row once, in table order, docker's short names from its table", () => {
  assert.deepEqual(helpRows().map(([left]) => left), [
    "--dry-run",
    "--local",
    "--root",
    "--notebook-port, --nb_port PORT",
    "--hostdatadir DIR",
    "--hostlogdir DIR",
    "--hostsrcdir DIR",
    "--tag-order ORDER",
    "--tag-filter REGEX",
    "--tag-range RANGE",
    "--list-tags",
    "--resolve",
    "--json",
    "--emit FORMAT",
    "--print-config",
    "--ps",
    "--cleanup",
    "--yes",
    "--config-schema",
    "--completions SHELL",
    "--explain",
    "--help",
    "--version",
    "-m, --memory SIZE",
    "--shm-size SIZE",
    "--name NAME",
    "-d, --detach",
    "--restart POLICY",
    "--self-update [--version X] [--archive FILE]",
  ]);
  assert.deepEqual(helpRows().map(([, right]) => right).slice(-6), [
    "memory limit (default 12g)",
    "size of /dev/shm (default 4g)",
    "container name (default <user>-<image>-<YYYYMMDD-HHMMSS>-<4 hex>)",
    "run in the background (no --rm, no -i/-t)",
    "restart policy (no --rm)",
    "replace this binary with a release (FILE: air-gapped)",
  ]);
});

Deno.test("helpText() lists each row under Options: its names, then its description", () => {
  const text = helpText("9.9.9");
  const options = text.slice(text.indexOf("\nOptions:\n"), text.indexOf("\nCommands with"));
  const flat = options.replace(/\s+/g, " ");
  for (const [left, right] of helpRows()) {
    assert.ok(options.includes(`\n  ${left} `) || options.includes(`\n  ${left}\n`), left);
    assert.ok(flat.includes(` ${left} ${right.replace(/\s+/g, " ")} `), left);
  }
  assert.ok(text.startsWith("run-docker 9.9.9: run a project's Docker image the right way\n"));
});

Deno.test("helpText() fits an 80-column terminal: no line is wider", () => {
  for (const version of ["0.1.0", "10.20.300-rc.1+build.4"]) {
    const wide = helpText(version).split("\n").filter((line) => line.length > HELP_WIDTH);
    assert.deepEqual(wide, [], `${wide.length} lines wider than ${HELP_WIDTH}`);
  }
  assert.equal(HELP_WIDTH, 80);
});

Deno.test("helpText() puts a description on the next line when the names are too wide", () => {
  const text = helpText("9.9.9");
  assert.match(
    text,
    /\n {2}--self-update \[--version X\] \[--archive FILE\]\n {35}replace this binary/,
  );
  assert.match(
    text,
    /\n {2}--tag-order ORDER {16}how tags order when none is given: auto\n {35}\(default\), natural/,
  );
});

Deno.test("wrapWords() breaks at spaces within the width; a longer word stands alone", () => {
  assert.deepEqual(wrapWords("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
  assert.deepEqual(wrapWords("  one\n two  ", 80), ["one two"]);
  assert.deepEqual(wrapWords("x averyveryverylongword y", 5), ["x", "averyveryverylongword", "y"]);
  assert.deepEqual(wrapWords("", 10), []);
});

Deno.test("completionSpecs() gives each option its spellings and what its value is", () => {
  const byName = (scope: Scope, name: string) =>
    completionSpecs(scope).find((spec) => spec.names.includes(name));
  assert.deepEqual(byName("run", "--nb_port"), {
    names: ["--notebook-port", "--nb_port"],
    help: "host port of `notebook` (default 8888)",
    value: { kind: "text" },
  });
  assert.deepEqual(byName("run", "--hostsrcdir")?.value, { kind: "directory" });
  assert.deepEqual(byName("run", "--tag-order")?.value, {
    kind: "choice",
    values: ["natural", "semver", "alphabetical", "numerical", "auto"],
  });
  assert.deepEqual(byName("run", "--emit")?.value, {
    kind: "choice",
    values: ["compose", "kubernetes", "k8s"],
  });
  assert.deepEqual(byName("run", "--dry-run")?.value, { kind: "none" });
  assert.deepEqual(byName("run", "-m"), {
    names: ["-m", "--memory"],
    help: "memory limit (default 12g)",
    value: { kind: "text" },
  });
  assert.deepEqual(byName("run", "--env-file")?.value, { kind: "file" });
  assert.deepEqual(byName("run", "--pull")?.value, {
    kind: "choice",
    values: ["always", "missing", "never"],
  });
  assert.deepEqual(byName("run", "--rm"), { names: ["--rm"], value: { kind: "none" } });
  assert.equal(byName("run", "--archive"), undefined);
  assert.deepEqual(
    completionSpecs("update").map((spec) => [spec.names, spec.value.kind]),
    [[["--local"], "none"], [["--self-update"], "none"], [["--version"], "text"], [
      ["--archive"],
      "file",
    ]],
  );
  assert.equal(
    completionSpecs("run").length,
    rowsOf("run").filter((row) => !row.hidden).length + DOCKER_RUN_OPTIONS.length,
  );
  assert.equal(byName("run", "--complete-images"), undefined); // the scripts' own, hidden
  assert.deepEqual(byName("run", "--completions")?.value, {
    kind: "choice",
    values: ["bash", "zsh", "fish"],
  });
});
