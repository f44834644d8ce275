/**
 * The option table: one row per option run-docker reads itself, and one per
 * docker option it gives a default. The rows drive the tokenizer
 * (`tokenize.ts`), the typed values object ({@link OwnValues}, derived from
 * the rows' `field`s, so a row and its field cannot go out of step), the
 * `--help` text (`help.ts`) and shell completion (`completion.ts`).
 *
 * Adding an option: add a row here. Its field appears in {@link OwnValues}
 * (a switch as `boolean`, a value option as `string | undefined`, a
 * repeatable value option as `string[]`), `--help` lists it, and completion
 * knows its value from `value`.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { DOCKER_RUN_OPTIONS, type DockerRunOption, type ValueHint } from "../docker_run_options.ts";
import { DEFAULT_SETTINGS } from "../facts.ts";
import { TAG_ORDERS } from "../tags.ts";

/**
 * Which command line a row belongs to: a run (`run-docker [OPTIONS] IMAGE …`)
 * or an update (`run-docker --self-update …`).
 */
export type Scope = "run" | "update";

/** What every row has: its name and its `--help` line. */
export interface RowBase {
  /** Long name without the leading `--`. */
  readonly long: string;
  /** The description in `--help`. */
  readonly help: string;
}

/** What every run-docker option has. */
export interface OwnRowBase extends RowBase {
  /** run-docker reads it; it never reaches docker. */
  readonly owner: "run-docker";
  /** Other long names accepted for it, e.g. `nb_port`. */
  readonly aliases?: readonly string[];
  /** The field of {@link OwnValues} (or {@link SelfUpdateRequest}) it fills. */
  readonly field: string;
  /** The command lines it belongs to. */
  readonly scopes: readonly Scope[];
  /** Whether it may be given more than once; given twice otherwise is a usage error. */
  readonly repeatable: boolean;
  /** For run-docker's own use (its shell completion): not in `--help`, completion or the man page. */
  readonly hidden?: boolean;
}

/** A run-docker option without a value (`--dry-run`; `--dry-run=false` as docker spells booleans). */
export interface SwitchRow extends OwnRowBase {
  /** No value: a switch. */
  readonly value: { readonly kind: "none" };
  /** Given before IMAGE, this option makes the command line one of that scope. */
  readonly selects?: Scope;
}

/** A run-docker option with a value (`--hostdatadir DIR`, `--hostdatadir=DIR`). */
export interface ValueRow extends OwnRowBase {
  /** What the value is: text, a file, a directory, one of a list. */
  readonly value: Exclude<ValueHint, { readonly kind: "none" }>;
  /** The value's name in `--help`, e.g. `DIR`. */
  readonly placeholder: string;
}

/** A run-docker option. */
export type OwnRow = SwitchRow | ValueRow;

/**
 * A docker option with a run-docker default, listed in `--help`. It is
 * parsed as docker's (it passes through); its short name and value come
 * from {@link DOCKER_RUN_OPTIONS}.
 */
export interface DockerRow extends RowBase {
  /** docker reads it: it passes through. */
  readonly owner: "docker";
  /** The value's name in `--help`; absent for a boolean. */
  readonly placeholder?: string;
}

/** One row of {@link OPTION_TABLE}. */
export type OptionRow = OwnRow | DockerRow;

const SWITCH = { kind: "none" } as const;
const TEXT = { kind: "text" } as const;
const DIRECTORY = { kind: "directory" } as const;
const FILE = { kind: "file" } as const;
const RUN = ["run"] as const;
const UPDATE = ["update"] as const;
/** The shells `--completions` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
const oneOf = <const T extends readonly string[]>(...values: T) =>
  ({ kind: "choice", values }) as const;

/**
 * Every option run-docker reads, in `--help` order: its own options of a run,
 * the docker options it gives a default, then `--self-update` and its options.
 */
