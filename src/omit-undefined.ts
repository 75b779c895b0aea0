/**
 * Optional fields without ceremony (as execa's omitUndefinedProperties): with
 * `exactOptionalPropertyTypes`, `{ x: undefined }` is not `{ x?: T }`, so the undefined ones go.
 */
export type OmitUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** A copy of `object` without its undefined properties. */
export function omitUndefined<T extends object>(object: T): OmitUndefined<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) result[key] = value;
  return result as OmitUndefined<T>;
}
