/**
 * Who the container runs as: `user: auto` (the default) decided from the facts, or the user
 * the configuration or `--root` forces.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

/** The image's user, as the edge read it (`Config.User`, the image's `/etc/passwd`). */
export interface ImageUser {
  /** The value for `--user` that runs as this user: a name (`docker-user`) or `uid[:gid]`. */
  readonly name: string;
  /** Its numeric uid. */
  readonly uid: number;
  /** Its numeric primary gid. */
  readonly gid: number;
}

/**
 * The image user when nothing was read (the image is not local yet, or cannot be read):
 * `docker-user`, uid 1000, by the images' convention.
 */
export const CONVENTIONAL_USER: ImageUser = { name: "docker-user", uid: 1000, gid: 1000 };

/**
 * Where the container runs, as far as file ownership goes: `local` (an engine on this Linux
 * host, the bind mounts keep numeric uids), `desktop` (Docker Desktop on macOS or Windows: its
 * VM maps ownership), `remote` (another host's engine: its files, not these), `elsewhere`
 * (`--emit`: the file runs on some other engine).
 */
export type UserPlace = "local" | "desktop" | "remote" | "elsewhere";

/** The facts the user decision reads. */
export interface UserFacts {
  /** The `user` setting: `auto`, `docker-user`, `root`, `host`, a name or `uid[:gid]`. */
  readonly setting: string;
  /** Where the setting came from (`default`, `file:line`, `option --user`), for `--explain`. */
  readonly from: string;
  /** `--root` was given. */
  readonly root: boolean;
  /** The invoking user's uid and gid (`undefined` on Windows). */
  readonly host: { readonly uid?: number; readonly gid?: number };
  /** See {@link UserPlace}. */
  readonly place: UserPlace;
  /** Rootless podman (`--userns=keep-id` makes you the container user). */
  readonly rootless: boolean;
  /** The image's user; `undefined`: unknown, {@link CONVENTIONAL_USER} is assumed. */
  readonly image?: ImageUser;
}

/** The decision. */
export interface UserChoice {
  /** `root`, `host` (the invoking uid:gid with generated passwd/group files), or the `--user`
   * value (a name or `uid[:gid]`). */
  readonly user: string;
  /** Why, for `--explain` (one clause, no trailing period). */
  readonly why: string;
  /** The image user (read, or the conventional one). */
  readonly image: ImageUser;
  /** Whether `user: auto` decided. */
  readonly auto: boolean;
  /** Host root under `user: auto`: the uid:gid that the directories run-docker makes get. */
  readonly dirOwner?: { readonly uid: number; readonly gid: number };
}

/**
 * Decides the container user. Under `user: auto`: the image user when your uid is the image
 * user's, when you are root (and the data and log directories run-docker makes are given to the
 * image user), on Docker Desktop, on a remote engine, on rootless podman and for `--emit`;
 * otherwise (Linux, a local engine, another uid) your uid:gid (`host`), so src, data and log
 * are writable and what the container writes is yours.
 *
 * @param facts See {@link UserFacts}.
 * @returns See {@link UserChoice}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseUser } from "./user.ts";
 * const facts = { setting: "auto", from: "default", root: false, place: "local" as const, rootless: false };
 * assert.equal(chooseUser({ ...facts, host: { uid: 1001, gid: 1001 } }).user, "host");
 * assert.equal(chooseUser({ ...facts, host: { uid: 1000, gid: 1000 } }).user, "docker-user");
 * assert.deepEqual(chooseUser({ ...facts, host: { uid: 0, gid: 0 } }).dirOwner, { uid: 1000, gid: 1000 });
 * ```
 */