export const OPTION_TABLE = [
  {
    owner: "run-docker",
    long: "dry-run",
    field: "dryRun",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "print the docker command as one POSIX-shell-quoted line (sh, bash, zsh; in PowerShell " +
      "or cmd use --dry-run --json) and exit; changes nothing",
  },
  {
    owner: "run-docker",
    long: "local",
    field: "local",
    scopes: ["run", "update"],
    repeatable: false,
    value: SWITCH,
    help: "never touch the network: the image must already be local",
  },
  {
    owner: "run-docker",
    long: "root",
    field: "root",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "run as root with HOME=/root",
  },
  {
    owner: "run-docker",
    long: "notebook-port",
    aliases: ["nb_port"],
    field: "notebookPort",
    scopes: RUN,
    repeatable: false,
    value: TEXT,
    placeholder: "PORT",
    help: "host port of `notebook` (default 8888)",
  },
  {
    owner: "run-docker",
    long: "hostdatadir",
    field: "hostDataDir",
    scopes: RUN,
    repeatable: false,
    value: DIRECTORY,
    placeholder: "DIR",
    help: "host directory mounted as DATADIR (default ~/work/data; `no`: none)",
  },
  {
    owner: "run-docker",
    long: "hostlogdir",
    field: "hostLogDir",
    scopes: RUN,
    repeatable: false,
    value: DIRECTORY,
    placeholder: "DIR",
    help: "host directory mounted as LOGDIR (default ~/work/log; `no`: none)",
  },
  {
    owner: "run-docker",
    long: "hostsrcdir",
    field: "hostSrcDir",
    scopes: RUN,
    repeatable: false,
    value: DIRECTORY,
    placeholder: "DIR",
    help: "host source tree to mount in dev mode (default ~/work/src/<image name>)",
  },
  {
    owner: "run-docker",
    long: "tag-order",
    field: "tagOrder",
    scopes: RUN,
    repeatable: false,
    value: oneOf(...TAG_ORDERS),
    placeholder: "ORDER",
    help:
      "how tags order when none is given: auto (default), natural, semver, alphabetical, numerical",
  },
  {
    owner: "run-docker",
    long: "tag-filter",
    field: "tagFilter",
    scopes: RUN,
    repeatable: false,
    value: TEXT,
    placeholder: "REGEX",
    help: "only tags matching REGEX; a group (?<version>...) is what gets compared",
  },
  {
    owner: "run-docker",
    long: "tag-range",
    field: "tagRange",
    scopes: RUN,
    repeatable: false,
    value: TEXT,
    placeholder: "RANGE",
    help: "only tags in this npm semver range, e.g. ^1.2",
  },
  {
    owner: "run-docker",
    long: "list-tags",
    field: "listTags",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "list IMAGE's tags newest first, each marked local, remote or both, and exit",
  },
  {
    owner: "run-docker",
    long: "resolve",
    field: "resolve",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "print the reference that would run, and exit",
  },
  {
    owner: "run-docker",
    long: "json",
    field: "json",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "with --list-tags, --resolve, --dry-run, --print-config, --ps: JSON",
  },
  {
    owner: "run-docker",
    long: "emit",
    field: "emit",
    scopes: RUN,
    repeatable: false,
    value: oneOf("compose", "kubernetes", "k8s"),
    placeholder: "FORMAT",
    help:
      "print the run as a Compose file (compose) or a Kubernetes Job (kubernetes, k8s) and exit",
  },
  {
    owner: "run-docker",
    long: "print-config",
    field: "printConfig",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help:
      "print the effective configuration (for IMAGE, if given), each value with its source, and exit",
  },
  {
    owner: "run-docker",
    long: "ps",
    field: "ps",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help:
      "list the containers run-docker started (of IMAGE, if given): name, image, mode, status, started, command",
  },
  {
    owner: "run-docker",
    long: "cleanup",
    field: "cleanup",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help:
      "remove run-docker's stopped containers (of IMAGE, if given) and those whose run-docker died",
  },
  {
    owner: "run-docker",
    long: "yes",
    field: "yes",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "with --cleanup: stop running leftovers without asking",
  },
  {
    owner: "run-docker",
    long: "config-schema",
    field: "configSchema",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "print the JSON Schema of config.yaml (for editors) and exit",
  },
  {
    owner: "run-docker",
    long: "completions",
    field: "completions",
    scopes: RUN,
    repeatable: false,
    value: oneOf(...COMPLETION_SHELLS),
    placeholder: "SHELL",
    help: "print the shell completion script for SHELL (bash, zsh, fish) and exit",
  },
  {
    owner: "run-docker",
    long: "complete-images",
    field: "completeImages",
    scopes: RUN,
    repeatable: false,
    hidden: true,
    value: TEXT,
    placeholder: "PREFIX",
    help:
      "print the local images (repository, or repository:tag after a colon) starting with PREFIX",
  },
  {
    owner: "run-docker",
    long: "explain",
    field: "explain",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "say on stderr, before running, why each choice was made (mode, tag, user, defaults)",
  },
  {
    owner: "run-docker",
    long: "help",
    field: "help",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "print this help and exit",
  },
  {
    owner: "run-docker",
    long: "version",
    field: "version",
    scopes: RUN,
    repeatable: false,
    value: SWITCH,
    help: "print the version and exit",
  },
  {
    owner: "docker",
    long: "memory",
    placeholder: "SIZE",
    help: `memory limit (default ${DEFAULT_SETTINGS.memory})`,
  },
  {
    owner: "docker",
    long: "shm-size",
    placeholder: "SIZE",
    help: `size of /dev/shm (default ${DEFAULT_SETTINGS.shmSize})`,
  },
  {
    owner: "docker",
    long: "name",
    placeholder: "NAME",
    help: "container name (default <user>-<image>-<YYYYMMDD-HHMMSS>-<4 hex>)",
  },
  { owner: "docker", long: "detach", help: "run in the background (no --rm, no -i/-t)" },
  { owner: "docker", long: "restart", placeholder: "POLICY", help: "restart policy (no --rm)" },
  {
    owner: "run-docker",
    long: "self-update",
    field: "selfUpdate",
    scopes: UPDATE,
    repeatable: false,
    value: SWITCH,
    selects: "update",
    help: "replace this binary with a release (FILE: air-gapped)",
  },
  {
    owner: "run-docker",
    long: "version",
    field: "version",
    scopes: UPDATE,
    repeatable: false,
    value: TEXT,
    placeholder: "X",
    help: "the release to install instead of the latest",
  },
  {
    owner: "run-docker",
    long: "archive",
    field: "archive",
    scopes: UPDATE,
    repeatable: false,
    value: FILE,
    placeholder: "FILE",
    help: "a release archive on disk (SHA256SUMS beside it): no network",
  },
] as const satisfies readonly OptionRow[];

