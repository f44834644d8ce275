/**
 * A lint plugin for the pure core (`lib/core/`): no clock, no randomness, no
 * Deno namespace, no import of an edge module (`lib/edge/`). The type check with `scripts/pure.json` catches `Deno.*` and
 * `fetch`; these rules catch what type-checks everywhere.
 *
 * @module
 */

const CORE = /[\\/]lib[\\/]core[\\/]/;

const plugin: Deno.lint.Plugin = {
  name: "run-docker",
  rules: {
    "pure-core": {
      create(context) {
        if (!CORE.test(context.filename)) return {};
        const report = (node: Deno.lint.Node, what: string) =>
          context.report({
            node,
            message: `${what} in the pure core`,
            hint: "take it as an argument: the edge reads the world and hands values in",
          });
        return {
          "CallExpression[callee.object.name='Date'][callee.property.name='now']"(
            node: Deno.lint.CallExpression,
          ) {
            report(node, "Date.now()");
          },
          "NewExpression[callee.name='Date'][arguments.length=0]"(node: Deno.lint.NewExpression) {
            report(node, "new Date() (the clock)");
          },
          "MemberExpression[object.name='Math'][property.name='random']"(
            node: Deno.lint.MemberExpression,
          ) {
            report(node, "Math.random");
          },
          "MemberExpression[object.name='crypto'][property.name=/^(getRandomValues|randomUUID)$/]"(
            node: Deno.lint.MemberExpression,
          ) {
            report(node, "crypto randomness");
          },
          "MemberExpression[object.name='performance'][property.name='now']"(
            node: Deno.lint.MemberExpression,
          ) {
            report(node, "performance.now()");
          },
          "Identifier[name='Deno']"(node: Deno.lint.Identifier) {
            report(node, "the Deno namespace");
          },
          "ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration, ImportExpression"(
            node:
              | Deno.lint.ImportDeclaration
              | Deno.lint.ExportNamedDeclaration
              | Deno.lint.ExportAllDeclaration
              | Deno.lint.ImportExpression,
          ) {
            const source = node.source;
            if (source?.type === "Literal" && typeof source.value === "string") {
              if (/(^|\/)edge\//.test(source.value)) report(node, "an import of an edge module");
            }
          },
        };
      },
    },
  },
};

export default plugin;
