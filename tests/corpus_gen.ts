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
