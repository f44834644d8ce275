import assert from "node:assert/strict";
import { type GivenOption, parseRunRequest, parseSelfUpdate } from "../lib/core/cli.ts";
import { UsageError } from "../lib/core/errors.ts";

type Row = [
  name: string,
  argv: string[],
  docker: [string[], GivenOption[]][],
  image?: string,
  command?: string[],
];
const k = (long: string, value?: string): GivenOption => ({ long, value });

const rows: Row[] = [
  [
    "a value option with a space",
    ["--cpus", "2", "img"],
    [[["--cpus", "2"], [k("cpus", "2")]]],
    "img",
  ],
  ["a value option with =", ["--cpus=2", "img"], [[["--cpus=2"], [k("cpus", "2")]]], "img"],
  ["-e K=V", ["-e", "K=V", "img"], [[["-e", "K=V"], [k("env", "K=V")]]], "img"],
  ["-eK=V attached", ["-eK=V", "img"], [[["-eK=V"], [k("env", "K=V")]]], "img"],
  ["-e=K=V", ["-e=K=V", "img"], [[["-e=K=V"], [k("env", "K=V")]]], "img"],
  ["-e NAME (value from docker's environment)", ["-e", "NAME", "img"], [[["-e", "NAME"], [
    k("env", "NAME"),
  ]]], "img"],
  ["-v SRC:DST", ["-v", "/a:/b", "img"], [[["-v", "/a:/b"], [k("volume", "/a:/b")]]], "img"],
  ["-p 8080:80", ["-p", "8080:80", "img"], [[["-p", "8080:80"], [k("publish", "8080:80")]]], "img"],
  ["grouped booleans -it", ["-it", "img"], [[["-it"], [k("interactive"), k("tty")]]], "img"],
  ["grouped booleans -dit", ["-dit", "img"], [[["-dit"], [
    k("detach"),
    k("interactive"),
    k("tty"),
  ]]], "img"],
  ["a group ending in a value option", ["-ite", "A=1", "img"], [[["-ite", "A=1"], [
    k("interactive"),
    k("tty"),
    k("env", "A=1"),
  ]]], "img"],
  ["a group with an attached value", ["-itwfoo", "img"], [[["-itwfoo"], [
    k("interactive"),
    k("tty"),
    k("workdir", "foo"),
  ]]], "img"],
  ["a boolean with a value", ["--rm=false", "img"], [[["--rm=false"], [k("rm", "false")]]], "img"],
  ["repeated options", ["-e", "A=1", "-e", "B=2", "img"], [[["-e", "A=1"], [k("env", "A=1")]], [[
    "-e",
    "B=2",
  ], [
    k("env", "B=2"),
  ]]], "img"],
  ["a value that looks like an option", ["--entrypoint", "--x", "img"], [[["--entrypoint", "--x"], [
    k("entrypoint", "--x"),
  ]]], "img"],
  ["-- ends the options", ["--", "-img"], [], "-img"],
  ["the command after IMAGE is untouched", ["img", "pytest", "-x", "--memory", "5"], [], "img", [
    "pytest",
    "-x",
    "--memory",
    "5",
  ]],
  ["-- after IMAGE belongs to the command", ["img", "--", "a"], [], "img", ["--", "a"]],
  ["no image", ["--rm"], [[["--rm"], [k("rm")]]], undefined],
];

for (const [name, argv, docker, image, command = []] of rows) {
  Deno.test(`parseRunRequest() parses ${name}`, () => {
    const request = parseRunRequest(argv);
    assert.deepEqual(request.docker.map((p) => [p.tokens, p.options]), docker);
    assert.equal(request.image, image);
    assert.deepEqual(request.command, command);
  });
}

