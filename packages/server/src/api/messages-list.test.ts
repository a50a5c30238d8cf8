import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStatus, Service } from '../domain/message.js';
import { type Tenant, addTenant, expectError, get, seedMessage } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

const T = Date.UTC(2026, 0, 1);
const at = (seconds: number): number => T + seconds * 1000;
const iso = (seconds: number): string => new Date(at(seconds)).toISOString();

const L1 = '+15550003000';
const L2 = '+15550003001';
const C1 = '+15551110001';
const C2 = '+15551110002';
const C3 = '+15551110003';
const C4 = '+15551110004';

/** One row of the list fixture: what is stored, in the terms the filters speak. */
interface Row {
  isOutbound: boolean;
  status: MessageStatus;
  service: Service;
  from: string;
  to: string;
  groupId: string;
  /** created_at, sent_at and updated_at in seconds after T; each column orders the rows differently. */
  c: number;
  s: number;
  u: number;
  handle: string;
}

type RowSpec = Omit<Row, 'handle' | 'groupId'> & { groupId?: string };

const SPECS: RowSpec[] = [
  { isOutbound: true, status: 'DELIVERED', service: 'iMessage', from: L1, to: C1, c: 1, s: 8, u: 5 },
  { isOutbound: true, status: 'SENT', service: 'SMS', from: L1, to: C2, c: 2, s: 7, u: 4 },
  { isOutbound: true, status: 'ERROR', service: 'iMessage', from: L2, to: C1, c: 3, s: 6, u: 8 },
  { isOutbound: false, status: 'RECEIVED', service: 'iMessage', from: C1, to: L1, c: 4, s: 5, u: 3 },
  { isOutbound: false, status: 'RECEIVED', service: 'RCS', from: C3, to: L2, c: 5, s: 4, u: 2 },
  { isOutbound: true, status: 'DELIVERED', service: 'iMessage', from: L1, to: C2, c: 6, s: 3, u: 7, groupId: 'grp-1' },
  { isOutbound: false, status: 'RECEIVED', service: 'iMessage', from: C3, to: L1, c: 7, s: 2, u: 1, groupId: 'grp-1' },
  { isOutbound: true, status: 'DECLINED', service: 'SMS', from: L2, to: C4, c: 8, s: 1, u: 6 },
];

const contact = (r: Row): string => (r.isOutbound ? r.to : r.from);
const line = (r: Row): string => (r.isOutbound ? r.from : r.to);

interface ListBody {
  status: string;
  data: { message_handle: string; accountEmail: string }[];
  pagination: { total: number; limit: number; offset: number; hasMore: boolean };
}

