/**
 * The command line: `run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]`.
 *
 * Tokenizes with the same rules as docker's flag library (spf13/pflag): long
 * options as `--name value` or `--name=value`, short options alone (`-e K=V`),
 * attached (`-eK=V`, `-e=K=V`) or grouped (`-dit`), `--` ends the options, and
 * the first positional is the image: everything after it is the container's
 * command, untouched. Which options take a value comes from two tables:
 * run-docker's own ({@link OWN_OPTIONS}) and docker's ({@link DOCKER_RUN_OPTIONS}).
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { closest, distance } from "fastest-levenshtein";
import { DOCKER_RUN_OPTIONS, type DockerRunOption } from "./docker_run_options.ts";
import { UsageError } from "./errors.ts";

/** One option of run-docker's own; same shape as docker's table plus aliases. */
export interface OwnOption extends DockerRunOption {
  /** Other long names accepted for it, e.g. `nb_port`. */
  readonly aliases?: readonly string[];
  /** Value placeholder and description for `--help`. */
  readonly help: string;
  readonly placeholder?: string;
}

/**
 * run-docker's own options. `--memory`, `--shm-size`, `--name`, `-d/--detach`
 * and `--restart` are docker's options with run-docker defaults; they stay in
 * docker's table and pass through.
 */
export const OWN_OPTIONS: readonly OwnOption[] = [
  {
    long: "dry-run",
    takesValue: false,
    repeatable: false,
    help: "print the docker command as one shell-quoted line and exit; changes nothing",
  },
  {
    long: "local",
    takesValue: false,
    repeatable: false,
    help: "never touch the network: the image must already be local",
  },
  { long: "root", takesValue: false, repeatable: false, help: "run as root with HOME=/root" },
  {
    long: "notebook-port",
    aliases: ["nb_port"],
    takesValue: true,
    repeatable: false,
    placeholder: "PORT",
    help: "host port for the `notebook` command (default 8888)",
  },
  {
    long: "hostdatadir",
    takesValue: true,
    repeatable: false,
    placeholder: "DIR",
    help: "host directory mounted as DATADIR (default ~/work/data; `no`: none)",
  },
  {
    long: "hostlogdir",
    takesValue: true,
    repeatable: false,
    placeholder: "DIR",
    help: "host directory mounted as LOGDIR (default ~/work/log; `no`: none)",
  },
  {
    long: "hostsrcdir",
    takesValue: true,
    repeatable: false,
    placeholder: "DIR",
    help: "host source tree to mount in dev mode (default ~/work/src/<image name>)",
  },
  {
    long: "tag-order",
    takesValue: true,
    repeatable: false,
    placeholder: "ORDER",
    help: "how tags order when none is given: natural (default), semver, alphabetical, numerical",
  },
  {
    long: "tag-filter",
    takesValue: true,
    repeatable: false,
    placeholder: "REGEX",
    help: "only tags matching REGEX; a group (?<version>...) is what gets compared",
  },
  {
    long: "tag-range",
    takesValue: true,
    repeatable: false,
    placeholder: "RANGE",
    help: "only tags in this npm semver range, e.g. ^1.2",
  },
  {
    long: "list-tags",
    takesValue: false,
    repeatable: false,
    help: "list IMAGE's tags newest first, each marked local, remote or both, and exit",
  },
  {
    long: "resolve",
    takesValue: false,
    repeatable: false,
    help: "print the image reference that would run, and exit",
  },
  {
    long: "json",
    takesValue: false,
    repeatable: false,
    help: "with --list-tags, --resolve or --dry-run: JSON output",
  },
  {
    long: "emit",
    takesValue: true,
    repeatable: false,
    placeholder: "FORMAT",
    help: "print the run as a file and exit: compose (a Compose file), kubernetes or k8s (a Job)",
  },
  {
    long: "print-config",
    takesValue: false,
    repeatable: false,
    help:
      "print the effective configuration (for IMAGE, if given), each value with its source, and exit",
  },
  {
    long: "explain",
    takesValue: false,
    repeatable: false,
    help: "say on stderr, before running, why each choice was made (mode, tag, user, defaults)",
  },
  { long: "help", takesValue: false, repeatable: false, help: "print this help and exit" },
  { long: "version", takesValue: false, repeatable: false, help: "print the version and exit" },
];

/** One option as given: its canonical long name and, for value options, the value. */
export interface GivenOption {
  /** Canonical long name without `--` (`"env"` for `-e`). */
  readonly long: string;
  /** The value; for a boolean given as `--rm=false`, `"false"`; absent for a bare boolean. */
  readonly value?: string;
}

