/**
 * The attack corpus's harness: a fake engine that records every call and
 * answers like docker for the queries run-docker makes, a temp HOME per case
 * with planted secrets, a pool that runs the program as shipped (the bundle
 * with the binary's permission flags, or `RUN_DOCKER_BIN`) a few at a time,
 * and the checks every outcome must pass.
 *
 * No network: every vector carries `--local`, and the proxies and the release
 * URL point at a closed loopback port, so a slip fails fast instead of leaving.
 *
 * @module
 */

import { PERMISSION_FLAGS, runDockerCommand } from "../scripts/permissions.ts";
import { asDocker } from "./corpus_docker.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** Secrets planted in every case's environment and docker config; none may be printed. */
export const SECRETS = {
  env: "planted-env-3c9d1e7a",
  password: "planted-pw-8b2f55c0",
} as const;
const AUTH = btoa(`corpus:${SECRETS.password}`);
const DOCKER_CONFIG = JSON.stringify({
  auths: {
    "https://index.docker.io/v1/": { auth: AUTH },
    "registry.example.com": { auth: AUTH },
    "localhost:5000": { username: "corpus", password: SECRETS.password },
  },
});

/**
 * The fake docker CLI: appends `<argc>\n` and each argument NUL-terminated to
 * `$CORPUS_ENGINE_LOG`; lists tags 1.0, 2.0 and latest; says every image exists;
 * "runs" anything with exit 0.
 */
const FAKE_ENGINE = `#!/bin/sh
{ printf '%s\\n' "$#"; for a in "$@"; do printf '%s\\0' "$a"; done; } >> "$CORPUS_ENGINE_LOG"
case "$1 $2" in
  "image ls") printf '1.0\\n2.0\\nlatest\\n' ;;
  "image inspect") printf 'sha256:%064d\\n' 0 ;;
  "kill "*) exit 1 ;;
esac
exit 0
`;

/** The fixed frame of every case: where things are. */
export interface Harness {
  readonly base: string;
  readonly engine: string;
  readonly program: (args: string[]) => [string, string[]];
  /** deno's cache as this test sees it: a fresh HOME must not make deno analyse the bundle anew. */
  readonly denoDir: string;
}

/** Whether the program as shipped is there; the corpus needs it (`deno task bundle`). */
export function programMissing(): string | undefined {
  if (Deno.env.get("RUN_DOCKER_BIN")) return undefined;
  try {
    Deno.statSync(`${ROOT}dist/run-docker.js`);
    return undefined;
  } catch {
    return "dist/run-docker.js is missing: run 'deno task bundle' first";
  }
}

/** Makes the temp base and the fake engine. */
export async function openHarness(): Promise<Harness> {
  const base = await Deno.makeTempDir({ prefix: "run-docker-corpus-" });
  const engine = `${base}/fake-docker`;
  await Deno.writeTextFile(engine, FAKE_ENGINE, { mode: 0o755 });
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
  return { base, engine, program: runDockerCommand, denoDir };
}

