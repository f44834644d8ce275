/**
 * Table tests of the container user decision (lib/core/user.ts): `user: auto` from the facts,
 * forced users, and reading the image user from `Config.User` and `/etc/passwd`.
 */

import assert from "node:assert/strict";
import {
  chooseUser,
  type ImageUser,
  imageUserOf,
  unwritableDirsWarning,
  type UserChoice,
  type UserFacts,
} from "../lib/core/user.ts";
import { planRun } from "../lib/core/run_args.ts";
import { decideRun } from "../lib/core/decide.ts";
import { exampleInput } from "./fixtures.ts";
import { GIVEN, lookup } from "./decide_fixtures.ts";

const AUTO: UserFacts = {
  setting: "auto",
  from: "default",
  root: false,
  host: { uid: 1001, gid: 1001 },
  place: "local",
  rootless: false,
};
const APP: ImageUser = { name: "app", uid: 2000, gid: 2000 };
const DOCKER_USER: ImageUser = { name: "docker-user", uid: 1000, gid: 1000 };

/** [name, facts, user, dirOwner] */
const CHOICES: [string, Partial<UserFacts>, string, UserChoice["dirOwner"]?][] = [
  ["uid 1001, a local engine: your uid:gid", {}, "host"],
  ["uid 1000, a local engine: the image user", { host: { uid: 1000, gid: 1000 } }, "docker-user"],
  ["uid 2000 and the image's user is uid 2000", { host: { uid: 2000, gid: 5 }, image: APP }, "app"],
  ["uid 1000 and the image's user is uid 2000", {
    host: { uid: 1000, gid: 1000 },
    image: APP,
  }, "host"],
  ["host root: the image user, dirs made its own", { host: { uid: 0, gid: 0 } }, "docker-user", {
    uid: 1000,
    gid: 1000,
  }],
  ["host root, the image's user read", { host: { uid: 0, gid: 0 }, image: APP }, "app", {
    uid: 2000,
    gid: 2000,
  }],
  ["host root, an image whose user is root: root, nothing to give", {
    host: { uid: 0, gid: 0 },
    image: { name: "root", uid: 0, gid: 0 },
  }, "root"],
  ["uid 1001, an image whose user is root: your uid:gid", {
    image: { name: "root", uid: 0, gid: 0 },
  }, "host"],
  ["Docker Desktop: the image user", { place: "desktop" }, "docker-user"],
  ["a remote engine: the image user", { place: "remote", image: APP }, "app"],
  ["--emit: the image user", { place: "elsewhere" }, "docker-user"],
  ["rootless podman: the image user (keep-id maps you onto it)", { rootless: true }, "docker-user"],
  ["Windows (no uid): the image user", { host: {} }, "docker-user"],
  ["--root forces root", { root: true }, "root"],
  ["--root as host root: root, no owner", { root: true, host: { uid: 0, gid: 0 } }, "root"],
  ["user: docker-user forces it", { setting: "docker-user" }, "docker-user"],
  ["user: host forces it on Desktop too", { setting: "host", place: "desktop" }, "host"],
  ["user: 1234:5 forces it", { setting: "1234:5", image: APP }, "1234:5"],
  ["host root with user: docker-user: no owner given", {
    setting: "docker-user",
    host: { uid: 0, gid: 0 },
  }, "docker-user"],
];
for (const [name, facts, user, dirOwner] of CHOICES) {
  Deno.test(`chooseUser(): ${name}`, () => {
    const choice = chooseUser({ ...AUTO, ...facts });
    assert.equal(choice.user, user);
    assert.deepEqual(choice.dirOwner, dirOwner);
    assert.deepEqual(choice.image, facts.image ?? DOCKER_USER);
    assert.equal(choice.auto, (facts.setting ?? "auto") === "auto" && !facts.root);
    assert.ok(!choice.why.includes("\n"));
  });
}

