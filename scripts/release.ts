/**
 * `deno task release [--binaries DIR] [--out DIR]`: the release assets.
 *
 * Compiles the five targets (or takes prebuilt `run-docker-<target>[.exe]`
 * from `--binaries`), then packages each as `run-docker-<target>.tar.gz`
 * (Linux, macOS) or `.zip` (Windows) with a top folder
 * `run-docker-<target>/` holding the binary, LICENSE, README.md, VERSION,
 * install.sh and the manual page run-docker.1 (`scripts/man.ts`); writes one `SHA256SUMS` (sha256sum format) and `latest.json`
 * (`{version, targets: {<target>: {asset, sha256}}}`). Archives are
 * reproducible: sorted names, owner 0, mtime from SOURCE_DATE_EPOCH (else
 * the last commit's time), `gzip -n`. Asset names carry no version, so
 * `releases/latest/download/<asset>` is stable.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { compile, TARGETS } from "./compile.ts";
import { manPage } from "./man.ts";
import { runCommand } from "./run_command.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** One packaged target. */
export interface Asset {
  readonly target: string;
  readonly asset: string;
  readonly sha256: string;
}

async function run(
  program: string,
  args: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const result = await runCommand(program, args, options);
  if (result.code !== 0) throw new Error(`${program} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * The sha256 of a file, as lowercase hex.
 *
 * @param path The file.
 */
export async function sha256File(path: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Packages binaries into the release assets.
 *
 * @param binaries Binary path by target.
 * @param options `version`; `out` folder; `epoch` (seconds) for every mtime; `root` of the repository
 *   (LICENSE, README.md, install.sh are taken from there).
 * @returns The assets, sorted by name; `SHA256SUMS` and `latest.json` are written beside them.
 */
export async function packageRelease(
  binaries: Record<string, string>,
  options: { version: string; out: string; epoch: number; root?: string },
): Promise<Asset[]> {
  const root = options.root ?? ROOT;
  const readme = await Deno.readTextFile(`${root}README.md`);
  await Deno.mkdir(options.out, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "run-docker-release-" });
  const assets: Asset[] = [];
  try {
    for (const [target, binary] of Object.entries(binaries).sort()) {
      const windows = target.includes("windows");
      const folder = `run-docker-${target}`;
      const dir = `${work}/${folder}`;
      await Deno.mkdir(dir);
      const exe = windows ? "run-docker.exe" : "run-docker";
      await Deno.copyFile(binary, `${dir}/${exe}`);
      await Deno.chmod(`${dir}/${exe}`, 0o755);
      for (const file of ["LICENSE", "README.md", "install.sh"]) {
        await Deno.copyFile(`${root}${file}`, `${dir}/${file}`);
      }
      await Deno.chmod(`${dir}/install.sh`, 0o755);
      await Deno.writeTextFile(`${dir}/run-docker.1`, manPage(readme, options.version));
      await Deno.writeTextFile(`${dir}/VERSION`, `${options.version}\n`);
      // Modes and times fixed, so the archive does not depend on umask or the clock.
      await Deno.chmod(dir, 0o755);
      for (const file of ["LICENSE", "README.md", "VERSION", "run-docker.1"]) {
        await Deno.chmod(`${dir}/${file}`, 0o644);
      }
      for (const path of [dir, ...[...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`)]) {
        await Deno.utime(path, options.epoch, options.epoch);
      }
      const asset = `${folder}${windows ? ".zip" : ".tar.gz"}`;
      const dest = `${options.out}/${asset}`;
      await Deno.remove(dest).catch(() => {});
      if (windows) {
        const names = [
          folder,
          ...[...Deno.readDirSync(dir)].map((e) => `${folder}/${e.name}`).sort(),
        ];
        // zip stores local time: TZ=UTC keeps it the same everywhere.
        await run("zip", ["-X", "-q", "-D", dest, "-@"], {
          cwd: work,
          stdin: names.join("\n") + "\n",
          env: { TZ: "UTC", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
        });
      } else {
        const tar = `${work}/${folder}.tar`;
        await run("tar", [
          "--sort=name",
          "--owner=0",
          "--group=0",
          "--numeric-owner",
          `--mtime=@${options.epoch}`,
          "--format=gnu",
          "-cf",
          tar,
          "-C",
          work,
          folder,
        ]);
        await run("gzip", ["-n", "-9", tar]);
        await Deno.rename(`${tar}.gz`, dest);
      }
      assets.push({ target, asset, sha256: await sha256File(dest) });
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  assets.sort((a, b) => (a.asset < b.asset ? -1 : 1));
  await Deno.writeTextFile(
    `${options.out}/SHA256SUMS`,
    assets.map((a) => `${a.sha256}  ${a.asset}\n`).join(""),
  );
  await Deno.writeTextFile(
    `${options.out}/latest.json`,
    JSON.stringify(
      {
        version: options.version,
        targets: Object.fromEntries(
          assets.map((a) => [a.target, { asset: a.asset, sha256: a.sha256 }]),
        ),
      },
      null,
      2,
    ) + "\n",
  );
  return assets;
}

async function sourceEpoch(): Promise<number> {
  const fromEnv = Deno.env.get("SOURCE_DATE_EPOCH");
  if (fromEnv) return Number(fromEnv);
  try {
    return Number((await run("git", ["log", "-1", "--format=%ct"], { cwd: ROOT })).trim());
  } catch {
    return 0;
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const at = Deno.args.indexOf(name);
    return at === -1 ? undefined : Deno.args[at + 1];
  };
  const out = arg("--out") ?? `${ROOT}dist/release`;
  const given = arg("--binaries");
  try {
    const binaries: Record<string, string> = {};
    for (const target of TARGETS) {
      const name = `run-docker-${target}${target.includes("windows") ? ".exe" : ""}`;
      if (given) {
        binaries[target] = `${given}/${name}`;
      } else {
        await Deno.mkdir(`${out}/bin`, { recursive: true });
        await compile(target, `${out}/bin/${name}`);
        binaries[target] = `${out}/bin/${name}`;
      }
    }
    const assets = await packageRelease(binaries, {
      version: config.version,
      out,
      epoch: await sourceEpoch(),
    });
    for (const a of assets) console.log(`${a.sha256}  ${a.asset}`);
  } catch (error) {
    console.error(`release: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