/** The type of one row of {@link OPTION_TABLE}, exactly as written there. */
export type TableRow = (typeof OPTION_TABLE)[number];

/** The rows of {@link OPTION_TABLE} (as written) that are run-docker's options of scope `S`. */
export type RowsIn<S extends Scope, R = TableRow> = R extends
  { owner: "run-docker"; scopes: readonly (infer In)[] } ? S extends In ? R : never : never;

/** `true` when row `R` is a switch (takes no value). */
export type IsSwitch<R> = R extends { value: { kind: "none" } } ? true : false;

/** `T` with its intersections merged into one object type, fields writable. */
export type MergedFields<T> = { -readonly [K in keyof T]: T[K] } & unknown;

/**
 * The values of scope `S`'s options after parsing, one field per row: a
 * switch is `boolean` (`false` when not given), a value option `string`
 * (absent when not given), a repeatable value option `string[]`.
 */
export type ValuesOf<S extends Scope> = MergedFields<
  & { [R in RowsIn<S> as IsSwitch<R> extends true ? R["field"] : never]: boolean }
  & {
    [
      R in RowsIn<S> as IsSwitch<R> extends true ? never
        : R["repeatable"] extends true ? R["field"]
        : never
    ]: string[];
  }
  & {
    [
      R in RowsIn<S> as IsSwitch<R> extends true ? never
        : R["repeatable"] extends true ? never
        : R["field"]
    ]?: string;
  }
>;

/** run-docker's own options of a run after parsing; absent means "not given". */
export type OwnValues = ValuesOf<"run">;

/** `--self-update` and its options, parsed. */
export type SelfUpdateRequest = Omit<ValuesOf<"update">, "selfUpdate">;

/**
 * The run-docker rows of one scope, in table order.
 *
 * @param scope `run` or `update`.
 * @returns The rows whose `scopes` include it (`--local` is in both).
 */
export function rowsOf(scope: Scope): readonly OwnRow[] {
  return (OPTION_TABLE as readonly OptionRow[]).filter((row): row is OwnRow =>
    row.owner === "run-docker" && row.scopes.includes(scope)
  );
}

/**
 * The docker option a {@link DockerRow} names.
 *
 * @param row A docker row of {@link OPTION_TABLE}.
 * @returns Its entry in {@link DOCKER_RUN_OPTIONS} (short name, whether it takes a value).
 * @throws {Error} for a name docker lacks: a bug in the table, caught by its test.
 */
export function dockerOption(row: DockerRow): DockerRunOption {
  const option = DOCKER_RUN_OPTIONS.find((o) => o.long === row.long);
  if (option === undefined) throw new Error(`--${row.long} is not a docker run option`);
  return option;
}
