/**
 * macOS and Windows (issue 14): what a run does per platform (signals, paths, hints, the TTY,
 * HOST_UNAME, HOST_IP, dev mode on case-insensitive file systems, `--self-update`'s leftover),
 * pinned on any host with the platform as data.
 *
 * @module
 */

import assert from "node:assert/strict";
import { identifyEngine } from "../lib/edge/engine_kind.ts";
import { readEnvironment } from "../lib/edge/host.ts";
import { loadAll, memoryFiles } from "./config_fixture.ts";
import { removeOldBinary } from "../lib/edge/self_update.ts";
import { SIGNAL_NUMBERS, stopSignals } from "../lib/edge/spawn.ts";
import { killAfterSeconds } from "../lib/edge/engine_run.ts";
import { planLayout } from "../lib/core/layout.ts";
import { parseRunRequest } from "../lib/core/cli.ts";
import { validateRunRequest } from "../lib/core/request.ts";
import { hostUserWarning, platformHints } from "../lib/core/platform_hints.ts";
import { planRun } from "../lib/core/run_args.ts";
import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { exampleInput } from "./fixtures.ts";
import { helpText } from "../lib/core/help.ts";
import { isExactDir } from "../lib/edge/path_state.ts";
import { defaultRouteInterface, pickHostIp } from "../lib/core/host_ip.ts";
import { EngineError, formatError } from "../lib/core/errors.ts";
import { withDir } from "./temp_dir.ts";

Deno.test("Windows: the run-docker.exe.old an update left is removed at the next start, nothing else", () =>
  withDir((dir) => {
    const files = ["run-docker.exe", "run-docker.exe.old", "deno.exe", "deno.exe.old"];
    for (const name of files) Deno.writeTextFileSync(`${dir}/${name}`, name);
    const left = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.equal(removeOldBinary(`${dir}/run-docker.exe`, "linux"), false);
    assert.equal(removeOldBinary(`${dir}/deno.exe`, "windows"), false);
    assert.deepEqual(left(), [...files].sort());
    assert.equal(removeOldBinary(`${dir}/run-docker.exe`, "windows"), true);
    assert.deepEqual(left(), ["deno.exe", "deno.exe.old", "run-docker.exe"]);
    assert.equal(removeOldBinary(`${dir}/run-docker.exe`, "windows"), false);
  }));

Deno.test("Windows: Ctrl+Break, a closing console and SIGTERM stop run-docker and the container, not only Ctrl+C", () => {
  assert.deepEqual(stopSignals("windows"), ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"]);
  assert.deepEqual(stopSignals("darwin"), ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]);
  assert.equal(128 + SIGNAL_NUMBERS.SIGBREAK, 149);
  // The same 10 s before `docker kill`, but a closing console leaves ~5 s: kill at once.
  assert.equal(killAfterSeconds("SIGBREAK", "windows"), 10);
  assert.equal(killAfterSeconds("SIGINT", "windows"), 10);
  assert.equal(killAfterSeconds("SIGHUP", "windows"), 0);
  assert.equal(killAfterSeconds("SIGHUP", "linux"), 10);
});

Deno.test("Windows paths: a UNC source keeps its \\\\server; ~\\ in a config file expands as ~/ does", async () => {
  const host = { home: "C:\\Users\\z", os: "windows", cwd: "C:\\w" };
  const request = validateRunRequest(
    parseRunRequest(["--hostdatadir", "\\\\nas\\share\\data", "--hostlogdir", "~\\log", "app"]),
  );
  const layout = planLayout(request, host);
  assert.equal(layout.dataDir, "//nas/share/data");
  assert.equal(layout.logDir, "C:/Users/z/log");
  // A UNC work root is absolute too.
  assert.equal(
    planLayout(validateRunRequest(parseRunRequest(["app"])), {
      ...host,
      workRoot: "\\\\nas\\share\\work",
    }).srcDir,
    "//nas/share/work/src/app",
  );
  const files = memoryFiles({
    "C:/cfg.yaml": "workdir: ~\\work\nengine: ~\\bin\\docker.exe\n" +
      "volumes:\n  - ~\\cache:/home/docker-user/.cache\n",
  });
  const env = readEnvironment("windows", { RUN_DOCKER_CONFIG: "C:/cfg.yaml" });
  const loaded = await loadAll(["app"], { home: host.home, env, os: "windows", files });
  assert.equal(loaded.workRoot, "C:/Users/z/work");
  assert.equal(loaded.config.engine, "C:/Users/z/bin/docker.exe");
  assert.deepEqual(loaded.config.volumes, ["C:/Users/z/cache:/home/docker-user/.cache"]);
  const unc = memoryFiles({ "C:/cfg.yaml": "workdir: \\\\nas\\share\\work\n" });
  const shared = await loadAll(["app"], { home: host.home, env, os: "windows", files: unc });
  assert.equal(shared.workRoot, "\\\\nas\\share\\work");
});