/** One case: argv, and files to put in its HOME (relative path → content) before it runs. */
export interface Case {
  readonly label: string;
  readonly argv: string[];
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Symlinks to make in HOME (relative path → target). */
  readonly symlinks?: Readonly<Record<string, string>>;
  /** Make `~/work/src/app` (dev mode for the image `app`). */
  readonly devMode?: boolean;
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What one case did. */
export interface Outcome {
  readonly label: string;
  readonly argv: string[];
  /** Milliseconds the case took (its process, or its main() call). */
  readonly ms: number;
  /** Run as its own process (the bundle), or by main() in a batch process. */
  readonly via: "process" | "in-process";
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every call the fake engine got, each as its argv. */
  readonly calls: string[][];
  /** What docker itself would have refused or got wrong in the `run` calls (see {@link asDocker}). */
  readonly dockerProblems: string[];
  /** HOME's tree before and after (relative paths). */
  readonly before: string[];
  readonly after: string[];
}

interface Prepared {
  readonly home: string;
  readonly log: string;
  readonly env: Record<string, string>;
  readonly before: string[];
}

/** Makes a case's HOME (docker config with planted credentials, files) and its environment. */
async function prepare(h: Harness, index: number, c: Case): Promise<Prepared> {
  const home = `${h.base}/home-${index}`;
  await Deno.mkdir(`${home}/.docker`, { recursive: true });
  await Deno.writeTextFile(`${home}/.docker/config.json`, DOCKER_CONFIG);
  if (c.devMode) await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
  for (const [path, content] of Object.entries(c.files ?? {})) {
    const full = `${home}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
  for (const [path, target] of Object.entries(c.symlinks ?? {})) {
    const full = `${home}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.symlink(target, full);
  }
  const log = `${h.base}/engine-${index}.log`;
  await Deno.writeFile(log, new Uint8Array());
  const env = {
    DENO_NO_UPDATE_CHECK: "1",
    DENO_DIR: h.denoDir,
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    TZ: "UTC",
    HOSTSECRET: SECRETS.env,
    RUN_DOCKER_ENGINE: h.engine,
    CORPUS_ENGINE_LOG: log,
    // Nothing may leave the machine: a slip meets a closed loopback port.
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    RUN_DOCKER_DOWNLOAD_URL: "http://127.0.0.1:9/",
    ...c.env,
  };
  return { home, log, env, before: tree(home) };
}

async function finish(
  c: Case,
  p: Prepared,
  result: { code: number; stdout: string; stderr: string; ms: number },
  via: Outcome["via"],
): Promise<Outcome> {
  const calls = parseEngineLog(await Deno.readFile(p.log));
  const outcome: Outcome = {
    label: c.label,
    argv: c.argv,
    via,
    ...result,
    calls,
    dockerProblems: calls.filter((call) => call[0] === "run").flatMap(asDocker),
    before: p.before,
    after: tree(p.home),
  };
  await Deno.remove(p.home, { recursive: true });
  await Deno.remove(p.log);
  return outcome;
}

/** Runs one case through the program as shipped, in its own HOME under the harness base. */
export async function runCase(h: Harness, index: number, c: Case): Promise<Outcome> {
  const p = await prepare(h, index, c);
  const [cmd, args] = h.program(c.argv);
  const started = performance.now();
  const output = await new Deno.Command(cmd, {
    args,
    cwd: p.home,
    clearEnv: true,
    env: p.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const decoder = new TextDecoder();
  return await finish(c, p, {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms: performance.now() - started,
  }, "process");
}

/**
 * Runs cases in-process: one deno process (tests/corpus_batch.ts, with the binary's
 * permission flags) calls main() from main.ts for each, with its environment, cwd and
 * captured output; the fake engine and the checks are the same.
 */
export async function runInProcess(h: Harness, first: number, cases: readonly Case[]) {
  const prepared: Prepared[] = [];
  for (const [k, c] of cases.entries()) prepared.push(await prepare(h, first + k, c));
  const input = `${h.base}/batch-${first}.json`;
  const output = `${h.base}/batch-${first}.out.json`;
  await Deno.writeTextFile(
    input,
    JSON.stringify(cases.map((c, k) => ({ argv: c.argv, env: prepared[k].env }))),
  );
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSION_FLAGS,
      `${ROOT}tests/corpus_batch.ts`,
      input,
      output,
    ],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!child.success) throw new Error(`tests/corpus_batch.ts exited ${child.code}`);
  const results: { code: number; stdout: string; stderr: string; ms: number }[] = JSON.parse(
    await Deno.readTextFile(output),
  );
  const outcomes: Outcome[] = [];
  for (const [k, c] of cases.entries()) {
    outcomes.push(await finish(c, prepared[k], results[k], "in-process"));
  }
  return outcomes;
}

/**
 * Runs the cases: every `stride`-th (0, stride, 2·stride, ...) as its own process,
 * `parallel` at a time, and the others in-process in one batch alongside.
 *
 * @returns The outcomes in the order of the cases.
 */
export async function runAll(
  h: Harness,
  cases: readonly Case[],
  { stride = 3, parallel = 3 } = {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  const own = [...cases.keys()].filter((i) => i % stride === 0);
  const batched = [...cases.keys()].filter((i) => i % stride !== 0);
  let next = 0;
  const worker = async () => {
    while (next < own.length) {
      const i = own[next++];
      outcomes[i] = await runCase(h, i, cases[i]);
    }
  };
  const batch = async () => {
    const results = await runInProcess(h, cases.length, batched.map((i) => cases[i]));
    for (const [k, i] of batched.entries()) outcomes[i] = results[k];
  };
  await Promise.all([batch(), ...Array.from({ length: parallel }, worker)]);
  return outcomes;
}

function parseEngineLog(bytes: Uint8Array): string[][] {
  const decoder = new TextDecoder();
  const calls: string[][] = [];
  let i = 0;
  while (i < bytes.length) {
    const newline = bytes.indexOf(10, i);
    const count = Number(decoder.decode(bytes.subarray(i, newline)));
    i = newline + 1;
    const call: string[] = [];
    for (let k = 0; k < count; k++) {
      const nul = bytes.indexOf(0, i);
      call.push(decoder.decode(bytes.subarray(i, nul)));
      i = nul + 1;
    }
    calls.push(call);
  }
  return calls;
}

function tree(dir: string, prefix = ""): string[] {
  const paths: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${prefix}${entry.name}`;
    paths.push(entry.isDirectory ? `${path}/` : path);
    if (entry.isDirectory) paths.push(...tree(`${dir}/${entry.name}`, `${path}/`));
  }
  return paths.sort();
}

/** Engine calls that change something: only a run that goes ahead may make them. */
const ACTING = new Set(["run", "pull", "create", "start", "exec", "build", "load", "rm"]);

/**
 * The rules every outcome obeys; returns what it broke (empty when nothing).
 *
 * - exit 0 or 125;
 * - stderr: only run-docker's own lines, at most one `run-docker: error:` and one `hint:`,
 *   the error last, no stack trace, no "looks like a bug";
 * - on 125: nothing on stdout, the engine never asked to run or pull, HOME unchanged;
 * - no planted secret anywhere in stdout or stderr.
 */
export function problems(o: Outcome): string[] {
  const found: string[] = [];
  if (o.code !== 0 && o.code !== 125) found.push(`exit ${o.code}`);
  const lines = o.stderr.split("\n").filter((l) => l !== "");
  const errors = lines.filter((l) => l.startsWith("run-docker: error:"));
  const hints = lines.filter((l) => l.startsWith("hint: "));
  const foreign = lines.filter((l) => !l.startsWith("run-docker: ") && !l.startsWith("hint: "));
  if (errors.length > 1) found.push(`${errors.length} error lines`);
  if (hints.length > 1) found.push(`${hints.length} hint lines`);
  if (foreign.length > 0) found.push(`foreign stderr line ${JSON.stringify(foreign[0])}`);
  if (/^\s+at |Uncaught|Stack backtrace|looks like a bug/m.test(o.stderr)) {
    found.push("a stack trace or a bug report");
  }
  if (o.code === 125) {
    if (errors.length !== 1 || hints.length !== 1) found.push("125 without error + hint");
    else if (lines.at(-1) !== hints[0] || lines.at(-2) !== errors[0]) {
      found.push("error + hint not last");
    }
    if (o.stdout !== "") found.push("stdout on an error");
    // `user: auto` reads the image's /etc/passwd through a container it creates and removes
    // at once (labelled so); that one acts on nothing.
    const acting = o.calls.find((call) =>
      ACTING.has(call[0]) && !call.includes("run-docker.purpose=read-image-user")
    );
    if (acting) found.push(`engine asked to ${acting[0]}`);
    if (o.before.join("\n") !== o.after.join("\n")) {
      const made = o.after.filter((p) => !o.before.includes(p));
      found.push(`HOME changed: ${made.slice(0, 3).join(", ")}`);
    }
  } else if (errors.length > 0) {
    found.push(`exit ${o.code} with an error line`);
  }
  found.push(...o.dockerProblems);
  for (const secret of [SECRETS.env, SECRETS.password, AUTH]) {
    if (o.stdout.includes(secret) || o.stderr.includes(secret)) found.push("a planted secret");
  }
  return found;
}

/** Tallies outcomes by exit code and first error words, for the test output. */
export function tally(outcomes: readonly Outcome[]): string {
  const codes = new Map<number, number>();
  for (const o of outcomes) codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
  const ran = outcomes.filter((o) => o.calls.some((c) => c[0] === "run")).length;
  const own = outcomes.filter((o) => o.via === "process").length;
  return [...codes].sort().map(([code, n]) => `exit ${code}: ${n}`).join(", ") +
    `; docker run reached: ${ran}; ${own} as their own process, ${
      outcomes.length - own
    } in-process; slowest: ${
      [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 3).map((o) =>
        `${o.label.slice(0, 40)} ${Math.round(o.ms)} ms (${o.via})`
      ).join(", ")
    }`;
}

/** Formats the broken cases for a failure message: label, argv (shortened), problems, stderr. */
export function report(broken: readonly [Outcome, string[]][]): string {
  const short = (s: string) => s.length > 120 ? `${s.slice(0, 117)}...` : s;
  return broken.slice(0, 15).map(([o, p]) =>
    `- ${o.label} (${o.via}): ${p.join("; ")}\n  argv ${
      short(JSON.stringify(o.argv))
    }\n  exit ${o.code}` +
    `\n  stderr ${short(JSON.stringify(o.stderr))}`
  ).join("\n") + (broken.length > 15 ? `\n... and ${broken.length - 15} more` : "");
}