export function chooseUser(facts: UserFacts): UserChoice {
  const image = facts.image ?? CONVENTIONAL_USER;
  const known = facts.image === undefined ? " by convention" : "";
  const imageIs = `${image.name}, uid ${image.uid}${known}`;
  if (facts.root) return { user: "root", why: "option --root", image, auto: false };
  if (facts.setting !== "auto") {
    return { user: facts.setting, why: facts.from, image, auto: false };
  }
  const asImage = (why: string, dirOwner?: UserChoice["dirOwner"]): UserChoice => ({
    user: image.name,
    why: `user: auto: the image user (${imageIs}): ${why}`,
    image,
    auto: true,
    ...(dirOwner === undefined ? {} : { dirOwner }),
  });
  const { uid, gid } = facts.host;
  switch (facts.place) {
    case "elsewhere":
      return asImage("the file runs on another engine");
    case "desktop":
      return asImage("Docker Desktop maps file ownership");
    case "remote":
      return asImage("the engine is remote, the mounts are its host's");
  }
  if (facts.rootless) return asImage("rootless podman maps your uid onto it");
  if (uid === undefined || gid === undefined) return asImage("no host uid");
  if (uid === 0) {
    return image.uid === 0 ? asImage("you are root") : asImage(
      `you are root; data and log are made owned by ${image.uid}:${image.gid}`,
      { uid: image.uid, gid: image.gid },
    );
  }
  if (uid === image.uid) return asImage(`your uid is ${uid} too`);
  return {
    user: "host",
    why: `user: auto: your uid ${uid} is not the image user's (${imageIs}), ` +
      "so run as yours: src, data and log are writable and what the container writes is yours",
    image,
    auto: true,
  };
}

/** A user or group in `Config.User`: a uid/gid, or a name as useradd and docker take it. */
const USER_WORD = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}\$?$/;
/** The largest uid or gid (32 bits, -1 excluded). */
const MAX_ID = 2 ** 32 - 2;

/**
 * Reads the image user from the image's `Config.User` and its `/etc/passwd`.
 *
 * `Config.User` names the user (a name, `uid` or `uid:gid`, a group after the colon as a name or
 * number); when it is empty or root, the convention's `docker-user` is the image user if the
 * image has one (run-docker ran as it before `user: auto`), else root. A name the passwd file
 * does not know, or a passwd file that cannot be read, gives `undefined` (the caller assumes
 * {@link CONVENTIONAL_USER}).
 *
 * @param configUser The image's `Config.User` (`""` when unset).
 * @param passwd The text of the image's `/etc/passwd`, when read.
 * @returns The image user, or `undefined` when the facts do not say.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageUserOf } from "./user.ts";
 * const passwd = "root:x:0:0::/root:/bin/sh\ndocker-user:x:1000:1000::/home/docker-user:/bin/sh\n";
 * assert.deepEqual(imageUserOf("", passwd), { name: "docker-user", uid: 1000, gid: 1000 });
 * assert.deepEqual(imageUserOf("1234:50"), { name: "1234:50", uid: 1234, gid: 50 });
 * assert.deepEqual(imageUserOf("", "root:x:0:0::/root:/bin/sh\n"), { name: "root", uid: 0, gid: 0 });
 * ```
 */
export function imageUserOf(configUser: string, passwd?: string): ImageUser | undefined {
  const [user, group] = configUser.trim().split(":");
  // docker's grammar only (a name or uid, one optional :group): whatever else an image's USER
  // holds (a third field, a line break, an escape) never reaches --user, --explain or --emit.
  if (user !== "" && !isUserSpec(configUser.trim())) return undefined;
  const entries = passwdEntries(passwd ?? "");
  const numeric = (s: string | undefined) =>
    s !== undefined && /^\d{1,10}$/.test(s) && Number(s) <= MAX_ID;
  if (user === "" || user === "root" || user === "0") {
    if (passwd === undefined) return undefined;
    const conventional = entries.find((e) => e.name === CONVENTIONAL_USER.name);
    if (conventional !== undefined) {
      return { name: conventional.name, uid: conventional.uid, gid: conventional.gid };
    }
    return { name: "root", uid: 0, gid: numeric(group) ? Number(group) : 0 };
  }
  const entry = numeric(user)
    ? entries.find((e) => e.uid === Number(user))
    : entries.find((e) => e.name === user);
  const uid = numeric(user) ? Number(user) : entry?.uid;
  if (uid === undefined) return undefined;
  const gid = numeric(group) ? Number(group) : group === undefined ? entry?.gid : undefined;
  if (gid === undefined) {
    // A group name, or a uid without a passwd entry (docker then runs it with gid 0).
    if (group === undefined && passwd !== undefined) return { name: user, uid, gid: 0 };
    return undefined;
  }
  return { name: configUser.trim(), uid, gid };
}