describe.each(SERVER_BACKENDS)('GET /api/v2/messages ($name)', (backend) => {
  let server: TestServer;
  let owner: Tenant;
  let other: Tenant;
  let rows: Row[];

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '100000' });
    owner = await addTenant(server, 'list@example.com', L1);
    await server.server.store.addLine({ accountId: owner.accountId, number: L2, provider: 'sandbox', now: Date.now() });
    other = await addTenant(server, 'neighbour@example.com', '+15550004000');
    rows = [];
    for (const spec of SPECS) {
      const groupId = spec.groupId ?? '';
      const stored = await seedMessage(server, owner, {
        isOutbound: spec.isOutbound,
        status: spec.status,
        service: spec.service,
        fromNumber: spec.from,
        toNumber: spec.to,
        messageType: groupId === '' ? 'message' : 'group',
        groupId,
        participants: groupId === '' ? [] : [spec.from, spec.to, C4],
        createdAt: at(spec.c),
        sentAt: at(spec.s),
        updatedAt: at(spec.u),
      });
      rows.push({ ...spec, groupId, handle: stored.handle });
      // The neighbour has look-alike rows (same contacts, group id, times) that must never show up.
      await seedMessage(server, other, {
        isOutbound: spec.isOutbound,
        status: spec.status,
        service: spec.service,
        fromNumber: spec.isOutbound ? other.line : spec.from,
        toNumber: spec.isOutbound ? spec.to : other.line,
        messageType: groupId === '' ? 'message' : 'group',
        groupId,
        createdAt: at(spec.c),
        sentAt: at(spec.s),
        updatedAt: at(spec.u),
      });
    }
  });
  afterAll(() => server.close());

  async function list(query: string, auth = owner.auth): Promise<ListBody> {
    const res = await get(server, auth, `/api/v2/messages${query === '' ? '' : '?'}${query}`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res.json() as ListBody;
  }

  const handles = (body: ListBody): string[] => body.data.map((m) => m.message_handle);
  const newestFirst = (selected: Row[]): string[] => [...selected].sort((a, b) => b.c - a.c).map((r) => r.handle);

  it('lists every message of the account, newest first, with the default page of 100', async () => {
    const body = await list('');
    expect(body.status).toBe('OK');
    expect(handles(body)).toEqual(newestFirst(rows));
    expect(body.pagination).toEqual({ total: 8, limit: 100, offset: 0, hasMore: false });
    for (const m of body.data) expect(m.accountEmail).toBe('list@example.com');
  });

  const FILTERS: [string, (r: Row) => boolean][] = [
    ['status=DELIVERED', (r) => r.status === 'DELIVERED'],
    ['status=RECEIVED', (r) => r.status === 'RECEIVED'],
    ['status=DECLINED', (r) => r.status === 'DECLINED'],
    ['status=QUEUED', () => false],
    ['status=SUCCESS', () => false],
    ['service=SMS', (r) => r.service === 'SMS'],
    ['service=RCS', (r) => r.service === 'RCS'],
    ['service=iMessage', (r) => r.service === 'iMessage'],
    ['is_outbound=true', (r) => r.isOutbound],
    ['is_outbound=false', (r) => !r.isOutbound],
    ['message_type=group', (r) => r.groupId !== ''],
    ['message_type=message', (r) => r.groupId === ''],
    [`number=${C1}`, (r) => contact(r) === C1 || line(r) === C1],
    [`number=${L2}`, (r) => contact(r) === L2 || line(r) === L2],
    [`from_number=${C3}`, (r) => r.from === C3],
    [`from_number=${L1}`, (r) => r.from === L1],
    [`to_number=${L1}`, (r) => r.to === L1],
    [`to_number=${C1}`, (r) => r.to === C1],
    [`sendblue_number=${L2}`, (r) => line(r) === L2],
    ['group_id=grp-1', (r) => r.groupId === 'grp-1'],
    ['group_id=grp-2', () => false],
    ['account_email=list@example.com', () => true],
    ['account_email=LIST@Example.com', () => true],
    ['account_email=neighbour@example.com', () => false],
    [`created_at_gte=${iso(3)}`, (r) => r.c >= 3],
    [`created_at_lte=${iso(3)}`, (r) => r.c <= 3],
    [`created_at_gte=${iso(3)}&created_at_lte=${iso(5)}`, (r) => r.c >= 3 && r.c <= 5],
    [`sent_at_gte=${iso(6)}`, (r) => r.s >= 6],
    [`sent_at_lte=${iso(2)}`, (r) => r.s <= 2],
    [`updated_at_gte=${iso(7)}`, (r) => r.u >= 7],
    [`updated_at_lte=${iso(2)}`, (r) => r.u <= 2],
    [`updated_at_gte=${iso(2)}&updated_at_lte=${iso(4)}`, (r) => r.u >= 2 && r.u <= 4],
    ['created_at_gte=2026-01-01', () => true],
    ['created_at_lte=2025-12-31T23:59:59Z', () => false],
    [
      `is_outbound=false&sendblue_number=${L1}&order_by=createdAt&order_direction=desc&limit=50`,
      (r) => !r.isOutbound && line(r) === L1,
    ],
    ['status=RECEIVED&service=iMessage&message_type=group', (r) => r.status === 'RECEIVED' && r.groupId !== ''],
  ];

  it.each(FILTERS)('filters by %s', async (query, keep) => {
    const q = query.replaceAll('+', '%2B');
    const body = await list(q);
    const expected = newestFirst(rows.filter(keep));
    expect(handles(body)).toEqual(expected);
    expect(body.pagination.total).toBe(expected.length);
  });

  const ORDERS: [string, keyof Pick<Row, 'c' | 's' | 'u'>][] = [
    ['createdAt', 'c'],
    ['created_at', 'c'],
    ['updatedAt', 'u'],
    ['updated_at', 'u'],
    ['sentAt', 's'],
    ['sent_at', 's'],
  ];

  it.each(ORDERS)('orders by %s in both directions', async (orderBy, column) => {
    const asc = [...rows].sort((a, b) => a[column] - b[column]).map((r) => r.handle);
    expect(handles(await list(`order_by=${orderBy}&order_direction=asc`))).toEqual(asc);
    expect(handles(await list(`order_by=${orderBy}&order_direction=desc`))).toEqual([...asc].reverse());
    expect(handles(await list(`order_by=${orderBy}`))).toEqual([...asc].reverse());
  });

  it('orders oldest first with order_direction=asc alone', async () => {
    expect(handles(await list('order_direction=asc'))).toEqual(newestFirst(rows).reverse());
  });

  it('combines a filter with limit and offset', async () => {
    const received = newestFirst(rows.filter((r) => r.status === 'RECEIVED'));
    const first = await list('status=RECEIVED&limit=2');
    expect(handles(first)).toEqual(received.slice(0, 2));
    expect(first.pagination).toEqual({ total: 3, limit: 2, offset: 0, hasMore: true });
    const second = await list('status=RECEIVED&limit=2&offset=2');
    expect(handles(second)).toEqual(received.slice(2));
    expect(second.pagination).toEqual({ total: 3, limit: 2, offset: 2, hasMore: false });
  });

  it.each([
    ['%'],
    ['_'],
    ['%25'],
    ['+1555111000_'],
    ['+1555111%'],
    ["' OR '1'='1"],
    ['"; DROP TABLE messages; --'],
    ['\\'],
    ['*'],
  ])('treats %j as a literal in every text filter and finds nothing', async (value) => {
    for (const field of ['number', 'from_number', 'to_number', 'sendblue_number', 'group_id', 'account_email']) {
      const body = await list(`${field}=${encodeURIComponent(value)}`);
      expect(body.data, `${field}=${value}`).toEqual([]);
      expect(body.pagination.total).toBe(0);
    }
    const wildcardGroup = await list(`group_id=${encodeURIComponent('grp-' + value)}`);
    expect(wildcardGroup.pagination.total).toBe(0);
    // The database is unchanged.
    expect((await list('')).pagination.total).toBe(8);
  });

  it("never shows another account's rows, whatever the filter", async () => {
    const mine = new Set(rows.map((r) => r.handle));
    for (const query of ['', `number=${C1}`, 'group_id=grp-1', `sendblue_number=${other.line}`, 'status=RECEIVED']) {
      const body = await list(query.replaceAll('+', '%2B'));
      for (const handle of handles(body)) expect(mine.has(handle)).toBe(true);
    }
    const theirs = await list('', other.auth);
    expect(theirs.pagination.total).toBe(8);
    for (const handle of handles(theirs)) expect(mine.has(handle)).toBe(false);
    expect((await list(`sendblue_number=${L1.replace('+', '%2B')}`, other.auth)).data).toEqual([]);
    expect((await list('account_email=list@example.com', other.auth)).data).toEqual([]);
  });

  it.each([
    ['-1'],
    ['0'],
    ['1.5'],
    ['1e309'],
    ['-1e309'],
    ['abc'],
    [''],
    ['NaN'],
    ['Infinity'],
    ['99999999999999999999'],
  ])('rejects limit=%s with 400', async (limit) => {
    const body = expectError(
      await get(server, owner.auth, `/api/v2/messages?limit=${limit}`),
      400,
      'validation_failed',
    );
    expect(body.details?.[0]?.field).toBe('limit');
  });

  it.each([['-1'], ['0.5'], ['abc'], ['1e309']])('rejects offset=%s with 400', async (offset) => {
    expectError(await get(server, owner.auth, `/api/v2/messages?offset=${offset}`), 400, 'validation_failed');
  });

  it.each([
    ['limit=1&limit=2'],
    ['offset=0&offset=1'],
    ['status=SENT&status=DELIVERED'],
    [`number=${C1}&number=${C2}`],
    ['order_by=createdAt&order_by=sentAt'],
    ['account_email=a&account_email=b'],
  ])('rejects the repeated query key in %s with 400', async (query) => {
    expectError(await get(server, owner.auth, `/api/v2/messages?${query.replaceAll('+', '%2B')}`), 400);
  });

  it.each([
    ['order_by=id'],
    ['order_by=created'],
    ['order_direction=up'],
    ['status=delivered'],
    ['status=READ'],
    ['service=sms'],
    ['is_outbound=1'],
    ['message_type=direct'],
    ['created_at_gte=yesterday'],
    ['sent_at_lte=2026-13-40'],
    ['updated_at_gte=2026-01-01T25:00:00Z'],
    ['number='],
    [`number=${'1'.repeat(10_240)}`],
  ])('rejects %s with 400', async (query) => {
    expectError(await get(server, owner.auth, `/api/v2/messages?${query}`), 400, 'validation_failed');
  });

  it('rejects the admin-only worker_id filter with 400', async () => {
    const body = expectError(await get(server, owner.auth, '/api/v2/messages?worker_id=w1'), 400, 'validation_failed');
    expect(body.details?.[0]?.field).toBe('worker_id');
  });
});

