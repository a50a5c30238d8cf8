import { describe, expect, it } from 'vitest';
import { type AppError, ERROR_REGISTRY, errors } from './errors.js';

/** Every constructor, called once; a new code without a constructor fails the first test. */
const ALL: AppError[] = [
  errors.validation('content', 'is required unless media_url is given'),
  errors.invalidPhoneNumber('number', 'must be an E.164 phone number such as +19998887777'),
  errors.blacklistedNumber('number', '+1911'),
  errors.urlNotAllowed('webhooks[0]', '10.0.0.1 is a private address'),
  errors.mediaFetchFailed('media_url', 'could not be fetched: answered HTTP 404'),
  errors.mediaTooLarge('media_url', 104_857_600),
  errors.mediaTypeNotAllowed('media_url', 'text/html'),
  errors.unknownLine('from_number', '+15550002000'),
  errors.notSandboxLine('to', '+15550002000', 'smpp'),
  errors.typingUnavailable('from_number', '+15550002000'),
  errors.readReceiptsUnavailable('from_number', '+15550002000'),
  errors.noLine(),
  errors.clockNotManual(),
  errors.groupTooLarge('numbers', 25),
  errors.groupTooSmall('numbers', 'must name at least 2 members besides the line'),
  errors.noRouteMapping('number', '+15551110001', '+15550001000'),
  errors.invalidJson('Unexpected end of JSON input'),
  errors.unauthorized(),
  errors.forbidden('manage accounts'),
  errors.csrfFailed('send the x-csrf-token header'),
  errors.notFound('Message'),
  errors.routeNotFound('GET', '/nowhere'),
  errors.inboxNotBuilt(),
  errors.methodNotAllowed('DELETE is not allowed here'),
  errors.contactExists('number', '+19998887777'),
  errors.waitTimeout(),
  errors.malformedRequest(),
  errors.requestTimeout(),
  errors.headersTooLarge(),
  errors.payloadTooLarge(),
  errors.unsupportedMediaType(),
  errors.idempotencyKeyReused(),
  errors.rateLimited('100 requests per 10 seconds'),
  errors.tooManyStreams(10),
  errors.tooManyAuthFailures(100, 60),
  errors.resetRefusedRealLines('+15550002000', 'smpp'),
  errors.queueFull(1500),
  errors.internal(new Error('boom')),
  errors.unavailable('Tapback is shutting down'),
];

describe('error constructors', () => {
  it('cover every code of the registry, one constructor each', () => {
    expect(new Set(ALL.map((e) => e.code))).toEqual(new Set(Object.keys(ERROR_REGISTRY)));
    expect(ALL).toHaveLength(Object.keys(ERROR_REGISTRY).length);
  });

  it('name the field first in the message, and once in details, for every field failure', () => {
    for (const error of ALL.filter((e) => e.details !== undefined && e.code !== 'no_route_mapping')) {
      const [detail] = error.details ?? [];
      expect(error.message).toBe(`${detail?.field} ${detail?.message}`);
    }
  });

  it('give the same failure the same body wherever it is raised', () => {
    const a = errors.unknownLine('from_number', '+15550002000');
    const b = errors.unknownLine('from_number', '+15550002000');
    expect([a.message, a.code, a.details]).toEqual([b.message, b.code, b.details]);
    expect(a.details).toEqual([{ field: 'from_number', message: '+15550002000 is not a line of this account' }]);
  });
});
