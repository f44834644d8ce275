import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { formatError, UsageError } from "../lib/core/errors.ts";
import { InvalidReferenceError } from "../lib/core/reference.ts";
import { validateRunRequest } from "../lib/core/request.ts";

const validate = (...argv: string[]) => validateRunRequest(parseRunRequest(argv));

const errors: [string, string[], RegExp][] = [
  ["no image", [], /no image given/],
  ["a bad memory size", ["--memory", "12x", "i"], /invalid --memory value "12x"/],
  ["a bad -m size", ["-m", "lots", "i"], /invalid --memory value "lots"/],
  ["a bad shm size", ["--shm-size=4gigs", "i"], /invalid --shm-size value "4gigs"/],
  ["port 0", ["--notebook-port", "0", "i"], /invalid --notebook-port value "0"/],
  ["port 65536", ["--nb_port", "65536", "i"], /invalid --notebook-port value "65536"/],
  [
    "a port that is not a number",
    ["--nb_port", "http", "i"],
    /invalid --notebook-port value "http"/,
  ],
  ["--hostsrcdir no", ["--hostsrcdir", "no", "i"], /--hostsrcdir cannot be 'no'/],
  ["an empty --hostdatadir", ["--hostdatadir=", "i"], /--hostdatadir needs a directory/],
  ["--detach=maybe", ["--detach=maybe", "i"], /invalid boolean value "maybe" for --detach/],
  ["--privileged=yes", ["--privileged=yes", "i"], /invalid boolean value "yes" for --privileged/],
  ["-P=2 (a grouped boolean)", ["-P=2", "i"], /invalid boolean value "2" for --publish-all/],
  ["--root --user 5", ["--root", "--user", "5", "i"], /^--root and --user do not go together$/],
  ["-u=5 --root", ["-u=5", "--root", "i"], /^--root and --user do not go together$/],
  ["--root -u root", ["--root", "-u", "root", "i"], /^--root and --user do not go together$/],
];
for (const [name, argv, message] of errors) {
  Deno.test(`validateRunRequest() rejects ${name}`, () => {
    assert.throws(
      () => validate(...argv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  });
}

const swallowed: [string, string[], string, string][] = [
  [
    "-e",
    ["-e", "demo/app"],
    `no image given (-e took "demo/app" as its value)`,
    "-e takes a value: give it one, then IMAGE (run-docker -e VALUE demo/app)",
  ],
  [
    "--workdir",
    ["--rm", "--workdir", "demo/app"],
    `no image given (--workdir took "demo/app" as its value)`,
    "--workdir takes a value: give it one, then IMAGE (run-docker --workdir VALUE demo/app)",
  ],
  [
    "--label",
    ["--label", "demo/app:1"],
    `no image given (--label took "demo/app:1" as its value)`,
    "--label takes a value: give it one, then IMAGE (run-docker --label VALUE demo/app:1)",
  ],
  [
    "the last letter of a group",
    ["-ite", "demo/app"],
    `no image given (-e took "demo/app" as its value)`,
    "-e takes a value: give it one, then IMAGE (run-docker -e VALUE demo/app)",
  ],
  [
    "run-docker's own --hostdatadir",
    ["--hostdatadir", "demo/app"],
    `no image given (--hostdatadir took "demo/app" as its value)`,
    "--hostdatadir takes a value: give it one, then IMAGE (run-docker --hostdatadir VALUE demo/app)",
  ],
  [
    "a value that is no reference (not echoed in the hint)",
    ["--memory", "a b"],
    `no image given (--memory took "a b" as its value)`,
    "--memory takes a value: give it one, then IMAGE (run-docker --memory VALUE IMAGE)",
  ],
  [
    "a glued value (no option to blame)",
    ["--hostdatadir=d", "-eK=V"],
    "no image given",
    "usage: run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]",
  ],
  [
    "a boolean last",
    ["-e", "K=V", "--rm"],
    "no image given",
    "usage: run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]",
  ],
];
for (const [name, argv, message, hint] of swallowed) {
  Deno.test(`validateRunRequest() says which option took the image: ${name}`, () => {
    const { lines, exitCode } = formatError((() => {
      try {
        validate(...argv);
      } catch (e) {
        return e;
      }
    })());
    assert.deepEqual(lines, [`run-docker: error: ${message}`, `hint: ${hint}`]);
    assert.equal(exitCode, 125);
  });
}

Deno.test("validateRunRequest() accepts docker's size spellings", () => {
  for (const size of ["12g", "12G", "512m", "1.5g", "1024", "4gb", "2GiB", "100k"]) {
    assert.equal(validate("--memory", size, "i").reference.repository, "library/i");
  }
});

Deno.test("validateRunRequest() reports a bad reference as InvalidReferenceError with a hint", () => {
  assert.throws(() => validate("alpine:"), InvalidReferenceError);
  const { lines, exitCode } = formatError((() => {
    try {
      validate("Alpine");
    } catch (e) {
      return e;
    }
  })());
  assert.equal(exitCode, 125);
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^run-docker: error: cannot parse image reference "Alpine": repository name must be lowercase/,
  );
  assert.match(lines[1], /^hint: /);
});

Deno.test("formatError() gives one line and a hint for a bug, never a stack", () => {
  const { lines, exitCode } = formatError(new TypeError("x is undefined"));
  assert.deepEqual(lines[0], "run-docker: error: x is undefined");
  assert.equal(lines.length, 2);
  assert.equal(exitCode, 125);
});

const choices: [string, string[], string, string][] = [
  [
    "an --emit format",
    ["--emit", "yaml", "i"],
    `invalid --emit value "yaml"`,
    "one of compose, kubernetes, k8s",
  ],
  [
    "a --tag-order",
    ["--tag-order=newest", "i"],
    `invalid --tag-order value "newest"`,
    "one of natural, semver, alphabetical, numerical, auto",
  ],
  [
    "an empty --hostlogdir",
    ["--hostlogdir=", "i"],
    "--hostlogdir needs a directory",
    "give a path, or 'no' for no mount",
  ],
];
for (const [name, argv, message, hint] of choices) {
  Deno.test(`validateRunRequest() checks ${name} against its option row`, () => {
    assert.throws(
      () => validate(...argv),
      (e: unknown) => e instanceof UsageError && e.message === message && e.hint === hint,
    );
  });
}

Deno.test("validateRunRequest() accepts each --emit format and --tag-order of the rows", () => {
  for (const format of ["compose", "kubernetes", "k8s"]) {
    assert.equal(validate("--emit", format, "i").own.emit, format);
  }
  assert.deepEqual(validate("--tag-order", "semver", "i").tagPolicy, { order: "semver" });
});

Deno.test("validateRunRequest() --root with --user: one error line and a hint; --root=false goes", () => {
  let error: unknown;
  try {
    validate("--root", "--user", "5", "i");
  } catch (e) {
    error = e;
  }
  assert.deepEqual(formatError(error), {
    lines: [
      "run-docker: error: --root and --user do not go together",
      "hint: --root runs as root with HOME=/root; leave out one of them",
    ],
    exitCode: 125,
  });
  assert.equal(validate("--root=false", "--user", "5", "i").own.root, false);
  assert.equal(validate("--root", "i").own.root, true);
});
