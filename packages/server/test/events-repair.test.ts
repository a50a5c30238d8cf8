import type SendblueAPI from 'sendblue';
import { describe, expect, it } from 'vitest';
import { CONTACT, advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { SdkEventReader, onAgent, sdkClient, testAgent } from './support/event-stream-reader.js';
import { TEST_KEY_ID, TEST_SECRET, startTestServer } from './support/test-server.js';

/**
 * The events stream is live, not a replay log; what makes it whole is the client's repair. A
 * client that streams, loses the server mid-way (a restart), reconnects and then repairs through
 * `GET /api/v2/messages?updated_at_gte=<last event seen>&order_by=updated_at&order_direction=asc`
 * misses no message's final status.
 */
const MESSAGES = 12;
type Seen = Map<string, Set<string>>;

function record(seen: Seen, handle: unknown, status: unknown): void {
  if (typeof handle !== 'string' || typeof status !== 'string') return;
  let statuses = seen.get(handle);
  if (statuses === undefined) seen.set(handle, (statuses = new Set()));
  statuses.add(status);
}

function recordEvents(seen: Seen, events: SendblueAPI.AccountEvent[]): void {
  for (const e of events) if (e.type.startsWith('message.')) record(seen, e.data.message_handle, e.data.status);
}

describe.each(SERVER_BACKENDS)('repairing the events stream across a restart ($name)', (backend) => {
  it(
    'misses no message’s final status: streamed before, repaired, or streamed after',
    { timeout: 60_000 },
    async () => {
      const db = await backend.createDatabase();
      // A manual clock: each life's clock starts at the real time, so work due while the server
      // was down runs at once on restart (in the gap, before the client is back), and work due
      // later runs only when the test moves the clock (after it is back).
      const env = { DATABASE_URL: db.url, TAPBACK_CLOCK: 'manual' };
      try {
        const seen: Seen = new Map();
        const ids = new Set<string>();
        // First life: half the messages SENT, half only accepted, when the server stops.
        let server = await startTestServer(env);
        let agent = testAgent();
        let client = sdkClient(agent, server.url, TEST_KEY_ID, TEST_SECRET);
        const first = await SdkEventReader.open(client);
        const send = async (i: number) =>
          (await client.messages.send({ number: CONTACT, from_number: server.line, content: `m${i}` }))
            .message_handle ?? '';
        const handles: string[] = [];
        for (let i = 0; i < MESSAGES / 2; i++) handles.push(await send(i));
        await advanceClock(server, 100);
        for (let i = MESSAGES / 2; i < MESSAGES; i++) handles.push(await send(i));
        await first.until((e) => e.filter((x) => x.data.status === 'SENT').length === MESSAGES / 2);
        const closing = server.close();
        await first.done;
        await agent.destroy();
        await closing;
        recordEvents(seen, first.events);
        for (const e of first.events) ids.add(e.id);
        const lastSeen =
          first.events
            .map((e) => e.occurred_at)
            .sort()
            .at(-1) ?? '';
        expect(handles.filter((h) => seen.get(h)?.has('DELIVERED'))).toEqual([]);

        // Second life: reconnect first, then repair from the last event seen, then let time pass.
        server = await startTestServer(env);
        agent = testAgent();
        client = sdkClient(agent, server.url, TEST_KEY_ID, TEST_SECRET);
        // While the client is still away, the restarted server finishes what fell due meanwhile.
        const store = server.server.store;
        const accountId = (await store.findApiKey(TEST_KEY_ID))?.accountId ?? 0;
        const firstHalf = handles.slice(0, MESSAGES / 2);
        await expect
          .poll(
            async () => (await Promise.all(firstHalf.map((h) => store.getMessage(accountId, h)))).map((m) => m?.status),
            {
              timeout: 15_000,
            },
          )
          .toEqual(firstHalf.map(() => 'DELIVERED'));
        const second = await SdkEventReader.open(client);
        try {
          // The query exactly as the SDK's events.stream documentation gives it.
          const query = `updated_at_gte=${encodeURIComponent(lastSeen)}&order_by=updated_at&order_direction=asc&limit=100`;
          const res = await fetch(`${server.url}/api/v2/messages?${query}`, {
            headers: server.auth,
            ...onAgent(agent),
          });
          expect(res.status).toBe(200);
          const repaired = (await res.json()) as { data: { message_handle: string; status: string }[] };
          for (const m of repaired.data) record(seen, m.message_handle, m.status);
          await advanceClock(server, 100);
          await advanceClock(server, 400);
          const covered = () => handles.every((h) => seen.get(h)?.has('DELIVERED'));
          await second.until((events) => {
            recordEvents(seen, events);
            return covered();
          });
          // The stream carried part of it: some messages were final only after the client was back.
          const streamedFinal = new Set(ofStatus(second.events, 'DELIVERED'));
          const repairedFinal = new Set(
            repaired.data.filter((m) => m.status === 'DELIVERED').map((m) => m.message_handle),
          );
          expect(streamedFinal.size).toBeGreaterThan(0);
          expect(repairedFinal.size).toBeGreaterThan(0);
          // What the union shows is what the database ends with.
          const all = await client.messages.list({ limit: 100 });
          expect(all.data?.filter((m) => handles.includes(m.message_handle ?? '')).map((m) => m.status)).toEqual(
            handles.map(() => 'DELIVERED'),
          );
          for (const e of second.events) {
            expect(ids.has(e.id)).toBe(false);
            ids.add(e.id);
          }
        } finally {
          second.close();
          await agent.destroy();
          await server.close();
        }
      } finally {
        await db.dispose();
      }
    },
  );
});

function ofStatus(events: SendblueAPI.AccountEvent[], status: string): string[] {
  return events.filter((e) => e.data.status === status).map((e) => String(e.data.message_handle));
}
