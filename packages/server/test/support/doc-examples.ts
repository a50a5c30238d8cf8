import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A shell example of the user documentation: a fenced `sh` or `bash` block, with what the
 * `<!-- doc-example: … -->` comments on the lines right above its fence say about it:
 * - `skip: <reason>`: not run (it needs something a test cannot give); the reason is required.
 * - `expect: 409, 4xx`: the block shows an error on purpose; those statuses are allowed (and one must occur).
 * - `env: TAPBACK_CLOCK=manual`: the block runs on a fresh server started with these settings.
 * - `interrupt: 3`: the block runs until interrupted (a stream); it is stopped after that many seconds.
 */
export interface DocExample {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** Runs curl (and is checked), or only sets variables the next examples use. */
  kind: 'curl' | 'setup';
  skip?: string;
  expect: string[];
  env: Record<string, string>;
  interruptAfterSeconds?: number;
}

const FENCE = /^```(\w*)\s*$/;
const MARKER = /^<!--\s*doc-example:\s*(skip|expect|env|interrupt):\s*(.*?)\s*-->$/;
/**
 * A statement of only `NAME=value` assignments (several allowed, values quoted, bare or `(…)` arrays):
 * a block of only these defines what later blocks use. `NAME=value command` is not one.
 */
const ASSIGNMENT = /^(?:[A-Z_][A-Z0-9_]*=(?:\([^)]*\)|'[^']*'|"[^"]*"|[^\s'"()]+)\s*)+$/;

/** The user documentation: the README and every `docs/*.md`, in a stable order. */
export function documentationFiles(repoRoot: string): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

export function docExamples(repoRoot: string, file: string): DocExample[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const examples: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const end = lines.findIndex((text, j) => j > i && /^```\s*$/.test(text));
    if (end === -1) break;
    const code = lines.slice(i + 1, end).join('\n');
    const language = open[1] ?? '';
    const kind = !['sh', 'bash'].includes(language) ? undefined : /\bcurl\b/.test(code) ? 'curl' : setupOnly(code);
    if (kind !== undefined) examples.push({ file, line: i + 1, code, kind, ...markersAbove(lines, i, file) });
    i = end;
  }
  return examples;
}

function setupOnly(code: string): 'setup' | undefined {
  const statements = code
    .split('\n')
    .map((text) => text.replace(/(^|\s)#.*$/, '').trim())
    .filter((text) => text !== '')
    .flatMap((text) => text.split(/;\s*/).filter((part) => part !== ''));
  return statements.length > 0 && statements.every((s) => ASSIGNMENT.test(s)) ? 'setup' : undefined;
}

function markersAbove(
  lines: string[],
  fence: number,
  file: string,
): Pick<DocExample, 'skip' | 'expect' | 'env' | 'interruptAfterSeconds'> {
  const found: Pick<DocExample, 'skip' | 'expect' | 'env' | 'interruptAfterSeconds'> = { expect: [], env: {} };
  for (let j = fence - 1; j >= 0; j--) {
    const text = (lines[j] ?? '').trim();
    if (text === '') continue;
    const marker = MARKER.exec(text);
    if (marker === null) break;
    const [, key, value = ''] = marker;
    if (key === 'skip') {
      if (value === '') throw new Error(`${file}:${j + 1}: a skip marker must give its reason`);
      found.skip = value;
    } else if (key === 'expect') {
      found.expect.push(...value.split(/[,\s]+/).filter((s) => s !== ''));
    } else if (key === 'env') {
      for (const pair of value.split(/\s+/)) {
        const [name = '', setting = ''] = pair.split('=');
        found.env[name] = setting;
      }
    } else {
      found.interruptAfterSeconds = Number(value.replace(/\s*s$/, ''));
    }
  }
  return found;
}

/** Whether a status a block got is one its `expect` marker allows (`404`, or a class such as `4xx`). */
export function allowedStatus(status: number, expected: string[]): boolean {
  return expected.some((e) => e === String(status) || (/^[45]xx$/.test(e) && e[0] === String(status)[0]));
}