Deno.test("chooseUser() says which user and why in one clause", () => {
  assert.equal(
    chooseUser(AUTO).why,
    "user: auto: your uid 1001 is not the image user's (docker-user, uid 1000 by convention), " +
      "so run as yours: src, data and log are writable and what the container writes is yours",
  );
  assert.equal(
    chooseUser({ ...AUTO, host: { uid: 0, gid: 0 }, image: APP }).why,
    "user: auto: the image user (app, uid 2000): you are root; data and log are made owned by 2000:2000",
  );
  assert.equal(chooseUser({ ...AUTO, setting: "host", from: "c.yaml:2" }).why, "c.yaml:2");
});

const PASSWD = "root:x:0:0:root:/root:/bin/sh\n" +
  "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n" +
  "docker-user:x:1000:1000::/home/docker-user:/bin/bash\n" +
  "app:x:2000:2001::/home/app:/bin/sh\n";

/** [name, Config.User, passwd, image user] */
const IMAGE_USERS: [string, string, string | undefined, ImageUser | undefined][] = [
  ["a name, looked up", "app", PASSWD, { name: "app", uid: 2000, gid: 2001 }],
  ["a uid, its passwd entry's gid", "2000", PASSWD, { name: "2000", uid: 2000, gid: 2001 }],
  ["uid:gid, no passwd needed", "2000:7", undefined, { name: "2000:7", uid: 2000, gid: 7 }],
  ["name:gid", "app:7", PASSWD, { name: "app:7", uid: 2000, gid: 7 }],
  ["a uid without an entry: gid 0 as docker does", "4242", PASSWD, {
    name: "4242",
    uid: 4242,
    gid: 0,
  }],
  ["no USER: the convention's docker-user", "", PASSWD, DOCKER_USER],
  ["USER root: the convention's docker-user", "root", PASSWD, DOCKER_USER],
  ["no USER and no docker-user: root", "", "root:x:0:0::/root:/bin/sh\n", {
    name: "root",
    uid: 0,
    gid: 0,
  }],
  ["a name the passwd does not know", "ghost", PASSWD, undefined],
  ["a name, passwd unreadable", "app", undefined, undefined],
  ["no USER, passwd unreadable", "", undefined, undefined],
  ["a group name is not resolved", "app:staff", PASSWD, undefined],
  // A hostile image's USER: only docker's grammar (name or uid, one optional :group) is taken,
  // so nothing else reaches --user, --explain or an --emit file (a line break, an escape).
  ["a third field is refused", "2000:7:x\u2028privileged: true", PASSWD, undefined],
  ["a control character is refused", "2000:7\u001b]0;x\u0007", PASSWD, undefined],
  ["a name with a line break is refused", "app\nx", "app\nx:x:5:5::/:/bin/sh\n", undefined],
  ["a uid past 2^32-1 is refused", "4294967296:0", undefined, undefined],
  ["garbage lines are skipped", "app", "app:x:notanumber:1\n\n::::\napp:x:3:4::/:/bin/sh\n", {
    name: "app",
    uid: 3,
    gid: 4,
  }],
];
for (const [name, configUser, passwd, expected] of IMAGE_USERS) {
  Deno.test(`imageUserOf(): ${name}`, () => {
    assert.deepEqual(imageUserOf(configUser, passwd), expected);
  });
}

Deno.test("planRun() under user: auto: uid 1001 runs as 1001:1001 with a writable HOME", () => {
  const passwd = { passwd: "/tmp/run-docker-1001/passwd", group: "/tmp/run-docker-1001/group" };
  const plan = planRun(
    exampleInput(["zppz/app:1"], { uid: 1001, gid: 1001 }, { hostUserFiles: passwd }),
  );
  assert.equal(plan.spec.user, "1001:1001");
  assert.ok(plan.args.includes("/home/docker-user:uid=1001,gid=1001,mode=0755,exec"));
  assert.ok(plan.args.some((a) => a.includes("target=/etc/passwd")));
  assert.ok(plan.explain.some((l) => l.startsWith("added --user 1001:1001 (user: auto: your uid")));
});

