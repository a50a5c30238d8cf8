import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCardPayload } from '../src/domain/message-payload.js';
import { CONTACT, type Tenant, addTenant, advanceClock, bootstrapTenant, seedMessage } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * `messages.updateAppCard` through the official SDK: a continuation is a new `app_card` message in
 * the card's session, with its own handle and statuses; the card itself never changes.
 */

const CARD: AppCardPayload = {
  kind: 'app_card',
  appName: 'Tapper',
  extensionBundleId: 'com.example.tapper.ext',
  teamId: 'ABCDE12345',
  url: 'https://example.com/state/1',
  layout: { caption: 'Round 1', summary: 'Your move' },
  fallbackText: 'Your move',
  interactive: true,
  appStoreId: null,
  sessionIdentifier: '6f1c7d3e-2d57-4bd3-8b7c-3b3a3c0e0a01',
  updateMessageHandle: null,
};

describe.each(SERVER_BACKENDS)('App Card continuations through the SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let owner: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    owner = await bootstrapTenant(server);
  });
  afterAll(() => server.close());

  const card = () =>
    seedMessage(server, owner, {
      fromNumber: server.line,
      toNumber: CONTACT,
      content: 'Your move',
      messageType: 'app_card',
      typePayload: CARD,
    });

  it('sends a continuation in the same session, with its own handle and statuses', async () => {
    const original = await card();
    const update = await client.messages.updateAppCard(original.handle, {
      layout: { caption: 'Round 2' },
      url: 'https://example.com/state/2',
    });
    expect(update).toMatchObject({
      status: 'QUEUED',
      message_type: 'app_card',
      number: CONTACT,
      from_number: server.line,
      is_outbound: true,
    });
    expect(update.message_handle).not.toBe(original.handle);
    const stored = await server.server.store.getMessage(owner.accountId, update.message_handle ?? '');
    expect(stored?.typePayload).toEqual({
      ...CARD,
      layout: { caption: 'Round 2' },
      url: 'https://example.com/state/2',
      updateMessageHandle: original.handle,
    });
    // A continuation of a continuation still names the session's first card.
    const next = await client.messages.updateAppCard(update.message_handle ?? '', { interactive: false });
    const nextStored = await server.server.store.getMessage(owner.accountId, next.message_handle ?? '');
    expect(nextStored?.typePayload).toMatchObject({ updateMessageHandle: original.handle, interactive: false });

    await advanceClock(server, 100);
    await advanceClock(server, 400);
    expect((await client.messages.getStatus({ handle: update.message_handle ?? '' })).status).toBe('DELIVERED');
    expect((await client.messages.getStatus({ handle: original.handle })).status).toBe('DELIVERED');
  });

  it('returns the first update again for a repeated idempotency_key on the same card', async () => {
    const original = await card();
    const first = await client.messages.updateAppCard(original.handle, { idempotency_key: 'k1', fallback_text: 'A' });
    const again = await client.messages.updateAppCard(original.handle, { idempotency_key: 'k1', fallback_text: 'B' });
    expect(again.message_handle).toBe(first.message_handle);
    const other = await card();
    const elsewhere = await client.messages.updateAppCard(other.handle, { idempotency_key: 'k1' });
    expect(elsewhere.message_handle).not.toBe(first.message_handle);
  });

  it('refuses a message that is not an App Card, and another account’s card is a 404', async () => {
    const plain = await seedMessage(server, owner, { fromNumber: server.line, toNumber: CONTACT });
    const notCard = await client.messages.updateAppCard(plain.handle, {}).catch((e: unknown) => e);
    expect(notCard).toBeInstanceOf(BadRequestError);
    expect((notCard as BadRequestError).error).toMatchObject({ code: 'validation_failed' });

    const stranger = await addTenant(server, `cards-${backend.name}@example.com`, '+15550009101');
    const theirs = await seedMessage(server, stranger, {
      fromNumber: stranger.line,
      toNumber: CONTACT,
      messageType: 'app_card',
      typePayload: CARD,
    });
    const foreign = await client.messages.updateAppCard(theirs.handle, {}).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(NotFoundError);
    const missing = await client.messages.updateAppCard('no-such-handle', {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it('validates the update’s fields', async () => {
    const original = await card();
    const bad = await client.messages
      .updateAppCard(original.handle, { url: 'javascript:alert(1)' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).error).toMatchObject({
      code: 'validation_failed',
      message: 'url must use http or https',
    });
    const badType = await client.messages
      .updateAppCard(original.handle, { interactive: 'yes' as unknown as boolean })
      .catch((e: unknown) => e);
    expect(badType).toBeInstanceOf(BadRequestError);
  });

  it('sends a new App Card with messages.send, then continues it with updateAppCard', async () => {
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      app_card: {
        appName: 'Tapback Pay',
        extensionBundleId: 'dev.tapback.pay.extension',
        teamId: 'ABCDE12345',
        url: 'https://pay.example.com/card/1',
        layout: { caption: 'Pay $12.00', imageUrl: 'https://cdn.example.com/pay.png' },
        fallbackText: 'Pay $12.00 at pay.example.com',
      },
    } as never);
    expect(sent).toMatchObject({
      status: 'QUEUED',
      message_type: 'app_card',
      content: 'Pay $12.00 at pay.example.com',
      app_card: {
        appName: 'Tapback Pay',
        url: 'https://pay.example.com/card/1',
        layout: { caption: 'Pay $12.00' },
        interactive: false,
      },
    });
    const session = (sent as { app_card?: { sessionIdentifier?: string } }).app_card?.sessionIdentifier;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const update = await client.messages.updateAppCard(sent.message_handle!, { layout: { caption: 'Paid' } });
    expect(update).toMatchObject({
      message_type: 'app_card',
      app_card: { sessionIdentifier: session, updateMessageHandle: sent.message_handle, layout: { caption: 'Paid' } },
    });
    const stored = await client.messages.getStatus({ handle: sent.message_handle! });
    expect(stored).toMatchObject({ message_type: 'app_card', app_card: { appName: 'Tapback Pay' } });
  });

  it('refuses an App Card whose tap URL is not https, naming the field', async () => {
    const error = await client.messages
      .send({
        number: CONTACT,
        from_number: server.line,
        app_card: { appName: 'A', extensionBundleId: 'b', teamId: 'c', url: 'http://pay.example.com', layout: {} },
      } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('app_card.url');
  });
});
