/**
 * The JSON Schema of `config.yaml` (`run-docker --config-schema`), generated from the key table
 * of `schema.ts`, so that editors (yaml-language-server) complete keys and flag misspelled ones.
 * A new key in {@link KEY_KINDS} appears here without an edit.
 *
 * Draft-07: the draft yaml-language-server supports fully. The schema checks shapes (keys,
 * types, enumerations, ranges) and docker's size grammar; run-docker itself still checks every
 * value's grammar.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { SIZE_PATTERN } from "../grammar.ts";
import { TAG_ORDERS } from "../tags.ts";
import { IMAGE_KINDS, KEY_KINDS, KUBERNETES_KEYS, REGISTRY_KINDS } from "./schema.ts";
import type { Kind } from "./values.ts";

/** A JSON Schema, as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What a scalar from YAML may be where run-docker reads text (`memory: 12g`, `gpus: 1`). */
const TEXT: JsonSchema = { type: ["string", "number"] };

/**
 * The schema of one value of a kind.
 *
 * @param kind A {@link Kind} of `values.ts`.
 * @returns Its JSON Schema.
 */
function kindSchema(kind: Kind): JsonSchema {
  switch (kind) {
    case "bool":
      return { type: "boolean" };
    case "auto-bool":
      return { enum: ["auto", true, false] };
    case "port":
      return { type: "integer", minimum: 1, maximum: 65535 };
    case "positive":
      return { type: "number", exclusiveMinimum: 0, maximum: 3600 };
    case "order":
      return { enum: [...TAG_ORDERS] };
    case "abs-path":
      return { type: "string", pattern: "^/" };
    case "command":
      return { oneOf: [{ type: "string" }, { type: "array", items: TEXT }] };
    case "env":
      return {
        type: "object",
        propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
        additionalProperties: { type: ["string", "number", "boolean", "null"] },
      };
    case "list":
      return { type: "array", items: TEXT };
    case "regex":
      return { type: "string", minLength: 1 };
    case "size": // a number alone is bytes; a text follows docker's size grammar
      return { type: ["string", "number"], pattern: SIZE_PATTERN };
    case "registry":
      return { enum: ["none"] };
    default:
      return TEXT;
  }
}

/** An object schema whose properties are the given fields and nothing else. */
function closed(fields: Readonly<Record<string, JsonSchema>>): JsonSchema {
  return { type: "object", properties: fields, additionalProperties: false };
}

/** Every field of a table of kinds, as schemas. */
function fieldsOf(kinds: Readonly<Record<string, Kind>>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(kinds).map(([key, kind]) => [key, kindSchema(kind)]));
}

/**
 * The JSON Schema of run-docker's configuration files (system, user; a project file accepts a
 * subset, which run-docker checks).
 *
 * @returns A draft-07 schema: every top-level key of the key table, `registries` and `images`
 *   as maps of closed objects, `kubernetes` as a closed object; any other key is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configSchema } from "./json_schema.ts";
 * const schema = configSchema() as { properties: Record<string, unknown> };
 * assert.deepEqual(schema.properties.init, { type: "boolean" });
 * ```
 */
export function configSchema(): JsonSchema {
  const special: Record<string, JsonSchema> = {
    registries: { type: "object", additionalProperties: closed(fieldsOf(REGISTRY_KINDS)) },
    images: { type: "object", additionalProperties: closed(fieldsOf(IMAGE_KINDS)) },
    kubernetes: closed(Object.fromEntries(KUBERNETES_KEYS.map((key) => [key, TEXT]))),
  };
  const properties = Object.fromEntries(
    Object.entries(KEY_KINDS).map((
      [key, kind],
    ) => [key, Object.hasOwn(special, kind) ? special[kind] : kindSchema(kind as Kind)]),
  );
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "run-docker configuration (config.yaml)",
    ...closed(properties),
  };
}