/** The facts of a run's last step for a given tag, with no image user read. */
const RUN_FACTS = {
  version: "0.1.0",
  engine: "docker",
  found: GIVEN,
  nonce: "9f3a",
  notebookToken: "t0ken",
};

Deno.test("decideRun() as host root: data and log are made owned by the image user", () => {
  const facts = RUN_FACTS;
  const root = lookup(["zppz/app:1"], { host: { uid: 0, gid: 0 } });
  const unread = decideRun(root, facts);
  assert.ok(unread.kind === "run");
  assert.deepEqual(unread.dirOwner, { uid: 1000, gid: 1000 });
  assert.equal(unread.plan.spec.user, "docker-user");
  const read = decideRun(root, { ...facts, imageUser: APP });
  assert.ok(read.kind === "run");
  assert.deepEqual(read.dirOwner, { uid: 2000, gid: 2000 });
  assert.equal(read.plan.spec.user, "app");
  const dryRun = decideRun(
    lookup(["--dry-run", "zppz/app:1"], { host: { uid: 0, gid: 0 } }),
    facts,
  );
  assert.ok(dryRun.kind === "print");
  assert.match(
    dryRun.stdout,
    /^mkdir -p -- \/home\/zepu\/work\/data \/home\/zepu\/work\/log && chown 1000:1000 -- \/home\/zepu\/work\/data \/home\/zepu\/work\/log && docker run /,
  );
  // Not root: nothing is given away.
  const user = decideRun(lookup(["zppz/app:1"]), facts);
  assert.ok(user.kind === "run" && user.dirOwner === undefined);
});

Deno.test("decideRun() --emit and a remote engine: the image user, whatever your uid", () => {
  const facts = RUN_FACTS;
  const host = { uid: 1001, gid: 1001 };
  const emitted = decideRun(lookup(["--emit", "compose", "zppz/app:1"], { host }), facts);
  assert.ok(emitted.kind === "emit");
  assert.match(JSON.stringify(emitted.document), /"user":"docker-user"/);
  assert.ok(emitted.comments.includes(
    'runs as the image user docker-user (uid 1000); run on this host as uid 1001, set user: "1001:1001" for src, data and log to be writable',
  ));
  const same = decideRun(lookup(["--emit", "compose", "zppz/app:1"]), facts);
  assert.ok(same.kind === "emit" && same.comments.length === 2, "uid 1000: no note");
  const local = decideRun(lookup(["zppz/app:1"], { host }), facts);
  assert.ok(local.kind === "run" && local.plan.spec.user === "1001:1001");
});

Deno.test("unwritableDirsWarning(): host root's own folders that the image user cannot write, in one line", () => {
  const user = { name: "docker-user", uid: 1000, gid: 1000 };
  const dir = (path: string, uid: number, gid: number, mode: number) => ({ path, uid, gid, mode });
  assert.equal(
    unwritableDirsWarning(user, [
      dir("/root/work/src/app", 0, 0, 0o755),
      dir("/root/work/data", 0, 0, 0o755),
      dir("/root/work/log", 1000, 1000, 0o755),
    ]),
    "/root/work/src/app and /root/work/data belong to uid 0, so the container's user docker-user " +
      "(uid 1000) cannot write there: 'chown -R 1000:1000' them, or run with --root",
  );
  // Writable: the owner, the group, anyone; and root (uid 0) writes anywhere.
  assert.equal(
    unwritableDirsWarning(user, [
      dir("/a", 1000, 0, 0o755),
      dir("/b", 0, 1000, 0o775),
      dir("/c", 0, 0, 0o1777),
    ]),
    undefined,
  );
  assert.equal(
    unwritableDirsWarning({ name: "root", uid: 0, gid: 0 }, [dir("/a", 5, 5, 0o700)]),
    undefined,
  );
  // The owner without write permission: not writable either.
  assert.equal(
    unwritableDirsWarning(user, [dir("/ro", 1000, 1000, 0o555)]),
    "/ro belongs to uid 1000, so the container's user docker-user (uid 1000) cannot write " +
      "there: 'chown -R 1000:1000' it, or run with --root",
  );
});