describe.each(SERVER_BACKENDS)('GET /api/v2/messages pagination ($name)', (backend) => {
  let server: TestServer;
  let owner: Tenant;
  let all: string[];

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '100000' });
    owner = await addTenant(server, 'pages@example.com', L1);
    // 105 rows; every three share a created_at, so only the tie-breaker keeps pages apart.
    const stored = await Promise.all(
      Array.from({ length: 105 }, (_, i) =>
        seedMessage(server, owner, { fromNumber: L1, toNumber: C1, createdAt: at(Math.floor(i / 3)) }),
      ),
    );
    const body = await server.server.store.listMessages(owner.accountId, {
      limit: 1000,
      offset: 0,
      orderBy: 'createdAt',
      orderDirection: 'desc',
    });
    all = body.messages.map((m) => m.handle);
    expect(new Set(all)).toEqual(new Set(stored.map((m) => m.handle)));
  });
  afterAll(() => server.close());

  async function page(query: string): Promise<ListBody> {
    const res = await get(server, owner.auth, `/api/v2/messages?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as ListBody;
  }

  it('returns 100 messages by default and says there are more', async () => {
    const body = await page('');
    expect(body.data).toHaveLength(100);
    expect(body.pagination).toEqual({ total: 105, limit: 100, offset: 0, hasMore: true });
    expect(body.data.map((m) => m.message_handle)).toEqual(all.slice(0, 100));
  });

  it.each(['101', '500', '1000', '2147483647'])(
    'clamps limit=%s to 100 and echoes the effective limit',
    async (limit) => {
      const body = await page(`limit=${limit}`);
      expect(body.data).toHaveLength(100);
      expect(body.pagination.limit).toBe(100);
    },
  );

  it('returns the remainder after offset=100 with hasMore false', async () => {
    const body = await page('offset=100');
    expect(body.data.map((m) => m.message_handle)).toEqual(all.slice(100));
    expect(body.pagination).toEqual({ total: 105, limit: 100, offset: 100, hasMore: false });
  });

  it('returns an empty page past the end', async () => {
    const body = await page('offset=500&limit=10');
    expect(body.data).toEqual([]);
    expect(body.pagination).toEqual({ total: 105, limit: 10, offset: 500, hasMore: false });
  });

  it.each(['desc', 'asc'])(
    'walks every message exactly once in pages of 25 (%s), even across equal timestamps',
    async (dir) => {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 25) {
        const body = await page(`limit=25&offset=${offset}&order_direction=${dir}`);
        seen.push(...body.data.map((m) => m.message_handle));
        expect(body.pagination.hasMore).toBe(offset + 25 < 105);
        if (!body.pagination.hasMore) break;
      }
      expect(seen).toEqual(dir === 'desc' ? all : [...all].reverse());
    },
  );

  it('returns one message with limit=1', async () => {
    const body = await page('limit=1&offset=7');
    expect(body.data.map((m) => m.message_handle)).toEqual([all[7]]);
    expect(body.pagination).toEqual({ total: 105, limit: 1, offset: 7, hasMore: true });
  });
});

describe.each(SERVER_BACKENDS)('GET /api/v2/messages rate limit ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '5' });
    other = await addTenant(server, 'unaffected@example.com', '+15550005000');
  });
  afterAll(() => server.close());

  it('answers request L+1 in the window with 429 and Retry-After, leaving other accounts and routes alone', async () => {
    for (let i = 0; i < 5; i++) expect((await get(server, server.auth, '/api/v2/messages')).statusCode).toBe(200);
    const limited = await get(server, server.auth, '/api/v2/messages?limit=10');
    const body = expectError(limited, 429, 'rate_limited');
    expect(body.error_code).toBe(4001);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(10);

    expect((await get(server, other.auth, '/api/v2/messages')).statusCode).toBe(200);
    expectError(await get(server, server.auth, '/api/status?handle=unknown'), 404, 'not_found');
  });
});
