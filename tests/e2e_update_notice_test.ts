/**
 * End to end: the update notice against a fake release base on 127.0.0.1
 * (`RUN_DOCKER_DOWNLOAD_URL`), run-docker on a pseudo-terminal (util-linux `script`).
 *
 * "Never adding time to the run" is asserted by structure, not timing: the container writes a
 * marker into the data directory as its last act, and the fake release base records, for each
 * request, whether the marker was there: no request may come before the container exits. A
 * release base that never answers still lets the run end with the container's code.
 */

import assert from "node:assert/strict";
import { baseEnv, e2e, ignore, program, runDocker, unreachable, withHome } from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";
import { quoteCommand } from "../lib/core/shell_quote.ts";

const IMAGE = `e2e-update-${crypto.randomUUID().slice(0, 6)}/app:1`;
if (!ignore && unreachable === undefined) {
  await buildTestImages(IMAGE.slice(0, -2), ["1"]);
  globalThis.addEventListener("unload", () => {
    new Deno.Command("docker", { args: ["rmi", "-f", IMAGE], stdout: "null" }).outputSync();
  });
}

const DAY = 24 * 60 * 60 * 1000;
const NOTICE = "run-docker 99.0.0 is available (you have 0.1.0): run-docker --self-update";
/** The container's last act: the marker in the data directory (`--root`: /root/data). */
const COMMAND = ["sh", "-c", "echo ran; touch /root/data/marker; exit 3"];

/** A fake release base: `latest.json` naming 99.1.0, or no answer at all (`hang`). */
function releaseBase(marker: string, hang: boolean) {
  const requests: { path: string; afterExit: boolean }[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    let afterExit = true;
    try {
      Deno.statSync(marker);
    } catch {
      afterExit = false;
    }
    requests.push({ path: new URL(req.url).pathname, afterExit });
    if (hang) await held;
    const target = Deno.build.target;
    const asset = `run-docker-${target}.tar.gz`;
    return Response.json({
      version: "99.1.0",
      targets: { [target]: { asset, sha256: "0".repeat(64) } },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async stop() {
      release();
      await server.shutdown();
    },
  };
}

/** run-docker on a pseudo-terminal: what the terminal showed, and the exit code. */
async function onTerminal(args: string[], home: string, env: Record<string, string>) {
  const [cmd, argv] = program(args);
  const result = await new Deno.Command("script", {
    args: ["--quiet", "--return", "--command", quoteCommand([cmd, ...argv]), "/dev/null"],
    clearEnv: true,
    env: baseEnv(home, env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  // `^@`: the terminal's echo of a NUL the docker CLI sends on attaching with a TTY.
  const terminal = new TextDecoder().decode(result.stdout).replaceAll("^@", "");
  return { code: result.code, terminal };
}

function withRelease(
  name: string,
  hang: boolean,
  fn: (home: string, release: ReturnType<typeof releaseBase>, cache: string) => Promise<void>,
) {
  e2e(`update notice: ${name}`, () =>
    withHome("h", async (home) => {
      const release = releaseBase(`${home}/work/data/marker`, hang);
      const cache = `${home}/.cache/run-docker/update.json`;
      try {
        await fn(home, release, cache);
      } finally {
        await release.stop();
      }
    }));
}

function writeCache(file: string, cache: Record<string, string>): void {
  Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
  Deno.writeTextFileSync(file, JSON.stringify(cache));
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

withRelease(
  "a stale cache: its notice, then one check after the container exits",
  false,
  async (home, release, cache) => {
    writeCache(cache, { checked: ago(2 * DAY), latest: "99.0.0" });
    const env = { RUN_DOCKER_DOWNLOAD_URL: release.url };
    const { code, terminal } = await onTerminal(["--root", IMAGE, ...COMMAND], home, env);
    assert.equal(code, 3, terminal);
    assert.ok(terminal.includes(`ran\r\n`), terminal);
    assert.ok(terminal.includes(`${NOTICE}\r\n`), terminal);
    assert.deepEqual(release.requests, [{ path: "/latest/download/latest.json", afterExit: true }]);
    const saved = JSON.parse(Deno.readTextFileSync(cache));
    assert.equal(saved.latest, "99.1.0");
    assert.ok(Date.now() - Date.parse(saved.checked) < DAY);
    assert.ok(Date.now() - Date.parse(saved.noticed) < DAY);

    // The next run, the same day: no notice, no request.
    const again = await onTerminal(["--root", IMAGE, ...COMMAND], home, env);
    assert.equal(again.code, 3);
    assert.equal(again.terminal.includes("is available"), false, again.terminal);
    assert.equal(release.requests.length, 1);
  },
);

withRelease(
  "no cache yet, and a release base that never answers: the run ends with its own code",
  true,
  async (home, release) => {
    const cache = `${home}/xdg/run-docker/update.json`;
    const env = { RUN_DOCKER_DOWNLOAD_URL: release.url, XDG_CACHE_HOME: `${home}/xdg` };
    const { code, terminal } = await onTerminal(["--root", IMAGE, ...COMMAND], home, env);
    assert.equal(code, 3, terminal);
    assert.equal(terminal, "ran\r\n");
    assert.deepEqual(release.requests, [{ path: "/latest/download/latest.json", afterExit: true }]);
    // Not checked: asked again on the next run.
    assert.equal(JSON.parse(Deno.readTextFileSync(cache)).checked, undefined);
  },
);

withRelease(
  "off a terminal, with --local, CI or RUN_DOCKER_NO_UPDATE_CHECK: nothing",
  false,
  async (home, release, cache) => {
    writeCache(cache, { checked: ago(2 * DAY), latest: "99.0.0" });
    const url = { RUN_DOCKER_DOWNLOAD_URL: release.url };
    for (
      const [args, env] of [
        [[], { ...url, CI: "true" }],
        [[], { ...url, RUN_DOCKER_NO_UPDATE_CHECK: "1" }],
        [["--local"], url],
      ] as const
    ) {
      const { code, terminal } = await onTerminal(
        [...args, "--root", IMAGE, ...COMMAND],
        home,
        env,
      );
      assert.equal(code, 3);
      assert.equal(terminal, "ran\r\n", JSON.stringify(env));
    }
    const piped = await runDocker(["--root", IMAGE, ...COMMAND], { home, env: url });
    assert.equal(piped.code, 3);
    assert.equal(piped.stderr, "");
    assert.deepEqual(release.requests, []);
  },
);
