/**
 * `--self-update` talks https, or plain http to exactly 127.0.0.1, localhost
 * or [::1]; redirects are followed by hand and never to plain http (but from
 * a loopback origin to itself). A fake fetch that follows redirects unless
 * told `redirect: "manual"` (as fetch does) records every URL asked for.
 */

import assert from "node:assert/strict";
import { UsageError } from "../lib/core/errors.ts";
import { selfUpdate } from "../lib/edge/self_update.ts";
import { withReleases } from "./release_fixture.ts";

const TARGET = "x86_64-unknown-linux-gnu";
const ASSET = `run-docker-${TARGET}.tar.gz`;

/** A fetch over `routes` (URL → answer) that follows redirects as fetch's default does. */
function fakeFetch(routes: (url: string) => Response | Promise<Response>) {
  const asked: string[] = [];
  const fetcher = async (url: string, init?: RequestInit): Promise<Response> => {
    for (let hop = 0; hop < 20; hop++) {
      asked.push(url);
      const response = await routes(url);
      const location = response.headers.get("location");
      if (init?.redirect === "manual" || location === null) return response;
      url = new URL(location, url).href;
    }
    throw new TypeError("too many redirects");
  };
  return { fetcher, asked };
}

const redirect = (to: string) => new Response(null, { status: 302, headers: { location: to } });

async function installed(): Promise<{ dir: string; binary: string }> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-installed-" });
  const binary = `${dir}/run-docker`;
  await Deno.writeTextFile(binary, '#!/bin/sh\necho "run-docker 1.0.0 (stub)"\n', { mode: 0o755 });
  return { dir, binary };
}

Deno.test("selfUpdate() refuses a release base over plain http to another host before any request", async () => {
  const { dir, binary } = await installed();
  try {
    for (
      const base of [
        "http://mirror.example.com/rel",
        "http://127.evil.invalid/rel",
        "http://127.0.0.1.evil.invalid/rel",
        "http://localhost.evil.invalid:8080/rel",
      ]
    ) {
      const { fetcher, asked } = fakeFetch(() => new Response("{}"));
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, fetch: fetcher }),
        new UsageError(
          `refusing to download over plain http: ${base}`,
          "set RUN_DOCKER_DOWNLOAD_URL to https, or to http only on 127.0.0.1, localhost or [::1]",
        ),
      );
      assert.deepEqual(asked, [], base);
    }
    const { fetcher } = fakeFetch(() => new Response("{}"));
    await assert.rejects(
      selfUpdate({ binary, target: TARGET, base: "ftp://mirror.example.com/rel", fetch: fetcher }),
      /^UsageError: cannot download from "ftp:\/\/mirror\.example\.com\/rel": not an https URL$/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("selfUpdate() never follows a redirect to plain http (https downgrade, another loopback origin)", async () => {
  const { dir, binary } = await installed();
  try {
    const cases = [
      ["https://releases.example/rel", "http://127.0.0.1:1/latest.json"],
      ["https://releases.example/rel", "http://mirror.example.com/latest.json"],
      ["http://127.0.0.1:9/rel", "http://localhost:9/latest.json"],
      ["http://localhost:9/rel", "http://localhost:10/latest.json"],
    ];
    for (const [base, to] of cases) {
      const { fetcher, asked } = fakeFetch((url) =>
        url.endsWith("/latest/download/latest.json") ? redirect(to) : new Response("{}")
      );
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, fetch: fetcher }),
        (e: unknown) => {
          assert.equal(
            (e as Error).message,
            `refusing to follow a redirect from ${base}/latest/download/latest.json to ${to}: ` +
              "not https",
          );
          return true;
        },
      );
      assert.deepEqual(asked, [`${base}/latest/download/latest.json`], base);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("selfUpdate() follows https redirects to another host and loopback ones to the same origin", () =>
  withReleases(async (base, releases) => {
    const { dir, binary } = await installed();
    try {
      // GitHub's shape: the release URL redirects to a storage host over https.
      const { fetcher, asked } = fakeFetch(async (url) => {
        const m = /^https:\/\/github\.example\/rel\/latest\/download\/(.+)$/.exec(url);
        if (m !== null) return redirect(`https://objects.example/v1.1.0/${m[1]}`);
        const o = /^https:\/\/objects\.example\/(.+)$/.exec(url);
        if (o !== null) return new Response(await Deno.readFile(`${releases}/${o[1]}`));
        return new Response("not found", { status: 404 });
      });
      const https = "https://github.example/rel";
      assert.equal(
        await selfUpdate({ binary, target: TARGET, base: https, fetch: fetcher }),
        "1.1.0",
      );
      assert.deepEqual(asked, [
        `${https}/latest/download/latest.json`,
        "https://objects.example/v1.1.0/latest.json",
        `${https}/latest/download/${ASSET}`,
        `https://objects.example/v1.1.0/${ASSET}`,
        `${https}/latest/download/SHA256SUMS`,
        "https://objects.example/v1.1.0/SHA256SUMS",
      ]);
      // A loopback mirror that redirects within its own origin (relative Location), real fetch.
      const { fetcher: local, asked: localAsked } = fakeFetch((url) => {
        const path = new URL(url).pathname;
        return path.startsWith("/moved/")
          ? fetch(`${base}/download/v1.0.0/${path.slice(7)}`)
          : redirect(`/moved/${path.replace(/^.*\//, "")}`);
      });
      assert.equal(
        await selfUpdate({ binary, target: TARGET, base, version: "1.0.0", fetch: local }),
        "1.0.0",
      );
      assert.equal(localAsked.length, 6, String(localAsked));
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));