Deno.test("Hints speak each platform's language: no systemctl, docker group or apt-get on macOS and Windows", async () => {
  for (const os of ["darwin", "windows"]) {
    for (const [name, hint] of Object.entries(platformHints(os))) {
      assert.doesNotMatch(hint, /systemctl|'docker' group|apt-get|sudo systemctl/, `${os} ${name}`);
    }
  }
  assert.match(platformHints("darwin").startEngine, /Docker Desktop.*colima start/);
  assert.match(platformHints("windows").startEngine, /Docker Desktop/);
  assert.match(platformHints("windows").writeAsAdmin, /administrator/);
  assert.match(platformHints("linux").socketDenied, /'docker' group/);
  // No engine at all, on a Mac and in PowerShell: the one error says what to install there.
  await withDir(async (empty) => {
    for (const [os, want] of [["darwin", /brew install colima/], ["windows", /winget/]] as const) {
      const env = readEnvironment(os, { Path: empty, PATH: empty });
      const error = await identifyEngine({ program: "auto" }, { env, os }, true).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(error instanceof EngineError);
      const lines = formatError(error).lines;
      assert.equal(lines.length, 2);
      assert.match(lines[1], want);
      assert.doesNotMatch(lines[1], /apt-get/);
    }
  });
});

Deno.test("Windows has no uid: user: host runs as docker-user without HOSTUSER, and says so", () => {
  const windows = { os: "windows", uid: undefined, gid: undefined, home: "C:/Users/zepu" };
  const settings = { ...DEFAULT_SETTINGS, containerUser: "host" };
  const plan = planRun(exampleInput(["app:1", "true"], windows, { settings }));
  const args = plan.args.join(" ");
  assert.match(args, /--user docker-user /);
  assert.doesNotMatch(args, /HOSTUSER/);
  assert.equal(
    hostUserWarning("host", windows),
    "user: host needs your numeric uid, which Windows does not have: the container runs as docker-user, and HOSTUSER is not set",
  );
  assert.equal(hostUserWarning("docker-user", windows), undefined);
  assert.equal(hostUserWarning("host", { os: "darwin", uid: 501 }), undefined);
});

Deno.test("HOST_UNAME is what the platform's own uname -snrm says: arm64 on Apple Silicon", () => {
  const uname = (host: Record<string, string>) =>
    planRun(exampleInput(["app:1", "true"], host)).args.find((a) => a.startsWith("HOST_UNAME="));
  assert.equal(
    uname({ os: "darwin", arch: "aarch64", hostname: "mac", osRelease: "24.1.0" }),
    "HOST_UNAME=Darwin mac 24.1.0 arm64",
  );
  assert.equal(
    uname({ os: "darwin", arch: "x86_64", hostname: "mac", osRelease: "24.1.0" }),
    "HOST_UNAME=Darwin mac 24.1.0 x86_64",
  );
  assert.equal(uname({ os: "linux", arch: "aarch64" }), "HOST_UNAME=Linux laptop 6.1.0 aarch64");
});

Deno.test("--help says the --dry-run line is POSIX-shell quoted, and what to use in PowerShell", () => {
  // The row wraps at 80 columns: its lines, joined.
  const lines = helpText("0.1.0").split("\n");
  const start = lines.findIndex((l) => l.trimStart().startsWith("--dry-run"));
  const row = [
    lines[start],
    ...lines.slice(start + 1).filter((_, i, rest) =>
      rest.slice(0, i + 1).every((l) => /^ {35}\S/.test(l))
    ),
  ].map((l) => l.trim()).join(" ");
  assert.match(row, /POSIX-shell-quoted.*PowerShell or cmd use --dry-run --json/);
});