/** A docker option as the user wrote it: its tokens, and the options they stand for. */
export interface PassThrough {
  /** The argv tokens, unchanged (`["-e", "K=V"]`, `["-dit"]`, `["--cpus=2"]`). */
  readonly tokens: readonly string[];
  /** One entry per option in the tokens (several for a group like `-dit`). */
  readonly options: readonly GivenOption[];
}

/** run-docker's own options after parsing; absent means "not given". */
export interface OwnValues {
  dryRun: boolean;
  local: boolean;
  root: boolean;
  help: boolean;
  version: boolean;
  notebookPort?: string;
  hostDataDir?: string;
  hostLogDir?: string;
  hostSrcDir?: string;
  tagOrder?: string;
  tagFilter?: string;
  tagRange?: string;
  listTags: boolean;
  resolve: boolean;
  json: boolean;
  /** `--emit FORMAT` as given (`compose`, `kubernetes`, `k8s`; checked by `decideRequest`). */
  emit?: string;
  printConfig: boolean;
  explain: boolean;
}

/** The command line, parsed but not yet validated. */
export interface RunRequest {
  readonly own: OwnValues;
  /** docker options in the order given. */
  readonly docker: readonly PassThrough[];
  /** The IMAGE argument as given; absent when there was none. */
  readonly image?: string;
  /** Everything after IMAGE, untouched. */
  readonly command: readonly string[];
}

const OWN_FIELD: Record<string, keyof OwnValues> = {
  "dry-run": "dryRun",
  local: "local",
  root: "root",
  help: "help",
  version: "version",
  "notebook-port": "notebookPort",
  hostdatadir: "hostDataDir",
  hostlogdir: "hostLogDir",
  hostsrcdir: "hostSrcDir",
  "tag-order": "tagOrder",
  "tag-filter": "tagFilter",
  "tag-range": "tagRange",
  "list-tags": "listTags",
  resolve: "resolve",
  json: "json",
  emit: "emit",
  "print-config": "printConfig",
  explain: "explain",
};

const OWN_BY_LONG = new Map<string, OwnOption>();
for (const option of OWN_OPTIONS) {
  OWN_BY_LONG.set(option.long, option);
  for (const alias of option.aliases ?? []) OWN_BY_LONG.set(alias, option);
}
const DOCKER_BY_LONG = new Map(DOCKER_RUN_OPTIONS.map((o) => [o.long, o]));
const DOCKER_BY_SHORT = new Map(
  DOCKER_RUN_OPTIONS.filter((o) => o.short !== undefined).map((o) => [o.short!, o]),
);

/** Every long option name either table knows, for did-you-mean. */
const ALL_LONG = [...OWN_BY_LONG.keys(), ...DOCKER_BY_LONG.keys()];
const SEE_HELP = "see 'run-docker --help' and 'docker run --help'";

/** Text from the command line as it appears in a message: quoted, escaped, at most 80 characters. */
function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function unknownOption(spelled: string, name: string): UsageError {
  const lower = name.toLowerCase().replaceAll("_", "-");
  const guess = lower.length > 40 ? "" : closest(lower, ALL_LONG);
  const near = guess !== "" && distance(lower, guess) <= Math.max(2, Math.floor(guess.length / 4));
  return new UsageError(
    `unknown option ${shown(spelled)}: neither run-docker's nor docker run's`,
    near ? `did you mean --${guess}? ${SEE_HELP}` : SEE_HELP,
  );
}

/**
 * Parses the command line (syntax only).
 *
 * @param argv The arguments after the program name.
 * @returns The request: own options, docker options as given, image, command.
 * @throws {UsageError} for an option that is neither run-docker's nor docker run's
 *   (long, short, or a letter in a group), a missing value, or a value given to a
 *   boolean own option: nothing reaches docker that it would answer with its usage text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * const request = parseRunRequest(["-it", "--cpus=2", "img", "pytest", "-x", "--memory", "5"]);
 * assert.equal(request.image, "img");
 * assert.deepEqual(request.command, ["pytest", "-x", "--memory", "5"]);
 * assert.deepEqual(request.docker.map((p) => p.tokens), [["-it"], ["--cpus=2"]]);
 * ```
 */
