/**
 * Deno's permission errors never reach the user as Deno's advice ("run again
 * with the --allow-all flag"): host paths that run-docker may not touch
 * (/proc, /dev, /sys) are "not allowed (a system path)", checked under the
 * permission flags run-docker ships with; and every place in lib/ that puts
 * a caught error's text into a message is either fed by `ioReason` or listed
 * here with why its errors cannot be Deno's permission errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

const LIB = fileURLToPath(new URL("../lib/", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs `code` (a module body; `lib` is the lib/ URL) under run-docker's own permission flags. */
async function underShippedPermissions(code: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "rd-perm-" });
  try {
    await Deno.writeTextFile(
      `${dir}/probe.ts`,
      `const lib = ${JSON.stringify(new URL("../lib/", import.meta.url).href)};\n${code}`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--config",
        `${ROOT}deno.json`,
        ...PERMISSION_FLAGS,
        `${dir}/probe.ts`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    return new TextDecoder().decode(output.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "a system path as a host directory, a user: host folder or a config file is 'not allowed'",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const printed = await underShippedPermissions(`
const { makeDirs } = await import(lib + "edge/host.ts");
const { writeHostUserFiles } = await import(lib + "edge/host_user_files.ts");
const { systemConfigFiles } = await import(lib + "edge/config/files.ts");
const { formatError } = await import(lib + "core/errors.ts");
const report = (error) => console.log(formatError(error).lines.join("\\n"));
try { makeDirs(["/proc/self"]); } catch (error) { report(error); }
try { makeDirs(["/proc/self/rd-new"]); } catch (error) { report(error); }
try { writeHostUserFiles({ uid: 4242, gid: 4242, user: "u", os: "linux", home: "/h", env: { XDG_CACHE_HOME: "/proc/self" } }, "/home/u"); } catch (error) { report(error); }
try { await systemConfigFiles.readText("/proc/self/environ"); } catch (error) { console.log(error.message); }
try { Deno.statSync("/proc/self"); } catch (error) { report(error); }
`);
  assert.equal(
    printed,
    'run-docker: error: cannot create host directory "/proc/self": not allowed (a system path)\n' +
      "hint: create it yourself, or pick another with --hostdatadir/--hostlogdir (or RUN_DOCKER_WORKDIR)\n" +
      'run-docker: error: cannot create host directory "/proc/self/rd-new": not allowed (a system path)\n' +
      "hint: create it yourself, or pick another with --hostdatadir/--hostlogdir (or RUN_DOCKER_WORKDIR)\n" +
      "run-docker: error: cannot create /proc/self/run-docker/users for user: host: not allowed (a system path)\n" +
      "hint: check /proc/self/run-docker (it must be writable by you), or set XDG_CACHE_HOME to a folder you can write\n" +
      "not allowed (a system path)\n" +
      // What no message names on purpose: Deno's own error, should one escape, keeps only its path.
      "run-docker: error: not allowed: /proc/self\n" +
      "hint: run-docker does not touch system paths such as /proc, /dev and /sys; " +
      "under deno, run it with the flags in scripts/permissions.ts\n",
  );
  assert.doesNotMatch(printed, /--allow-|Requires /);
});

/**
 * Files in lib/ whose messages embed a caught error's text that never comes from a Deno
 * file, process or permission API, with why. Everything else goes through `ioReason`.
 */
const NOT_IO: Record<string, string> = {
  "edge/carry_out.ts": "SyntaxError/TypeError of a tag filter or range that does not parse",
  "core/config/yaml.ts": "the YAML parser's errors",
  "core/config/schema.ts": "glob and regular-expression parse errors",
  "edge/config/files.ts": "readText's errors, made by reason() = ioReason",
  "core/errors.ts": "ioReason itself; formatError keeps only the path of a NotCapable",
  "edge/image.ts": "RegistryError/EngineError messages, themselves made of checked parts",
  "edge/output.ts": "a write to stdout or stderr (a closed pipe), no path",
  "core/registry/errors.ts": "its own messages and the registry's sanitized text",
  "core/registry/network_errors.ts": "fetch errors (network access is granted to every host)",
  "core/registry/responses.ts": "JSON parse errors and the registry's own error text",
  "edge/release_archive.ts": "its Refusal and the archive libraries' parse errors",
  "edge/release_fetch.ts": "fetch errors (network access is granted to every host)",
  "core/tags.ts": "regular-expression and semver range parse errors",
  "edge/engine_api.ts": "the engine's own error text (the message of its JSON answer)",
};

/** Every lib/ file (relative path) with its code, comments left out. */
function libCode(dir = LIB, prefix = ""): [string, string][] {
  const found: [string, string][] = [];
  for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory) found.push(...libCode(`${dir}${entry.name}/`, `${name}/`));
    else if (entry.name.endsWith(".ts")) {
      found.push([
        name,
        Deno.readTextFileSync(`${dir}${entry.name}`)
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/^\s*\/\/.*$/gm, ""),
      ]);
    }
  }
  return found;
}

Deno.test("every lib/ message made from a caught I/O error goes through ioReason", () => {
  const reading = libCode().filter(([, code]) => /\.message\b/.test(code)).map(([name]) => name);
  assert.deepEqual(reading, Object.keys(NOT_IO).sort());
});

Deno.test("no string in lib/ code says --allow- but the permission flags given to children", () => {
  const hits = libCode().flatMap(([name, code]) =>
    [...code.matchAll(/[`"'][^`"'\n]*--allow-[^`"'\n]*[`"']/g)].map((m) => `${name}: ${m[0]}`)
  );
  assert.deepEqual(hits, [
    'core/notebook.ts: "--allow-root"',
    'edge/watchdog.ts: "--allow-write"',
    'edge/watchdog.ts: "--allow-read"',
    'edge/watchdog.ts: "--allow-run"',
  ]);
});