Deno.test("APFS and NTFS: ~/work/src/MyApp is not the tree of image myapp (exact name on every OS)", () => {
  // A case-insensitive file system: any spelling is the directory, the listing keeps its own.
  const stored = ["MyApp", "other"];
  const apfs = {
    isDir: (p: string) =>
      p.toLowerCase() === "/users/z/work/src" ||
      stored.some((n) => p.toLowerCase() === `/users/z/work/src/${n.toLowerCase()}`),
    names: (d: string) => d.toLowerCase() === "/users/z/work/src" ? stored : [],
  };
  assert.equal(isExactDir("/Users/z/work/src/myapp", "darwin", apfs), false);
  assert.equal(isExactDir("/Users/z/work/src/MyApp", "darwin", apfs), true);
  assert.equal(isExactDir("/Users/z/work/src/none", "darwin", apfs), false);
  const ntfs = {
    isDir: (p: string) => /^c:\/users\/z\/work\/src(\/myapp)?$/i.test(p),
    names: (d: string) => /^c:\/users\/z\/work\/src$/i.test(d) ? ["MyApp"] : [],
  };
  assert.equal(isExactDir("C:/Users/z/work/src/myapp", "windows", ntfs), false);
  assert.equal(isExactDir("C:/Users/z/work/src/MyApp", "windows", ntfs), true);
  return withDir((dir) => {
    Deno.mkdirSync(`${dir}/MyApp`);
    assert.equal(isExactDir(`${dir}/MyApp`, "linux"), true);
    assert.equal(isExactDir(`${dir}/myapp`, "linux"), false);
  });
});

Deno.test("Git Bash's mintty without ConPTY: no -t (docker.exe refuses the pipe as a TTY), and --explain says why", () => {
  const tty = {
    os: "windows",
    stdinIsTty: true,
    stdoutIsTty: true,
    uid: undefined,
    gid: undefined,
  };
  const plan = (env: Record<string, string | undefined>) =>
    planRun(exampleInput(["app:1", "bash"], { ...tty, env }));
  const mintty = plan({ MSYSTEM: "MINGW64" });
  assert.ok(!mintty.args.includes("--tty"), mintty.args.join(" "));
  assert.ok(mintty.args.includes("--interactive"));
  assert.ok(
    mintty.explain.some((l) =>
      /left out -t: stdin is Git Bash's mintty pipe \(MSYSTEM=MINGW64\)/.test(l)
    ),
    mintty.explain.join("\n"),
  );
  // A real console: ConPTY, Windows Terminal, PowerShell or cmd.
  for (
    const env of [{ MSYSTEM: "MINGW64", MSYS: "enable_pcon" }, {
      MSYSTEM: "MINGW64",
      WT_SESSION: "1",
    }, {}]
  ) {
    assert.ok(plan(env).args.includes("--tty"), JSON.stringify(env));
  }
  // Linux and macOS: MSYSTEM means nothing.
  const linux = planRun(
    exampleInput(["app:1", "bash"], {
      stdinIsTty: true,
      stdoutIsTty: true,
      env: { MSYSTEM: "MINGW64" },
    }),
  );
  assert.ok(linux.args.includes("--tty"));
});

Deno.test("HOST_IP is the default route's interface, never link-local, a VM bridge, a VPN tunnel or vEthernet", () => {
  const v4 = (name: string, address: string) => ({ name, family: "IPv4", address });
  const mac = [
    v4("lo0", "127.0.0.1"),
    v4("en5", "169.254.12.7"),
    v4("utun3", "10.8.0.2"),
    v4("bridge100", "192.168.64.1"),
    v4("en0", "192.168.1.23"),
  ];
  assert.equal(pickHostIp(mac, "darwin"), "192.168.1.23");
  // Wi-Fi off, Ethernet on en7: the first physical one.
  assert.equal(pickHostIp([...mac.slice(0, 4), v4("en7", "10.0.0.9")], "darwin"), "10.0.0.9");
  const windows = [
    v4("vEthernet (WSL)", "172.29.96.1"),
    v4("vEthernet (Default Switch)", "172.17.240.1"),
    v4("Ethernet", "192.168.1.5"),
  ];
  assert.equal(pickHostIp(windows, "windows"), "192.168.1.5");
  const routes = "Iface\tDestination\tGateway\tFlags\n" +
    "docker0\t000011AC\t00000000\t0001\nwlp2s0\t00000000\t0101A8C0\t0003\n";
  const linux = [v4("docker0", "172.17.0.1"), v4("eth0", "10.1.1.1"), v4("wlp2s0", "192.168.1.7")];
  assert.equal(pickHostIp(linux, "linux", defaultRouteInterface(routes)), "192.168.1.7");
  assert.equal(pickHostIp(linux, "linux"), "10.1.1.1");
  // Only a VM bridge: better than nothing; only link-local: nothing.
  assert.equal(pickHostIp([v4("bridge100", "192.168.64.1")], "darwin"), "192.168.64.1");
  assert.equal(pickHostIp([v4("en0", "169.254.1.1")], "darwin"), undefined);
});
