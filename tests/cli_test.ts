import assert from "node:assert/strict";
import { type GivenOption, parseRunRequest } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";

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
  ["a missing short value", ["-e"], /option -e needs a value/],
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
