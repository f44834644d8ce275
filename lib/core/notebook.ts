/**
 * The `notebook` shortcut: JupyterLab on the notebook port, rooted at the container home, with
 * a token that reaches the container by name, and the URL to open.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import type { Settings } from "./facts.ts";
import { givenValues, type ValidRunRequest } from "./request.ts";
import type { NotebookSpec } from "./run_spec.ts";

/** The program the `notebook` command runs: JupyterLab's entry point. */
export const NOTEBOOK_PROGRAM = "jupyter-lab";

/** The variable that carries the notebook's token to the container, by name. */
export const NOTEBOOK_TOKEN = "JUPYTER_TOKEN";

/**
 * Jupyter's own files out of HOME (as the original run-docker script had them), so Jupyter
 * starts whatever HOME is and whoever owns it: `[name, value]` pairs, in order.
 */
export const JUPYTER_DIRS: readonly (readonly [string, string])[] = [
  ["JUPYTER_DATA_DIR", "/tmp/.jupyter/data"],
  ["JUPYTER_RUNTIME_DIR", "/tmp/.jupyter/runtime"],
];

/** The notebook's command, publish spec, token and URL. */
export interface NotebookCommand {
  /** The container's command: `jupyter-lab --ip=0.0.0.0 --port=P … ARGS`. */
  readonly command: string[];
  /** Its port and whether the token goes by name. */
  readonly notebook: NotebookSpec;
  /** Environment for the docker CLI: the token's value, when it goes by name. */
  readonly engineEnv: Record<string, string>;
  /** The URL to open, with its token (or how to find it); absent when there is no token. */
  readonly notebookUrl?: string;
}

/**
 * Plans the `notebook` command.
 *
 * @param request The request (`--notebook-port`, the user's `-e JUPYTER_TOKEN`).
 * @param settings `notebookPort`, `notebookBind`.
 * @param where `home`: the container home (Jupyter's root); `root`: running as root
 *   (`--allow-root`); `token`: the random token, or `$JUPYTER_TOKEN` for `--dry-run`, or
 *   `undefined` (none: `--emit`).
 * @param args The arguments after `notebook`, passed to JupyterLab.
 * @returns See {@link NotebookCommand}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { DEFAULT_SETTINGS } from "./facts.ts";
 * import { notebookCommand } from "./notebook.ts";
 * import { validateRunRequest } from "./request.ts";
 * const request = validateRunRequest(parseRunRequest(["i:1", "notebook"]));
 * const where = { home: "/home/docker-user", root: false, token: "t" };
 * const planned = notebookCommand(request, DEFAULT_SETTINGS, where, []);
 * assert.equal(planned.command[0], "jupyter-lab");
 * assert.equal(planned.notebookUrl, "http://127.0.0.1:8888/lab?token=t");
 * ```
 */
export function notebookCommand(
  request: ValidRunRequest,
  settings: Pick<Settings, "notebookPort" | "notebookBind">,
  where: { readonly home: string; readonly root: boolean; readonly token?: string },
  args: readonly string[],
): NotebookCommand {
  const port = request.notebookPort ?? settings.notebookPort;
  const base = `http://${urlHost(settings.notebookBind)}:${port}/lab`;
  const userToken = givenValues(request, "env").map((v) => v ?? "").find((v) =>
    v === NOTEBOOK_TOKEN || v.startsWith(`${NOTEBOOK_TOKEN}=`)
  );
  const engineEnv: Record<string, string> = {};
  let notebookUrl: string | undefined;
  let tokenByName = false;
  if (userToken !== undefined) {
    // The user's token wins; the URL shows it when it is on the command line.
    const value = userToken.startsWith(`${NOTEBOOK_TOKEN}=`)
      ? userToken.slice(NOTEBOOK_TOKEN.length + 1)
      : undefined;
    notebookUrl = base +
      (value ? `?token=${encodeURIComponent(value)}` : " (token: your JUPYTER_TOKEN)");
  } else if (where.token !== undefined) {
    // By name only: the value reaches docker through its environment, so the
    // token is in no argv (`ps`) and in no --dry-run output.
    tokenByName = true;
    engineEnv[NOTEBOOK_TOKEN] = where.token;
    notebookUrl = `${base}?token=${where.token}`;
  }
  return {
    // `jupyter-lab`, JupyterLab's own entry point, not `jupyter lab`: without Lab the exec
    // fails (127), which run-docker can tell from Jupyter's usage text (exit 1).
    // Rooted at the container home, so src, data and log are all reachable.
    command: [
      NOTEBOOK_PROGRAM,
      "--ip=0.0.0.0",
      `--port=${port}`,
      "--no-browser",
      `--ServerApp.root_dir=${where.home}`,
      ...(where.root ? ["--allow-root"] : []),
      ...args,
    ],
    notebook: { publish: `${settings.notebookBind}:${port}:${port}`, tokenByName },
    engineEnv,
    notebookUrl,
  };
}

/** The host part of the URL: a wildcard bind is opened on loopback; IPv6 in brackets. */
function urlHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "") return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}
