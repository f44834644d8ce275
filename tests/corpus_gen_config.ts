/**
 * The attack corpus's hostile config files, made deterministically from a seed.
 *
 * @module
 */

import { Dice } from "./corpus_gen.ts";

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
  workdir: "~/smuggled-workdir",
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
