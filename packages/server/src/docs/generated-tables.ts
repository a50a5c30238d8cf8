import { CONFIG_KEYS } from '../config/config.js';
import { SANDBOX_RULES } from '../delivery/providers/sandbox/sandbox-behaviour.js';
import { ERROR_REGISTRY } from '../domain/errors.js';

/**
 * Tables the README shows, rendered from the code that defines them, so documentation and
 * behaviour cannot drift: `npm run docs` writes them between the README's GENERATED markers and
 * a test fails when the README is stale.
 */
export const GENERATED_TABLES: Record<string, () => string> = {
  sandbox: () =>
    table(
      ['recipient ends in', 'behaviour'],
      SANDBOX_RULES.map((r) => [r.suffix ?? 'anything else', r.description]),
    ),
  config: () =>
    table(
      ['environment variable', 'flag', 'default', 'meaning'],
      Object.values(CONFIG_KEYS).map((s: { env: string; flag?: string; default?: string; description: string }) => [
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

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `text` with every `<!-- BEGIN GENERATED: name -->…<!-- END GENERATED: name -->` region re-rendered. */
export function renderGeneratedRegions(text: string): string {
  return text.replace(
    /(<!-- BEGIN GENERATED: ([a-z]+) -->\n)[\s\S]*?(<!-- END GENERATED: \2 -->)/g,
    (_all, begin: string, name: string, end: string) => {
      const render = GENERATED_TABLES[name];
      if (render === undefined) throw new Error(`unknown generated region "${name}"`);
      return `${begin}${render()}\n${end}`;
    },
  );
}
