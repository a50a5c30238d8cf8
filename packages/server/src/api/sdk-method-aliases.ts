/**
 * A route's `operationId` is the official SDK method that calls it (`contacts.list`). Where the
 * SDK has two methods for one endpoint (`verify.verifications.create` and
 * `messages.v2.verify.services.verifications.create`), the route names the others in
 * `x-sdk-methods`; @fastify/swagger copies `x-` keys into the OpenAPI operation, from which the
 * README's compatibility table and the SDK walk test read them.
 */
declare module 'fastify' {
  interface FastifySchema {
    'x-sdk-methods'?: readonly string[];
  }
}

export {};
