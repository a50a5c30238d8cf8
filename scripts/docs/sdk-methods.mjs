// The official `sendblue` SDK's methods, found by walking a client instance, so a method added to
// the SDK shows up in the README's compatibility table and in the SDK walk test without anyone
// listing it by hand.

/**
 * Every method of the SDK's resources as a dotted path (`contacts.bulk.create`,
 * `messages.v2.verify.services.verifications.create`), in the client's own order. Resources are
 * the objects the client (and each resource) holds; the client's generic request helpers
 * (`get`, `post`, …) live on the client itself, not on a resource, so they are never listed.
 */
export function sdkMethods(client) {
  const found = [];
  const seen = new Set([client]);
  const walk = (holder, path) => {
    for (const name of Object.keys(holder)) {
      const resource = holder[name];
      if (name.startsWith('_') || !isResource(resource, client) || seen.has(resource)) continue;
      seen.add(resource);
      const at = [...path, name];
      for (const method of methodNames(resource)) found.push([...at, method].join('.'));
      walk(resource, at);
    }
  };
  walk(client, []);
  return found;
}

/**
 * A resource holds the client it sends through (Stainless's `APIResource` keeps it as `_client`);
 * the client's other objects (its logger, options, fetch) do not.
 */
function isResource(value, client) {
  return value !== null && typeof value === 'object' && value._client === client;
}

function methodNames(resource) {
  const proto = Object.getPrototypeOf(resource);
  return Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor' && typeof proto[n] === 'function');
}
