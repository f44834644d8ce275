/**
 * Edge module: the files run-docker writes in its cache folder for the host user: the
 * passwd and group files of `user: host` (and `user: auto` running as you), and the rule that
 * keeps every cache write out of another user's home ({@link mayMakeIn}).
 *
 * @module
 */

import { ioReason, RunDockerError } from "../core/errors.ts";
import type { HostFacts } from "../core/facts.ts";
import { cacheDir } from "../core/platform_paths.ts";
import { attempt, randomHex } from "./host.ts";

/**
 * For `user: host` (and `user: auto` running as you): writes passwd and group files that add the
 * invoking user (HOME = the container home) to the standard root and docker-user entries, in
 * `users/` of run-docker's cache folder (`cacheDir` of `lib/core/platform_paths.ts`: the XDG cache
 * on Linux, `~/Library/Caches/run-docker` on macOS, which Colima and Rancher Desktop share with
 * their VM where they do not share `$TMPDIR`), mode 0700 and checked to be ours, replaced
 * atomically on every run.
 *
 * @param host `uid`, `gid`, `user`; `os`, `home` and `env` (`XDG_CACHE_HOME`) place the folder.
 * @param containerHome The user's HOME in the container.
 * @param write `false` (`--dry-run`): the paths only, nothing written.
 * @returns The host paths to mount at /etc/passwd and /etc/group, or `undefined` on Windows.
 * @throws {RunDockerError} when the folder exists but is not a private folder of ours, or a
 *   file cannot be written (a full disk: which path and what to free; nothing is left behind).
 */
export function writeHostUserFiles(
  host: Pick<HostFacts, "uid" | "gid" | "user" | "os" | "home" | "env">,
  containerHome: string,
  write = true,
): { passwd: string; group: string } | undefined {
  if (host.uid === undefined || host.gid === undefined) return undefined;
  const cache = cacheDir(host);
  if (cache === undefined) return undefined; // no absolute home: nowhere of the user's own
  const dir = `${cache}/users`;
  // macOS has no variable that moves the cache folder.
  const elsewhere = (what: string) =>
    host.os === "darwin" ? "" : `, or set XDG_CACHE_HOME to a folder ${what}`;
  if (!write) return { passwd: `${dir}/passwd`, group: `${dir}/group` }; // --dry-run: paths only
  // A folder that exists is checked below (private and ours); one to make, where it would go.
  if (nearestExisting(dir) !== dir && !mayMakeIn(dir, host.uid)) {
    throw new RunDockerError(
      `${nearestExisting(dir)} is not yours: run-docker will not make ${dir} there for user: host`,
      `run it as the owner of that home, or with sudo -H (root's own HOME)${
        elsewhere("of your own")
      }`,
    );
  }
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cannotWrite("create", dir, error, elsewhere);
  }
  const info = Deno.lstatSync(dir);
  if (!info.isDirectory || info.uid !== host.uid || ((info.mode ?? 0) & 0o077) !== 0) {
    throw new RunDockerError(
      `${dir} is not a private directory of yours`,
      `remove it if you can (someone else may have made it)${elsewhere("of your own")}`,
    );
  }
  const name = host.user.replace(/[^A-Za-z0-9_.-]/g, "_") || "user";
  const groupName = hostGroupName(host.gid) ?? name;
  const passwd = [
    "root:x:0:0:root:/root:/bin/sh",
    ...(host.uid !== 1000 ? ["docker-user:x:1000:1000::/home/docker-user:/bin/sh"] : []),
    ...(host.uid !== 0
      ? [`${name}:x:${host.uid}:${host.gid}:${name}:${containerHome}:/bin/sh`]
      : []),
  ];
  const group = [
    "root:x:0:",
    ...(host.gid !== 1000 ? ["docker-user:x:1000:"] : []),
    ...(host.gid !== 0 ? [`${groupName}:x:${host.gid}:`] : []),
  ];
  const files = { passwd: `${dir}/passwd`, group: `${dir}/group` };
  for (const [file, lines] of [[files.passwd, passwd], [files.group, group]] as const) {
    const temp = `${file}.${randomHex(4)}`;
    try {
      Deno.writeTextFileSync(temp, lines.join("\n") + "\n", { mode: 0o644 });
      Deno.renameSync(temp, file);
    } catch (error) {
      try {
        Deno.removeSync(temp); // a failed write leaves nothing
      } catch {
        // never created
      }
      throw cannotWrite("write", file, error, elsewhere);
    }
  }
  return files;
}

/** The user's error for a `user: host` file or folder that cannot be made: which path, what to do. */
function cannotWrite(
  verb: "create" | "write",
  path: string,
  error: unknown,
  elsewhere: (what: string) => string,
): RunDockerError {
  const dir = path.replace(/\/[^/]*$/, "") || "/";
  const code = (error as { code?: unknown })?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    // `df` of a path that exists: the file's folder, or the nearest folder a create reached.
    const where = verb === "write" ? dir : nearestExisting(path);
    return new RunDockerError(
      `cannot ${verb} ${path} for user: host: ${
        code === "ENOSPC" ? "no space left on device" : "disk quota exceeded"
      }`,
      `free space on the file system of ${where} (df ${where})${elsewhere("with room")}`,
    );
  }
  return new RunDockerError(
    `cannot ${verb} ${path} for user: host: ${ioReason(error)}`,
    `check ${dir} (it must be writable by you)${elsewhere("you can write")}`,
  );
}

/**
 * Whether run-docker may make `dir` (and its missing parents) in the cache: the nearest folder
 * of it that exists is this user's own. Root under `sudo` keeps the user's HOME; root-owned
 * folders made there would break that user's own runs.
 *
 * @param dir An absolute path.
 * @param uid Whose it must be; default this process's uid.
 * @returns `true` where there are no uids (Windows).
 */
export function mayMakeIn(dir: string, uid: number | null = Deno.uid()): boolean {
  // A folder that cannot be looked at: making the cache there fails, and says why.
  return uid === null || attempt(() => Deno.lstatSync(nearestExisting(dir)).uid === uid, true);
}

/** The path itself or its nearest ancestor that exists (`/` at the last; links not followed). */
function nearestExisting(path: string): string {
  for (let p = path; p !== "" && p !== "/"; p = p.replace(/\/[^/]*$/, "")) {
    try {
      Deno.lstatSync(p);
      return p;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) return p; // there, but not ours to look at
    }
  }
  return "/";
}

function hostGroupName(gid: number): string | undefined {
  const text = attempt(() => Deno.readTextFileSync("/etc/group"), "");
  return text.split("\n").map((l) => l.split(":")).find((f) =>
    f.length >= 3 && f[2] === String(gid)
  )?.[0];
}