export function parseRunRequest(argv: readonly string[]): RunRequest {
  const own: OwnValues = {
    dryRun: false,
    local: false,
    root: false,
    help: false,
    version: false,
    listTags: false,
    resolve: false,
    json: false,
    printConfig: false,
    explain: false,
  };
  const docker: PassThrough[] = [];
  let i = 0;
  const next = (name: string): string => {
    if (i >= argv.length) throw new UsageError(`option ${name} needs a value`);
    return argv[i++];
  };

  while (i < argv.length) {
    const token = argv[i++];
    if (token === "--") {
      return finish(own, docker, argv.slice(i));
    }
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      const inline = eq === -1 ? undefined : token.slice(eq + 1);
      const ownOption = OWN_BY_LONG.get(name);
      if (ownOption !== undefined) {
        setOwn(
          own,
          ownOption,
          `--${name}`,
          inline ?? (ownOption.takesValue ? next(`--${name}`) : undefined),
        );
        continue;
      }
      const option = DOCKER_BY_LONG.get(name);
      if (option === undefined) {
        if (name === "") throw new UsageError(`invalid option ${shown(token)}`);
        throw unknownOption(`--${name}`, name);
      }
      if (option.takesValue && inline === undefined) {
        const value = next(`--${name}`);
        docker.push({ tokens: [token, value], options: [{ long: name, value }] });
      } else {
        docker.push({ tokens: [token], options: [{ long: name, value: inline }] });
      }
      continue;
    }
    if (token.startsWith("-") && token.length > 1) {
      docker.push(parseShortGroup(token, next));
      continue;
    }
    return finish(own, docker, argv.slice(i - 1));
  }
  return finish(own, docker, []);
}

function finish(own: OwnValues, docker: PassThrough[], rest: readonly string[]): RunRequest {
  if (rest.length === 0) return { own, docker, command: [] };
  return { own, docker, image: rest[0], command: rest.slice(1) };
}

function setOwn(
  own: OwnValues,
  option: OwnOption,
  spelled: string,
  value: string | undefined,
): void {
  const field = OWN_FIELD[option.long];
  if (option.takesValue) {
    (own as unknown as Record<string, string>)[field] = value!;
    return;
  }
  (own as unknown as Record<string, boolean>)[field] = parseBoolean(spelled, value);
}

/**
 * Reads a boolean option's value the way docker does (`strconv.ParseBool`).
 *
 * @param spelled The option as written, for the error message.
 * @param value The text after `=`, or `undefined` for a bare flag (true).
 * @returns The boolean.
 * @throws {UsageError} when the value is not a boolean.
 */
export function parseBoolean(spelled: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new UsageError(`invalid boolean value ${shown(value)} for ${spelled}`);
}

function parseShortGroup(token: string, next: (name: string) => string): PassThrough {
  const options: GivenOption[] = [];
  const tokens = [token];
  for (let k = 1; k < token.length; k++) {
    const letter = token[k];
    const option = DOCKER_BY_SHORT.get(letter);
    if (option === undefined) {
      // `-rm`, `-dry-run`: a long option written with one dash.
      const long = token.slice(1).split("=")[0];
      throw new UsageError(
        `unknown shorthand flag: ${JSON.stringify(letter)} in ${shown(token)}`,
        ALL_LONG.includes(long) ? `did you mean --${long}? ${SEE_HELP}` : SEE_HELP,
      );
    }
    const rest = token.slice(k + 1);
    if (option.takesValue) {
      let value: string;
      if (rest.startsWith("=")) value = rest.slice(1);
      else if (rest !== "") value = rest;
      else {
        value = next(`-${letter}`);
        tokens.push(value);
      }
      options.push({ long: option.long, value });
      break;
    }
    if (rest.startsWith("=")) {
      options.push({ long: option.long, value: rest.slice(1) });
      break;
    }
    options.push({ long: option.long, value: undefined });
  }
  return { tokens, options };
}

/** `--self-update` and its options. */
export interface SelfUpdateRequest {
  version?: string;
  archive?: string;
  local: boolean;
}

/**
 * Reads `run-docker --self-update [--version X] [--archive FILE] [--local]`.
 *
 * @param argv The arguments after the program name.
 * @returns The request, or `undefined` when `--self-update` is not among the options (before IMAGE).
 * @throws {UsageError} for any other option next to `--self-update`.
 */
export function parseSelfUpdate(argv: readonly string[]): SelfUpdateRequest | undefined {
  const first = argv.findIndex((a) => !a.startsWith("-"));
  const options = first === -1 ? argv : argv.slice(0, first);
  if (!options.includes("--self-update")) return undefined;
  const request: SelfUpdateRequest = { local: false };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    const [name, inline] = token.includes("=")
      ? [token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)]
      : [token, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
      return argv[++i];
    };
    if (name === "--self-update") continue;
    else if (name === "--version") request.version = value();
    else if (name === "--archive") request.archive = value();
    else if (name === "--local") request.local = parseBoolean("--local", inline);
    else {
      throw new UsageError(
        `--self-update takes --version X, --archive FILE and --local, not ${JSON.stringify(token)}`,
        "run-docker --self-update [--version X] [--archive FILE]",
      );
    }
  }
  return request;
}