/**
 * Whether a text is a `--user` value in docker's grammar: a name or uid, and optionally `:` and a
 * group name or gid (names as useradd takes them, ids below 2^32-1).
 *
 * @param text e.g. `app`, `1000:1000`, `app:staff`.
 * @returns `false` for anything else (a third field, a control character, a line break).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUserSpec } from "./user.ts";
 * assert.equal(isUserSpec("app:7"), true);
 * assert.equal(isUserSpec("1:2:3"), false);
 * ```
 */
export function isUserSpec(text: string): boolean {
  const fields = text.split(":");
  return fields.length <= 2 &&
    fields.every((f) => USER_WORD.test(f) && (!/^\d+$/.test(f) || Number(f) <= MAX_ID));
}

/**
 * Whether {@link imageUserOf} needs the image's `/etc/passwd` for this `Config.User`.
 *
 * @param configUser The image's `Config.User`.
 * @returns `false` only for a numeric `uid:gid`.
 */
export function needsPasswd(configUser: string): boolean {
  return !/^\d{1,10}:\d{1,10}$/.test(configUser.trim());
}

function passwdEntries(text: string): { name: string; uid: number; gid: number }[] {
  return text.split("\n").map((line) => line.split(":")).filter((f) =>
    f.length >= 4 && [f[2], f[3]].every((n) => /^\d{1,10}$/.test(n) && Number(n) <= MAX_ID)
  ).map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }));
}

/** A mounted host directory and its owner and permission bits, as `stat` saw it. */
export interface DirOwnership {
  /** The host path. */
  readonly path: string;
  /** Owner uid. */
  readonly uid: number;
  /** Owner gid. */
  readonly gid: number;
  /** Permission bits (`0o755`). */
  readonly mode: number;
}

/**
 * The warning for host root under `user: auto` when some of the directories mounted in the
 * container (src, data, log) already exist and the image user cannot write them: run-docker
 * gives the image user only the directories it makes, and changes no existing one.
 *
 * @param user The image user the container runs as.
 * @param dirs The mounted directories that exist, with their owners.
 * @returns One line naming those the user cannot write (by owner, group or others' write bit;
 *   the user's primary group only), and how to fix it; `undefined` when it can write them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unwritableDirsWarning } from "./user.ts";
 * const user = { name: "docker-user", uid: 1000, gid: 1000 };
 * assert.equal(unwritableDirsWarning(user, [{ path: "/d", uid: 1000, gid: 1000, mode: 0o755 }]), undefined);
 * ```
 */
export function unwritableDirsWarning(
  user: ImageUser,
  dirs: readonly DirOwnership[],
): string | undefined {
  if (user.uid === 0) return undefined;
  const writable = (d: DirOwnership) =>
    (d.uid === user.uid && (d.mode & 0o200) !== 0) ||
    (d.gid === user.gid && (d.mode & 0o020) !== 0) || (d.mode & 0o002) !== 0;
  const closed = dirs.filter((d) => !writable(d));
  if (closed.length === 0) return undefined;
  const paths = closed.map((d) => d.path);
  const list = paths.length === 1
    ? paths[0]
    : `${paths.slice(0, -1).join(", ")} and ${paths[paths.length - 1]}`;
  const uids = [...new Set(closed.map((d) => d.uid))].join(", ");
  return `${list} ${closed.length === 1 ? "belongs" : "belong"} to uid ${uids}, so the ` +
    `container's user ${user.name} (uid ${user.uid}) cannot write there: ` +
    `'chown -R ${user.uid}:${user.gid}' ${closed.length === 1 ? "it" : "them"}, or run with --root`;
}