Deno.test("parseRunRequest() reads run-docker's own options in every form", () => {
  const request = parseRunRequest([
    "--dry-run",
    "--local",
    "--root",
    "--nb_port=8890",
    "--hostdatadir",
    "no",
    "--hostlogdir=/l",
    "--hostsrcdir",
    "/s",
    "img",
  ]);
  assert.deepEqual(request.own, {
    dryRun: true,
    local: true,
    root: true,
    help: false,
    version: false,
    notebookPort: "8890",
    hostDataDir: "no",
    hostLogDir: "/l",
    hostSrcDir: "/s",
    listTags: false,
    resolve: false,
    json: false,
    printConfig: false,
    ps: false,
    cleanup: false,
    yes: false,
    configSchema: false,
    explain: false,
  });
  assert.deepEqual(request.docker, []);
  assert.equal(parseRunRequest(["--notebook-port", "1", "img"]).own.notebookPort, "1");
  assert.equal(parseRunRequest(["--dry-run=false", "img"]).own.dryRun, false);
});

const errors: [string, string[], RegExp][] = [
  ["an unknown shorthand flag", ["-Z", "img"], /^unknown shorthand flag: "Z" in "-Z"$/],
  ["an unknown letter in a group", ["-itZ", "img"], /^unknown shorthand flag: "Z" in "-itZ"$/],
  ["an unknown --flag", ["--bogus", "img"], /^unknown option "--bogus": neither run-docker's/],
  ["an unknown --flag=value", ["--future=1", "img"], /^unknown option "--future"/],
  ["an unknown option before --help", ["--bogus", "--help"], /^unknown option "--bogus"/],
  ["a missing value", ["--cpus"], /option --cpus needs a value/],
  ["a missing short value", ["-e"], /^option -e \(--env\) needs a value$/],
  // `-h` is docker's --hostname, not help: the message says so.
  ["-h alone", ["-h"], /^option -h \(--hostname\) needs a value$/],
  ["a missing own value", ["--notebook-port"], /option --notebook-port needs a value/],
  [
    "a bad boolean on an own option",
    ["--local=maybe", "img"],
    /invalid boolean value "maybe" for --local/,
  ],
  ["an empty long option", ["--=x", "img"], /invalid option "--=x"/],
];
for (const [name, argv, message] of errors) {
  Deno.test(`parseRunRequest() rejects ${name}`, () => {
    assert.throws(
      () => parseRunRequest(argv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  });
}

const guesses: [string, string[], string][] = [
  ["a misspelled docker option", ["--memroy", "4g", "img"], "did you mean --memory? "],
  ["a misspelled own option", ["--dry_run", "img"], "did you mean --dry-run? "],
  ["an upper-case option", ["--LOCAL", "img"], "did you mean --local? "],
  ["a long option with one dash", ["-rm", "img"], "did you mean --rm? "],
  ["nothing near", ["--zzzzzzzzzzzz", "img"], "see 'run-docker --help' and 'docker run --help'"],
];
for (const [name, argv, hint] of guesses) {
  Deno.test(`parseRunRequest() hints at the option meant for ${name}`, () => {
    assert.throws(
      () => parseRunRequest(argv),
      (e: unknown) => e instanceof UsageError && e.hint.startsWith(hint),
    );
  });
}

Deno.test("parseRunRequest() shows at most 80 characters of a huge option", () => {
  assert.throws(
    () => parseRunRequest([`--${"x".repeat(100_000)}`, "img"]),
    (e: unknown) => e instanceof UsageError && e.message.length < 160,
  );
});

const twice: [string, string[], string][] = [
  ["a switch", ["--dry-run", "--dry-run", "img"], "--dry-run"],
  ["a switch given true then false", ["--local", "--local=false", "img"], "--local"],
  [
    "a value option under its alias",
    ["--nb_port", "1", "--notebook-port=2", "img"],
    "--notebook-port",
  ],
  ["a directory", ["--hostdatadir=/a", "--hostdatadir", "/b", "img"], "--hostdatadir"],
  ["--emit", ["--emit", "compose", "--emit=k8s", "img"], "--emit"],
];
for (const [name, argv, spelled] of twice) {
  Deno.test(`parseRunRequest() rejects a run-docker option given twice: ${name}`, () => {
    assert.throws(
      () => parseRunRequest(argv),
      (e: unknown) =>
        e instanceof UsageError && e.message === `option ${spelled} given twice` &&
        e.hint === `give ${spelled} once: run-docker's own options do not repeat`,
    );
  });
}

Deno.test("parseRunRequest() keeps docker's rules for docker's options given twice", () => {
  const request = parseRunRequest(["--rm", "--rm=false", "--name=a", "--name=b", "-e", "A", "img"]);
  assert.deepEqual(request.docker.map((p) => p.tokens), [
    ["--rm"],
    ["--rm=false"],
    ["--name=a"],
    ["--name=b"],
    ["-e", "A"],
  ]);
});

Deno.test("parseRunRequest() reads --emit FORMAT (checked later against its row's list)", () => {
  assert.equal(parseRunRequest(["--emit", "k8s", "img"]).own.emit, "k8s");
  assert.equal(parseRunRequest(["--emit=compose", "img"]).own.emit, "compose");
  assert.equal(parseRunRequest(["img"]).own.emit, undefined);
});

const updates: [string, string[], Record<string, unknown> | undefined][] = [
  ["--self-update alone", ["--self-update"], { local: false }],
  [
    "every option of --self-update",
    ["--self-update", "--version", "1.2.0", "--archive=/r.tar.gz", "--local"],
    { local: true, version: "1.2.0", archive: "/r.tar.gz" },
  ],
  [
    "--archive before --self-update",
    ["--archive", "/r.tar.gz", "--self-update"],
    { local: false, archive: "/r.tar.gz" },
  ],
  ["--self-update=true", ["--self-update=true", "--version=2"], { local: false, version: "2" }],
  ["--self-update after IMAGE (the container's command)", ["img", "--self-update"], undefined],
  ["--version alone (print the version)", ["--version"], undefined],
  ["a run", ["--dry-run", "-e", "A", "img"], undefined],
];
for (const [name, argv, expected] of updates) {
  Deno.test(`parseSelfUpdate() reads ${name}`, () => {
    assert.deepEqual(parseSelfUpdate(argv), expected);
  });
}

const USAGE = "run-docker --self-update [--version X] [--archive FILE]";
const updateErrors: [string, string[], string, string?][] = [
  [
    "a run option",
    ["--self-update", "--dry-run"],
    `--self-update takes --version X, --archive FILE and --local, not "--dry-run"`,
    USAGE,
  ],
  [
    "a docker option before it",
    ["-e", "X", "--self-update"],
    `--self-update takes --version X, --archive FILE and --local, not "-e"`,
    USAGE,
  ],
  [
    "an IMAGE",
    ["--self-update", "img"],
    `--self-update takes --version X, --archive FILE and --local, not "img"`,
    USAGE,
  ],
  ["a missing version", ["--self-update", "--version"], "option --version needs a value"],
  [
    "--archive twice",
    ["--self-update", "--archive", "a", "--archive=b"],
    "option --archive given twice",
  ],
  ["--self-update=false", ["--self-update=false"], "--self-update=false asks for nothing", USAGE],
];
for (const [name, argv, message, hint] of updateErrors) {
  Deno.test(`parseSelfUpdate() rejects ${name}`, () => {
    assert.throws(
      () => parseSelfUpdate(argv),
      (e: unknown) =>
        e instanceof UsageError && e.message === message && (hint === undefined || e.hint === hint),
    );
  });
}

Deno.test("parseRunRequest() says an option of --self-update goes with it", () => {
  assert.throws(
    () => parseRunRequest(["--archive", "r.tar.gz", "img"]),
    (e: unknown) =>
      e instanceof UsageError && e.message === "--archive goes with --self-update" &&
      e.hint === USAGE,
  );
});
