/**
 * Shapes: what the fields of a decoded JSON object must be. A model is
 * declared once, as its shape, and its TypeScript type is inferred from it
 * ({@linkcode Infer}); {@linkcode Shape} goes the other way, holding a shape
 * written for an existing type to that type.
 *
 * @module
 */

import { isObject } from "./_json.ts";
import { quote } from "./log.ts";

/**
 * How one field is checked: a JSON type; `time`, a `Date` once decoded;
 * `object`, any object; a shape of its own; or `[rule]`, a list whose every
 * item follows the rule.
 */
export type Rule =
  | "string"
  | "number"
  | "boolean"
  | "time"
  | "object"
  | { readonly required: Fields; readonly optional: Fields }
  | readonly [Rule];

/** Field name → rule. */
export type Fields = { readonly [field: string]: Rule };

/** The type of a value that follows rule `R`, as {@linkcode problemWith} checks it. */
export type InferRule<R> = R extends "string" ? string
  : R extends "number" ? number
  : R extends "boolean" ? boolean
  : R extends "time" ? Date
  : R extends "object" ? Record<string, unknown>
  : R extends readonly [infer U] ? InferRule<U>[]
  : R extends { readonly required: Fields; readonly optional: Fields } ? Infer<R>
  : never;

/**
 * The type of an object of shape `S`: its required fields, and its optional
 * ones, which may be left out. The fields keep the documentation written on
 * the shape's fields; the type is one flat object, so an editor shows its
 * fields rather than the rules.
 *
 * @example
 * ```ts
 * import type { Infer } from "./_shape.ts";
 *
 * const THING = { required: { id: "string" }, optional: { tags: ["string"] } } as const;
 * const thing: Infer<typeof THING> = { id: "t1" };
 * console.assert(thing.tags === undefined);
 * ```
 */
export type Infer<S extends { readonly required: Fields; readonly optional: Fields }> = (
  & { -readonly [K in keyof S["required"]]: InferRule<S["required"][K]> }
  & { -readonly [K in keyof S["optional"]]?: InferRule<S["optional"][K]> }
) extends infer O ? { [K in keyof O]: O[K] } : never;

/** The rule of a field of type `V`. */
export type RuleOf<V> = V extends Date ? "time"
  : V extends string ? "string"
  : V extends number ? "number"
  : V extends boolean ? "boolean"
  : V extends readonly (infer U)[] ? readonly [RuleOf<U>]
  : V extends object ? (string extends keyof V ? "object" : Shape<V>)
  : never;

/** The keys of `T` whose fields may be left out. */
export type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** The fields of `T`: those it requires, and those it may leave out. */
export interface Shape<T> {
  /** Every field `T` requires, with its rule. */
  readonly required: { readonly [K in Exclude<keyof T, OptionalKeys<T>>]-?: RuleOf<T[K]> };
  /** Every field `T` may leave out, with its rule when present. */
  readonly optional: { readonly [K in OptionalKeys<T>]-?: RuleOf<Exclude<T[K], undefined>> };
}

/**
 * Checks a value against a rule. An optional field that is `null` counts as
 * absent, and is deleted so that the value matches its type. Fields the
 * shape does not name are kept as they are.
 *
 * @param value The decoded value.
 * @param rule The rule, usually a {@linkcode Shape}.
 * @param path The value's own path, e.g. `usersChanged.user`; empty for a whole body.
 * @returns What is wrong with the first field that breaks its rule, e.g.
 * `"usersChanged.user.id" is missing`; `undefined` when none does.
 *
 * @example
 * ```ts
 * import { problemWith } from "./_shape.ts";
 *
 * const shape = { required: { id: "string" }, optional: { age: "number" } } as const;
 * console.assert(problemWith({ id: "u1" }, shape, "user") === undefined);
 * console.assert(problemWith({ age: 3 }, shape, "user") === '"user.id" is missing');
 * ```
 */
export function problemWith(value: unknown, rule: Rule, path: string): string | undefined {
  const mismatch = check(value, rule);
  if (mismatch === undefined) return undefined;
  const where = [...(path === "" ? [] : [path]), ...mismatch.path].join(".");
  return `${quote(where, MAX_PATH)} ${mismatch.problem}`;
}

/** Where a value breaks its rule, and how; its path is filled in on the way back up. */
interface Mismatch {
  path: string[];
  problem: string;
}

function check(value: unknown, rule: Rule): Mismatch | undefined {
  if (typeof rule === "string") {
    return follows(value, rule) ? undefined : { path: [], problem: `is not ${NAMES[rule]}` };
  }
  if (Array.isArray(rule)) {
    if (!Array.isArray(value)) return { path: [], problem: "is not a list" };
    for (let i = 0; i < value.length; i++) {
      const mismatch = check(value[i], rule[0]);
      if (mismatch !== undefined) return within(String(i), mismatch);
    }
    return undefined;
  }
  if (!isObject(value)) return { path: [], problem: "is not an object" };
  const { required, optional } = rule as { required: Fields; optional: Fields };
  for (const field in required) {
    if (!Object.hasOwn(value, field)) return { path: [field], problem: "is missing" };
    const mismatch = check(value[field], required[field]!);
    if (mismatch !== undefined) return within(field, mismatch);
  }
  for (const field in optional) {
    if (!Object.hasOwn(value, field)) continue;
    if (value[field] === null) {
      delete value[field];
      continue;
    }
    const mismatch = check(value[field], optional[field]!);
    if (mismatch !== undefined) return within(field, mismatch);
  }
  return undefined;
}

function within(field: string, mismatch: Mismatch): Mismatch {
  mismatch.path.unshift(field);
  return mismatch;
}

/** The most characters of a field's path an error shows. */
export const MAX_PATH = 200;

const NAMES = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  time: "a time",
  object: "an object",
} as const;

function follows(value: unknown, rule: keyof typeof NAMES): boolean {
  switch (rule) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "time":
      return value instanceof Date;
    case "object":
      return isObject(value);
  }
}
