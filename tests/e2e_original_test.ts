/**
 * End-to-end: what the original run-docker script did that run-docker does too (`--root` in dev
 * mode under `/root`, `--local`'s `DOCKER_LOCAL_MODE`, `HOST_WHOAMI` of the effective user), on a
 * real engine with a busybox image (tests/test_image.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { docker, e2e, runDocker, withHome } from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";

e2e(
  "--root --local in dev mode: src, data and log under /root; DOCKER_LOCAL_MODE; HOST_WHOAMI",
  () =>
    withHome("h", async (home) => {
      const image = "parity-original/app";
      await buildTestImages(image, ["1"]);
      try {
        await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
        await Deno.writeTextFile(`${home}/work/src/app/hello.txt`, "from the host\n");
        const script = 'pwd; cat ~/src/hello.txt; echo "$DATADIR $LOGDIR $PYTHONPATH"; ' +
          'echo "$DOCKER_LOCAL_MODE $HOST_WHOAMI"; echo x > "$DATADIR/f" && echo y > "$LOGDIR/f"';
        const result = await runDocker(["--root", "--local", `${image}:1`, "sh", "-c", script], {
          home,
          env: { USER: "alice-not-me", LOGNAME: "alice-not-me" },
        });
        assert.equal(result.code, 0, result.stderr);
        const uid = String(Deno.uid());
        const me = Deno.readTextFileSync("/etc/passwd").split("\n").map((l) => l.split(":"))
          .find((f) => f[2] === uid)?.[0];
        assert.equal(
          result.stdout,
          "/root/src\nfrom the host\n/root/data /root/log /root/src/src\n" + `1 ${me}\n`,
        );
        assert.equal(await Deno.readTextFile(`${home}/work/data/f`), "x\n");
        assert.equal(await Deno.readTextFile(`${home}/work/log/f`), "y\n");
      } finally {
        await docker("rmi", `${image}:1`);
      }
    }),
);
