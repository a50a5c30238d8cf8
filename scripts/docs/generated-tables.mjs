// Tables the README shows, rendered from the code that defines them, so documentation and
// behaviour cannot drift: `npm run docs` writes them between the README's GENERATED markers, and a
// test fails when the README is stale. The sources are passed in: `npm run docs` reads them from
// the compiled server, the test from its TypeScript source. The compatibility table lists every
// method of the installed `sendblue` SDK (scripts/docs/sdk-methods.mjs) against the routes of
// Tapback's OpenAPI document.

/** The README's generated tables by region name, each rendered from `sources`. */
export function generatedTables({ CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY, SDK_METHODS, ROUTES }) {
  return {
    compatibility: () => compatibilityTable(SDK_METHODS, ROUTES),
    sandbox: () =>
      table(
        ['recipient ends in', 'behaviour'],
        SANDBOX_RULES.map((r) => [r.suffix ?? 'anything else', r.description]),
      ),
    config: () =>
      table(
        ['environment variable', 'flag', 'default', 'meaning'],
        Object.values(CONFIG_KEYS).map((s) => [
          `\`${s.env}\``,
          s.flag === undefined ? '' : `\`--${s.flag}\``,
          s.default === undefined ? '—' : `\`${s.default}\``,
          s.description,
        ]),
      ),
    errors: () =>
      table(
        ['code', 'HTTP', '`error_code`', 'meaning'],
        Object.entries(ERROR_REGISTRY).map(([code, e]) => [
          `\`${code}\``,
          String(e.status),
          e.errorCode === null ? 'null' : String(e.errorCode),
          e.summary,
        ]),
      ),
  };
}

/**
 * Every method of the official SDK with the Tapback route that serves it (the route whose
 * `operationId` is the method's path) and that route's summary; a method no route serves says so.
 */
function compatibilityTable(sdkMethods, routes) {
  if (sdkMethods === undefined || routes === undefined) {
    throw new Error('the compatibility table needs SDK_METHODS and ROUTES');
  }
  const byOperation = new Map(routes.map((r) => [r.operationId, r]));
  const served = sdkMethods.filter((m) => byOperation.has(m)).length;
  const rows = sdkMethods.map((method) => {
    const route = byOperation.get(method);
    return route === undefined
      ? [`\`${method}\``, '—', 'Not served: no route declares this method']
      : [`\`${method}\``, `\`${route.method} ${route.path}\``, oneLine(route.summary)];
  });
  return `${served} of ${sdkMethods.length} SDK methods are served.\n\n${table(['SDK method', 'HTTP route', 'what Tapback does'], rows)}`;
}

/**
 * The routes of an OpenAPI document (Tapback's `/openapi.json`, or `app.swagger()`) that have an
 * `operationId`, with their method, path and summary: one entry per SDK method a route serves,
 * its `operationId` and the further methods it lists in `x-sdk-methods`.
 */
export function routesFromOpenApi(document) {
  const routes = [];
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(operations)) {
      if (op === null || typeof op !== 'object' || typeof op.operationId !== 'string') continue;
      for (const operationId of [op.operationId, ...(op['x-sdk-methods'] ?? [])]) {
        routes.push({ operationId, method: method.toUpperCase(), path, summary: op.summary ?? '' });
      }
    }
  }
  return routes;
}

function oneLine(text) {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim() || '—';
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `text` with every `<!-- BEGIN GENERATED: name -->…<!-- END GENERATED: name -->` region re-rendered. */
export function renderGeneratedRegions(text, sources) {
  const tables = generatedTables(sources);
  return text.replace(
    /(<!-- BEGIN GENERATED: ([a-z]+) -->\n)[\s\S]*?(<!-- END GENERATED: \2 -->)/g,
    (_all, begin, name, end) => {
      const render = tables[name];
      if (render === undefined) throw new Error(`unknown generated region "${name}"`);
      return `${begin}${render()}\n${end}`;
    },
  );
}
