/**
 * The attack corpus's generators: command lines and hostile config files,
 * made deterministically from a seed (mulberry32), so a failure names a case
 * that comes back on every run.
 *
 * @module
 */

/** A seeded PRNG: floats in [0, 1), the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks helpers over one PRNG. */
export class Dice {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = prng(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  /** One element. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.#next() < p;
  }
}

/** A command line as options (each a group of tokens), IMAGE, and the command. */
interface Vector {
  options: string[][];
  image?: string;
  command: string[];
  /** `--` before IMAGE. */
  dashDash?: boolean;
}

const DIGEST = `sha256:${"ab".repeat(32)}`;

/** Valid command lines (after the `--local` every vector starts with). */
const VALID: readonly Vector[] = [
  { options: [["--dry-run"]], image: "app:1.0", command: [] },
  { options: [], image: "app:1.0", command: ["true"] },
  { options: [["-it"], ["-e", "A=1"]], image: "app", command: ["echo", "hi"] },
  { options: [["--memory", "4g"], ["--shm-size=1g"]], image: "app:2.0", command: [] },
  {
    options: [["--hostdatadir", "no"], ["--hostlogdir", "~/elsewhere/log"]],
    image: "app:1.0",
    command: [],
  },
  {
    options: [["--tag-order", "semver"], ["--tag-range", "^1"], ["--dry-run"]],
    image: "app",
    command: [],
  },
  { options: [["--list-tags"]], image: "app", command: [] },
  { options: [["--resolve"], ["--json"]], image: "app", command: [] },
  { options: [["--print-config"]], image: "app", command: [] },
  { options: [["--print-config"]], command: [] },
  { options: [["--explain"], ["--dry-run"]], image: "app:1.0", command: [] },
  {
    options: [["-d"], ["--restart", "unless-stopped"]],
    image: "app:1.0",
    command: ["serve"],
  },
  {
    options: [["--name", "job1"], ["-v", "/scratch:/scratch"], ["-p", "8080:80"]],
    image: "app:1.0",
    command: [],
  },
  {
    options: [["--root"], ["--notebook-port", "8890"], ["--dry-run"]],
    image: "app:1.0",
    command: ["notebook"],
  },
  {
    options: [["-eLEVEL=3"], ["-e=B=2"], ["--cpus=2"], ["-itw/tmp"]],
    image: `app@${DIGEST}`,
    command: [],
  },
  { options: [["--help"]], command: [] },
  { options: [["--version"]], command: [] },
  { options: [["--tag-filter", "^(?<version>\\d+)\\.0$"]], image: "app", command: [] },
  { options: [], image: "app:1.0", command: ["--bogus"], dashDash: true },
  {
    options: [["-m", "512m"], ["--rm=false"], ["--init=true"]],
    image: "app:1.0",
    command: ["--memory", "5"],
  },
  { options: [["--user", "1000:1000"], ["--workdir", "/w"]], image: "app:1.0", command: [] },
  { options: [["--pull", "never"], ["--dry-run"]], image: "app:1.0", command: [] },
  {
    options: [["--nb_port=8891"], ["--dry-run"]],
    image: "localhost:5000/team/app:1.0",
    command: [],
  },
];

const UNICODE = [
  "значение",
  "🐳",
  "\u202eevil",
  "a\u200bb",
  "ＡＰＰ",
  "é",
  "\ud83d",
  "日本語",
  "e\u0301",
];
const CONTROL = ["a\nb", "\t", "\x1b[31mred\x1b[0m", "\r", "line\n\nrun-docker: error: fake"];
const HUGE = () => "x".repeat(100_000);

const UNKNOWN_LONG = [
  "--bogus",
  "--memroy",
  "--dry_run",
  "--DRY-RUN",
  "--Local",
  "--mémoire",
  "--e",
  "---rm",
  "--rm-",
  "--no-rm",
  "--self_update",
  "--nb-port",
  "--tag_order",
  "--hostdatadir-",
  "--docker-host",
  "--listtags",
  "--x=1",
  "--bogus=",
  "--=",
  "--🐳",
  "--help-me",
  "--versions",
];
const BAD_GROUPS = [
  ["-itx"],
  ["-iZ"],
  ["-ie"],
  ["-m4g"],
  ["-m="],
  ["-Pq"],
  ["-é"],
  ["-𝒳"],
  ["-"],
  ["-="],
  ["-i=t"],
  ["-i=maybe"],
  ["-dit"],
  ["-rm"],
  ["-dry-run"],
  ["-e"],
  ["-tv"],
  ["-v="],
];
const BAD_VALUES: string[][] = [
  ["--memory", "12x"],
  ["-m", ""],
  ["--memory="],
  ["--shm-size", "-1g"],
  ["--notebook-port", "0"],
  ["--notebook-port", "70000"],
  ["--notebook-port", "-1"],
  ["--notebook-port", "8.5"],
  ["--tag-order", "bogus"],
  ["--tag-order="],
  ["--tag-filter", "("],
  ["--tag-filter", "(a+)+$"],
  ["--tag-range", ">>1"],
  ["--tag-range", ""],
  ["--hostsrcdir", "no"],
  ["--hostsrcdir", "/nonexistent/src"],
  ["--hostsrcdir", ""],
  ["--hostdatadir="],
  ["--hostlogdir", ""],
  ["--rm=maybe"],
  ["--dry-run=yes"],
  ["--json=1"],
  ["--detach="],
  ["--list-tags=0"],
  ["--privileged=sure"],
  ["--init=2"],
  ["--list-tags"],
  ["--resolve"],
  ["--json"],
  ["--pull", "always"],
  ["--pull=missing"],
  ["--help=false"],
  ["--version=0"],
  ["--explain=nah"],
];
const BAD_IMAGES = [
  "",
  "app:",
  "APP",
  "app@sha256:zz",
  "a//b",
  "app:tag with space",
  "localhost:99999/app",
  "x".repeat(300),
  "../../etc/passwd",
  "app:1.0@sha256:short",
  ":1.0",
  "@",
  "app::1",
  "http://app",
  "docker.io/",
  `app:${"t".repeat(200)}`,
  "αpp",
  "app:ταγ",
  "/app",
  "app/",
  "app\n:1.0",
  "-",
  "app:${HOSTSECRET}",
  "$(touch pwned)",
];
const VALUE_OPTIONS = new Set([
  "--memory",
  "-m",
  "--shm-size",
  "--name",
  "-e",
  "-v",
  "-p",
  "--restart",
  "--notebook-port",
  "--hostdatadir",
  "--hostlogdir",
  "--tag-order",
  "--tag-range",
  "--tag-filter",
  "--user",
  "--workdir",
  "--pull",
]);

type Mutation = (v: Vector, d: Dice) => void;

const insertAt = (v: Vector, d: Dice, group: string[]) =>
  v.options.splice(d.int(v.options.length + 1), 0, group);

/** Each mutation: a name (for the label) and what it does to a copy of a valid vector. */
const MUTATIONS: [string, Mutation][] = [
  ["unknown option", (v, d) => insertAt(v, d, [d.pick(UNKNOWN_LONG)])],
  ["unknown option with value", (v, d) => insertAt(v, d, [d.pick(UNKNOWN_LONG), "value"])],
  ["grouped short flags", (v, d) => insertAt(v, d, d.pick(BAD_GROUPS))],
  ["bad value", (v, d) => insertAt(v, d, d.pick(BAD_VALUES))],
  ["missing value", (v, d) => {
    const at = v.options.findIndex((g) => g.length === 2);
    if (at === -1) v.options.push([d.pick([...VALUE_OPTIONS])]);
    else v.options[at] = [v.options[at][0]];
  }],
  ["value option last", (v, d) => {
    v.options.push([d.pick([...VALUE_OPTIONS])]);
    v.image = undefined;
    v.command = [];
  }],
  ["= form", (v, d) => {
    const at = v.options.findIndex((g) => g.length === 2);
    if (at === -1) return insertAt(v, d, ["--name=", ""]);
    const [name, value] = v.options[at];
    v.options[at] = [d.chance(0.5) ? `${name}=${value}` : `${name}=`];
  }],
  [
    "unicode value",
    (v, d) => insertAt(v, d, [d.pick(["--name", "-e", "--hostlogdir"]), d.pick(UNICODE)]),
  ],
  ["unicode image", (v, d) => v.image = `${d.pick(UNICODE)}${v.image ?? ""}`],
  [
    "control characters",
    (v, d) => insertAt(v, d, [d.pick(["--name", "-e", "--tag-filter"]), d.pick(CONTROL)]),
  ],
  ["empty token", (v, d) => insertAt(v, d, [""])],
  ["empty value", (v, d) => insertAt(v, d, [d.pick([...VALUE_OPTIONS]), ""])],
  ["empty command", (v) => v.command = ["", ""]],
  [
    "huge value",
    (v, d) => insertAt(v, d, [d.pick(["--name", "-e", "--tag-filter", "--hostlogdir"]), HUGE()]),
  ],
  ["huge option", (v, d) => insertAt(v, d, [`--${HUGE()}`])],
  ["huge image", (v) => v.image = `app:${"1".repeat(100_000)}`],
  ["many options", (v) => v.options.push(...Array.from({ length: 2000 }, () => ["-e", "A=1"]))],
  ["invalid reference", (v, d) => v.image = d.pick(BAD_IMAGES)],
  ["no image", (v) => {
    v.image = undefined;
    v.command = [];
  }],
  ["image first", (v) => {
    if (v.image === undefined) return;
    v.command = [...v.options.flat(), ...v.command];
    v.options = [];
  }],
  [
    "help in the middle",
    (v, d) => insertAt(v, d, [d.pick(["--help", "--version", "--print-config"])]),
  ],
  ["option looks like a value", (v, d) => insertAt(v, d, [d.pick([...VALUE_OPTIONS]), "--rm"])],
  [
    "secret reference",
    (v, d) => insertAt(v, d, [d.pick(["--name", "--hostlogdir", "-e"]), "${HOSTSECRET}"]),
  ],
];

/**
 * Command lines: every valid one as is, then `count - VALID.length` mutations
 * of them (one to three mutations each). Each starts with `--local`.
 *
 * @param seed PRNG seed.
 * @param count How many vectors.
 * @returns `[label, argv]` pairs.
 */
export function argvVectors(seed: number, count: number): [string, string[]][] {
  const d = new Dice(seed);
  const out: [string, string[]][] = VALID.map((v, i) => [`valid ${i}`, flatten(v)]);
  while (out.length < count) {
    const base = d.int(VALID.length);
    const v: Vector = structuredClone(VALID[base]) as Vector;
    const names: string[] = [];
    for (let k = 1 + d.int(3); k > 0; k--) {
      const [name, mutate] = d.pick(MUTATIONS);
      names.push(name);
      mutate(v, d);
    }
    out.push([`#${out.length} valid ${base} + ${names.join(" + ")}`, flatten(v)]);
  }
  return out;
}

function flatten(v: Vector): string[] {
  const tail = v.image === undefined ? [] : [v.image, ...v.command];
  return ["--local", ...v.options.flat(), ...(v.dashDash ? ["--"] : []), ...tail];
}

/** The valid vectors' count, for the test output. */
export const VALID_VECTORS = VALID.length;

/** What can be in the way of the data and log directories (point 16), as HOME contents. */
export const HOST_HAZARDS: readonly {
  readonly name: string;
  readonly files?: Record<string, string>;
  readonly symlinks?: Record<string, string>;
}[] = [
  { name: "~/work/data is a file", files: { "work/data": "not a directory\n" } },
  { name: "~/work/log is a symlink to nothing", symlinks: { "work/log": "/nonexistent/disk/log" } },
  {
    name: "~/work/data is a symlink to a file",
    files: { f: "x" },
    symlinks: { "work/data": "../f" },
  },
  { name: "~/work is a file", files: { work: "x" } },
  { name: "~/work is a symlink to nothing", symlinks: { work: "/nonexistent/work" } },
  {
    name: "~/work/data is a working symlink",
    files: { "d/.keep": "" },
    symlinks: { "work/data": "../d" },
  },
];

/** Keys a project file may not set, and spellings of them (case, `_`/`-`, quoting, escapes). */
const FORBIDDEN = ["engine", "docker_args", "volumes", "registries", "workdir"];
const spellings = (key: string): string[] => [
  key,
  key.toUpperCase(),
  key[0].toUpperCase() + key.slice(1),
  key.replaceAll("_", "-"),
  key.replaceAll("_", ""),
  key.replace(/_(.)/g, (_, c: string) => c.toUpperCase()),
  `"${key}"`,
  `'${key}'`,
  `"\\x${key.charCodeAt(0).toString(16)}${key.slice(1)}"`,
  `"\\u00${key.charCodeAt(0).toString(16)}${key.slice(1)}"`,
  `" ${key}"`,
  `"${key} "`,
  `${key}\u200b`,
  key.replace("e", "\u0435"), // Cyrillic е
  `? ${key}\n`,
  `!!str ${key}`,
];
const FORBIDDEN_VALUES: Record<string, string> = {
  engine: "/tmp/evil.sh",
  docker_args: "[--privileged]",
  volumes: '["/:/host"]',
  registries: "{registry.example.com: {insecure: true}}",
  workdir: "/tmp/elsewhere",
};

const TYPE_CONFUSION = [
  "memory: [1, 2]",
  "memory: {a: 1}",
  "memory: 12",
  "memory: true",
  "memory: null",
  "memory: ''",
  "memory: 1e309",
  "notebook_port: '8888'",
  "notebook_port: 1e309",
  "notebook_port: -1",
  "notebook_port: 0x1F90",
  "notebook_port: [8888]",
  "init: 'yes'",
  "init: yes",
  "init: 1",
  "env: [a, b]",
  "env: x",
  "env: {A: [1]}",
  "env: {A: {B: c}}",
  'env: {"": x}',
  'env: {"A=B": x}',
  "env: {1A: x}",
  "volumes: x",
  "volumes: {a: 1}",
  "volumes: [[]]",
  "ports: [[]]",
  "ports: 8080",
  "images: []",
  'images: {"zppz/*": x}',
  'images: {"[": {memory: 1g}}',
  'images: {"*": {tag_filter: "("}}',
  'images: {"*": {tag_order: bogus}}',
  'images: {"*": {command: 1}}',
  'images: {"*": {command: []}}',
  'images: {"*": {env: [x]}}',
  "registries: {h: 1}",
  "registries: {h: {timeout_seconds: -1}}",
  "registries: {h: {insecure: maybe}}",
  "user: 1000",
  "user: [root]",
  "user: 'a b'",
  "user: '0:0:0'",
  "timezone: 1",
  "timezone: ../../etc/passwd",
  "container_home: relative/path",
  "container_home: /",
  "notebook_bind: 999.1.1.1",
  "notebook_bind: [::1",
  "docker_args: --privileged",
  "gpus: [all]",
  "just text",
  "- a\n- b",
  "",
  "~",
  "null",
  "---\nmemory: 1g\n---\nmemory: 2g",
  "42",
  "[]",
  "{}",
  "memory: 8g\nshm_size: 1g\n",
];

const PROTO = [
  "__proto__: {engine: /tmp/evil.sh}",
  "__proto__: {memory: 1g}",
  '"__proto__": {polluted: true}',
  "env: {__proto__: x}",
  "env: {__proto__: {polluted: true}}",
  "env: {constructor: null}",
  "images: {__proto__: {memory: 1g}}",
  'images: {constructor: {command: "x"}}',
  'images: {"*": {__proto__: {engine: x}}}',
  "registries: {constructor: {insecure: true}}",
  "registries: {__proto__: {insecure: true}}",
  "toString: 1",
  "hasOwnProperty: 1",
  "constructor: {prototype: {polluted: true}}",
  "prototype: 1",
  "valueOf: x",
];

const SYNTAX = [
  "memory:\t8g",
  "\tmemory: 8g",
  "memory: 8g\nmemory: 9g",
  'memory: "8g',
  "memory: '8g",
  "memory: |\n  8g\n   x",
  "memory: >\n8g",
  "? [a, b]\n: c",
  "? {a: b}\n: c",
  "memory: !!binary aGVsbG8=",
  "memory: !!js/function 'function(){}'",
  "memory: !custom 8g",
  "%YAML 1.1\n---\nmemory: 8g",
  "%TAG ! tag:evil,2024:\n---\nmemory: !x 8g",
  "memory: &a 8g",
  "memory: *undefined",
  "# only a comment",
  "memory: 8g\r\nshm_size: 1g\r\n",
  "1: 2",
  "~: x",
  ": x",
  "memory: 8g # comment",
  "memory: [",
  "memory: {",
  "memory: ]",
  "[",
  "{",
  "memory: 8g\n  shm_size: 1g",
  "memory: !!timestamp 2001-12-14",
  "memory: !!set {a, b}",
  "<<: {engine: /tmp/evil.sh}",
  "<<: {memory: 1g}",
  "memory: 8g\n...\nengine: /tmp/evil.sh",
  "\ufeffmemory: 8g",
  'memory: "\\x00"',
  'memory: "\\e[2J"',
  'env: {A: "\\u0000"}',
  "memory: \u0085",
  "memory: \u2028",
];

/** Secret references: values run-docker must never expand into what it prints. */
const SECRET_REFS = [
  "memory: ${HOSTSECRET}",
  "env: {HOSTSECRET: null}",
  'env: {A: "${HOSTSECRET}"}',
  "container_home: /${HOSTSECRET}",
  "timezone: ${HOSTSECRET}",
  'images: {"*": {command: "echo ${HOSTSECRET}"}}',
  'images: {"*": {tag_filter: "${HOSTSECRET}"}}',
  "gpus: ${HOSTSECRET}",
  "notebook_bind: ${HOSTSECRET}",
  "user: ${HOSTSECRET}",
];

/**
 * Hostile config files: type confusion, forbidden keys in every spelling, `__proto__`
 * and friends, YAML syntax traps, alias bombs, deep nesting, huge files, binary junk,
 * secret references. Deterministic for a seed.
 *
 * @param seed PRNG seed.
 * @param count How many (the fixed families first, then random mixes).
 * @returns `[label, content]` pairs.
 */
export function hostileConfigs(seed: number, count: number): [string, string | Uint8Array][] {
  const d = new Dice(seed);
  const out: [string, string | Uint8Array][] = [];
  const add = (label: string, content: string | Uint8Array) => out.push([label, content]);
  for (const text of TYPE_CONFUSION) add(`type confusion ${JSON.stringify(text)}`, text + "\n");
  for (const key of FORBIDDEN) {
    for (const spelled of spellings(key)) {
      const value = FORBIDDEN_VALUES[key];
      const text = spelled.startsWith("? ") ? `${spelled}: ${value}` : `${spelled}: ${value}`;
      add(`forbidden ${JSON.stringify(spelled)}`, text + "\n");
    }
    add(`forbidden ${key} nested in images`, `images: {"*": {${key}: ${FORBIDDEN_VALUES[key]}}}\n`);
    add(`forbidden ${key} in flow style`, `{${key}: ${FORBIDDEN_VALUES[key]}}\n`);
    add(`forbidden ${key} in JSON`, `{"${key}": ${JSON.stringify(FORBIDDEN_VALUES[key])}}\n`);
  }
  for (const text of PROTO) add(`prototype key ${JSON.stringify(text)}`, text + "\n");
  for (const text of SYNTAX) add(`syntax ${JSON.stringify(text)}`, text + "\n");
  for (const text of SECRET_REFS) add(`secret reference ${JSON.stringify(text)}`, text + "\n");
  // Alias bombs: each level doubles (or multiplies by 9) the one before.
  for (const [levels, width] of [[10, 2], [20, 2], [9, 9], [30, 3]]) {
    const lines = ["a0: &a0 [x]"];
    for (let i = 1; i < levels; i++) {
      lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
    }
    lines.push(`env: {BOMB: *a${levels - 1}}`);
    add(`alias bomb ${width}^${levels}`, lines.join("\n") + "\n");
  }
  add("alias as a key", "a: &k engine\n*k : /tmp/evil.sh\n");
  add("merge key from an anchor", "base: &b {engine: /tmp/evil.sh}\n<<: *b\n");
  // Deep nesting, flow and block.
  for (const depth of [100, 1000, 10_000, 100_000]) {
    add(`nesting ${depth} flow sequences`, `env: {A: ${"[".repeat(depth)}${"]".repeat(depth)}}\n`);
    add(`nesting ${depth} flow maps`, `images: ${"{a: ".repeat(depth)}1${"}".repeat(depth)}\n`);
  }
  for (const depth of [50, 500, 2000]) {
    const lines = Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}k${i}:`);
    add(`nesting ${depth} block maps`, `images:\n ${lines.join("\n ")} x\n`);
  }
  // Huge files.
  add("just over 1 MiB", `memory: 8g\n# ${"x".repeat(1024 * 1024)}\n`);
  add("1 MiB minus a little of comments", `memory: 8g\n${"# padding\n".repeat(104_000)}`);
  add("one huge value", `gpus: ${"g".repeat(1_000_000)}\n`);
  add("one huge key", `${"k".repeat(1_000_000)}: 1\n`);
  add(
    "many env keys",
    `env:\n${Array.from({ length: 4000 }, (_, i) => `  K${i}: v`).join("\n")}\n`,
  );
  add("many list items", `ports:\n${"  - 1:1\n".repeat(50_000)}`);
  add(
    "many images rules",
    `images:\n${Array.from({ length: 5000 }, (_, i) => `  "r${i}/*": {memory: 1g}`).join("\n")}\n`,
  );
  add(
    "many regexes",
    `images:\n${
      Array.from({ length: 500 }, (_, i) => `  "*${i}": {tag_filter: "(a+)+$"}`).join("\n")
    }\n`,
  );
  // Binary junk.
  const junk = (n: number) => Uint8Array.from({ length: n }, () => d.int(256));
  for (const n of [1, 16, 512, 4096]) add(`random bytes ${n}`, junk(n));
  add("NUL bytes", new Uint8Array(64));
  add("ELF header", Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...junk(56)]));
  add("gzip header", Uint8Array.from([0x1f, 0x8b, 8, 0, ...junk(60)]));
  add(
    "invalid UTF-8",
    Uint8Array.from([...new TextEncoder().encode("memory: "), 0xc3, 0x28, 0xff, 10]),
  );
  add(
    "UTF-16 LE",
    Uint8Array.from([0xff, 0xfe, ...[..."memory: 8g\n"].flatMap((c) => [c.charCodeAt(0), 0])]),
  );
  add("terminal escapes in a key", "\x1b[2J\x1b[31mmemory: 8g\n");
  add("escape sequence in a value", 'memory: "\\x1b[2J8g"\n');
  // Random mixes of the families above, one to four lines each.
  const lines = [
    ...TYPE_CONFUSION,
    ...PROTO,
    ...SYNTAX,
    ...SECRET_REFS,
    ...FORBIDDEN.map((k) =>
      `${d.pick(spellings(k).filter((s) => !s.startsWith("?")))}: ${FORBIDDEN_VALUES[k]}`
    ),
  ];
  while (out.length < count) {
    const picked = Array.from({ length: 1 + d.int(4) }, () => d.pick(lines));
    add(`mix #${out.length}`, picked.join("\n") + "\n");
  }
  return out;
}
