import { type Static, Type, type TSchema, type TUnsafe } from 'typebox';

/** A string enum as plain JSON Schema (`type` + `enum`), which OpenAPI tools render best. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `T | null` as a JSON Schema 2020-12 type array (OpenAPI 3.1; fast-json-stringify understands it). */
export function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe({ ...schema, type: [schema.type, 'null'] });
}
