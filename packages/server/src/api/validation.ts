import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { errors } from '../domain/errors.js';

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
    const validate = ajv.compile(schema as object);
    return (httpPart === 'querystring' ? closedQuery(schema as QuerySchema, validate) : validate) as ReturnType<
      FastifySchemaCompiler<unknown>
    >;
  };
}

interface QuerySchema {
  type?: unknown;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  patternProperties?: unknown;
}

/**
 * A query string may hold only the parameters its route's schema lists: a typo (`?stauts=ERROR`)
 * would otherwise be ignored and the route answer as if no filter were given. Unknown body fields
 * stay ignored (Sendblue's clients send fields Tapback does not use); only query strings are
 * closed, for every route with a querystring schema (build-app.ts gives every route one).
 *
 * A `+` in a query string is a space (`?number=+15551234567` arrives as " 15551234567"), so a
 * phone number parameter whose value is a space followed by digits is refused with a message
 * saying so, rather than matching nothing.
 */
function closedQuery(schema: QuerySchema, validate: ValidateFunction): ValidateFunction {
  const closed =
    schema.type === 'object' && schema.additionalProperties === undefined && schema.patternProperties === undefined;
  const accepted = closed ? Object.keys(schema.properties ?? {}) : [];
  const known = new Set(accepted);
  const takes =
    accepted.length === 0 ? 'this route takes no query parameters' : `this route takes: ${accepted.join(', ')}`;
  const wrapped = ((data: unknown, context?: object) => {
    if (data !== null && typeof data === 'object') {
      const entries = Object.entries(data);
      const unknown = closed ? entries.filter(([name]) => !known.has(name)).map(([name]) => name) : [];
      const [first, ...more] = unknown;
      if (first !== undefined) {
        const problem = `is not a query parameter of this route (${takes})`;
        return { error: errors.validation(first, problem, ...more.map((field) => ({ field, message: problem }))) };
      }
      for (const [name, value] of entries) {
        if (typeof value === 'string' && PHONE_PARAMETER.test(name) && UNENCODED_PLUS.test(value)) {
          const intended = `+${value.trimStart()}`;
          return {
            error: errors.invalidPhoneNumber(
              name,
              `looks like an unencoded +: in a query string "+" means a space; send ${encodeURIComponent(intended)}`,
            ),
          };
        }
      }
    }
    const ok = context === undefined ? validate(data) : validate(data, context as never);
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  // Fastify passes the parent object (so Ajv may coerce the root) only to compiled Ajv functions.
  Object.assign(wrapped, { schemaEnv: validate.schemaEnv, schema: validate.schema });
  return wrapped;
}

/** Parameters that hold a phone number: `number`, `from_number`, `sendblue_number`, `to`, `from`, `phone`. */
const PHONE_PARAMETER = /(^|_)(number|to|from|phone)s?$/;

/** " 15551234567": what `+15551234567` becomes when its `+` is not percent-encoded. */
const UNENCODED_PLUS = /^ +\d[\d ]*$/;

/**
 * Gives every documented route that declares no querystring schema an empty one, so the rule
 * above covers it too: `POST /api/send-message?foo=1` is a 400 naming `foo`. Hidden routes
 * (`/openapi.json`, `/healthz`) are left alone. Must be added before the routes are registered.
 */
export function closeQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as (FastifySchema & { hide?: boolean }) | undefined;
    if (schema === undefined || schema.hide === true || schema.querystring !== undefined) return;
    route.schema = { ...schema, querystring: NO_QUERY };
  });
}

const NO_QUERY = { type: 'object', properties: {} };
