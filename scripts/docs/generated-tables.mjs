// Tables the README shows, rendered from the code that defines them, so documentation and
// behaviour cannot drift: `npm run docs` writes them between the README's GENERATED markers, and a
// test fails when the README is stale. The sources are passed in: `npm run docs` reads them from
// the compiled server, the test from its TypeScript source.

/** The README's generated tables by region name, each rendered from `sources`. */
export function generatedTables({ CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY }) {
  return {
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
