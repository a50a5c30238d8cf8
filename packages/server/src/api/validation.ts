import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators. Bodies are never coerced: `{"content": 123}` is a 400, not the string "123".
 * Query strings and path parameters arrive as text, so they are coerced (`limit=10` -> 10), but
 * only scalars: a repeated key (`?limit=1&limit=2`) stays an array and fails validation.
 */
function makeAjv(coerceTypes: boolean): Ajv {
  const options: Options = {
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  };
  return addFormats(new Ajv(options));
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
