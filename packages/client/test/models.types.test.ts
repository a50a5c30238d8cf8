import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type APIPromise,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type MessageContent,
  type MessageData,
  type MessageListPagination,
  type MessageListParams,
  type MessageListResponse,
  type MessageResponse,
  type MessageRetrieveResponse,
  type Messages,
  type MessageSendParams,
  SEND_STYLES,
  SERVICES,
} from '../src/index.js';
import { MESSAGE_DATA_FIELDS, MESSAGE_RESPONSE_FIELDS } from './support/model-fields.js';

// Type-level checks: expectTypeOf does nothing at run time; the compiler does the work, under
// `npm run typecheck` and under typecheck.test.ts, which compiles this file.
//
// The field lists and enums below are copied from the Sendblue Messages API reference, model by
// model. The client's models must carry every one of them, and anything
// more must be one of the deliberate Tapback extras listed here.

type SendblueSendStyle =
  | 'celebration'
  | 'shooting_star'
  | 'fireworks'
  | 'lasers'
  | 'love'
  | 'confetti'
  | 'balloons'
  | 'spotlight'
  | 'echo'
  | 'invisible'
  | 'gentle'
  | 'loud'
  | 'slam';

type SendblueV2Status =
  | 'REGISTERED'
  | 'PENDING'
  | 'SENT'
  | 'DELIVERED'
  | 'RECEIVED'
  | 'QUEUED'
  | 'ERROR'
  | 'DECLINED'
  | 'ACCEPTED'
  | 'SUCCESS';

type SendblueMessageContentField =
  | 'account_email'
  | 'content'
  | 'date_created'
  | 'date_sent'
  | 'date_updated'
  | 'from_number'
  | 'is_outbound'
  | 'media_url'
  | 'message_handle'
  | 'send_style'
  | 'status'
  | 'to_number';

type SendblueMessageResponseField =
  | 'account_email'
  | 'content'
  | 'date_created'
  | 'date_updated'
  | 'error_code'
  | 'error_message'
  | 'from_number'
  | 'is_outbound'
  | 'media_url'
  | 'message_handle'
  | 'number'
  | 'send_style'
  | 'status';

type SendblueDataField =
  | 'account_email'
  | 'content'
  | 'date_sent'
  | 'date_updated'
  | 'error_code'
  | 'error_detail'
  | 'error_message'
  | 'error_reason'
  | 'from_number'
  | 'group_display_name'
  | 'group_id'
  | 'is_outbound'
  | 'media_url'
  | 'message_handle'
  | 'message_type'
  | 'number'
  | 'opted_out'
  | 'participants'
  | 'plan'
  | 'send_style'
  | 'sendblue_number'
  | 'service'
  | 'status'
  | 'to_number'
  | 'was_downgraded';

type TapbackResponseExtra =
  | 'accountEmail'
  | 'date_sent'
  | 'to_number'
  | 'sendblue_number'
  | 'service'
  | 'was_downgraded'
  | 'plan'
  | 'message_type'
  | 'group_id'
  | 'participants'
  | 'group_display_name'
  | 'opted_out'
  | 'error_reason'
  | 'error_detail'
  | 'status_sequence'
  | 'sms_segments'
  | 'date_read';

type TapbackDataExtra = 'accountEmail' | 'date_created' | 'status_sequence' | 'sms_segments' | 'date_read';

type Field<T, K extends keyof T> = NonNullable<T[K]>;

describe('models match the Sendblue reference', () => {
  it('MessageContent has exactly the reference fields and enums', () => {
    expectTypeOf<keyof MessageContent>().toEqualTypeOf<SendblueMessageContentField>();
    expectTypeOf<Record<never, never>>().toExtend<MessageContent>();
    expectTypeOf<Field<MessageContent, 'send_style'>>().toEqualTypeOf<SendblueSendStyle>();
    expectTypeOf<Field<MessageContent, 'status'>>().toEqualTypeOf<
      'QUEUED' | 'SENT' | 'DELIVERED' | 'ERROR' | 'RECEIVED'
    >();
    expectTypeOf<Field<MessageContent, 'is_outbound'>>().toEqualTypeOf<boolean>();
    expectTypeOf<Field<MessageContent, 'date_created'>>().toEqualTypeOf<string>();
  });

  it('MessageResponse has every reference field, all optional, plus only the Tapback extras', () => {
    expectTypeOf<SendblueMessageResponseField>().toExtend<keyof MessageResponse>();
    expectTypeOf<Exclude<keyof MessageResponse, SendblueMessageResponseField>>().toEqualTypeOf<TapbackResponseExtra>();
    expectTypeOf<Record<never, never>>().toExtend<MessageResponse>();
    expectTypeOf<Exclude<Field<MessageResponse, 'send_style'>, ''>>().toEqualTypeOf<SendblueSendStyle>();
    // The reference's four statuses, plus DECLINED (opted-out recipient) and RECEIVED (inbound handle).
    expectTypeOf<Field<MessageResponse, 'status'>>().toEqualTypeOf<
      'QUEUED' | 'SENT' | 'DELIVERED' | 'ERROR' | 'DECLINED' | 'RECEIVED'
    >();
    expectTypeOf<MessageResponse['error_code']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Field<MessageResponse, 'service'>>().toEqualTypeOf<'iMessage' | 'SMS' | 'RCS'>();
    expectTypeOf<Field<MessageResponse, 'message_type'>>().toEqualTypeOf<'message' | 'group'>();
  });

  it('list and retrieve data have every reference field and enum, plus only the Tapback extras', () => {
    expectTypeOf<SendblueDataField>().toExtend<keyof MessageData>();
    expectTypeOf<Exclude<keyof MessageData, SendblueDataField>>().toEqualTypeOf<TapbackDataExtra>();
    expectTypeOf<Record<never, never>>().toExtend<MessageData>();
    expectTypeOf<Field<MessageData, 'status'>>().toEqualTypeOf<SendblueV2Status>();
    expectTypeOf<Field<MessageData, 'service'>>().toEqualTypeOf<'iMessage' | 'SMS' | 'RCS'>();
    expectTypeOf<Field<MessageData, 'message_type'>>().toEqualTypeOf<'message' | 'group'>();
    expectTypeOf<Exclude<Field<MessageData, 'send_style'>, ''>>().toEqualTypeOf<SendblueSendStyle>();
    expectTypeOf<Field<MessageData, 'participants'>>().toEqualTypeOf<string[]>();
    expectTypeOf<Field<MessageData, 'was_downgraded'>>().toEqualTypeOf<boolean>();
    expectTypeOf<Field<MessageData, 'opted_out'>>().toEqualTypeOf<boolean>();
    expectTypeOf<Field<MessageData, 'error_code'>>().toEqualTypeOf<number>();
  });

  it('list and retrieve envelopes are the reference shapes', () => {
    expectTypeOf<keyof MessageListResponse>().toEqualTypeOf<'data' | 'pagination' | 'status'>();
    expectTypeOf<Field<MessageListResponse, 'data'>>().toEqualTypeOf<MessageData[]>();
    expectTypeOf<keyof MessageListPagination>().toEqualTypeOf<'hasMore' | 'limit' | 'offset' | 'total'>();
    expectTypeOf<keyof MessageRetrieveResponse>().toEqualTypeOf<'data' | 'status'>();
    expectTypeOf<Field<MessageRetrieveResponse, 'data'>>().toEqualTypeOf<MessageData>();
    expectTypeOf<Field<MessageRetrieveResponse, 'status'>>().toEqualTypeOf<string>();
  });

  it('exports the enums as run-time lists of the same values', () => {
    expectTypeOf<(typeof SEND_STYLES)[number]>().toEqualTypeOf<SendblueSendStyle>();
    expectTypeOf<(typeof MESSAGE_STATUSES)[number]>().toEqualTypeOf<SendblueV2Status>();
    expectTypeOf<(typeof SERVICES)[number]>().toEqualTypeOf<'iMessage' | 'SMS' | 'RCS'>();
    expectTypeOf<(typeof MESSAGE_TYPES)[number]>().toEqualTypeOf<'message' | 'group'>();
    expect(SEND_STYLES).toHaveLength(13);
    expect(MESSAGE_STATUSES).toHaveLength(10);
    expect(new Set(SEND_STYLES).size).toBe(13);
    expect(SERVICES).toEqual(['iMessage', 'SMS', 'RCS']);
    expect(MESSAGE_TYPES).toEqual(['message', 'group']);
  });

  it('lists the model fields at run time for the wire checks', () => {
    expect(Object.keys(MESSAGE_RESPONSE_FIELDS)).toHaveLength(13 + 17);
    expect(Object.keys(MESSAGE_DATA_FIELDS)).toHaveLength(25 + 5);
  });
});

describe('method signatures', () => {
  it('types params with wire names and requires what the server requires', () => {
    expectTypeOf<MessageSendParams>().toExtend<{ number: string; from_number: string }>();
    expectTypeOf<Field<MessageSendParams, 'send_style'>>().toEqualTypeOf<SendblueSendStyle>();
    expectTypeOf<Field<MessageListParams, 'status'>>().toEqualTypeOf<SendblueV2Status>();
    expectTypeOf<Field<MessageListParams, 'is_outbound'>>().toEqualTypeOf<'true' | 'false'>();
    expectTypeOf<Record<never, never>>().toExtend<MessageListParams>();

    // @ts-expect-error from_number is required
    const missingLine: MessageSendParams = { number: '+19998887777', content: 'hi' };
    // @ts-expect-error not one of the 13 effects
    const badStyle: MessageSendParams = { number: '+1', from_number: '+1', send_style: 'sparkles' };
    expect([missingLine, badStyle]).toHaveLength(2);
  });

  it('returns APIPromises of the reference models', () => {
    expectTypeOf<ReturnType<Messages['send']>>().toEqualTypeOf<APIPromise<MessageResponse>>();
    expectTypeOf<ReturnType<Messages['getStatus']>>().toEqualTypeOf<APIPromise<MessageResponse>>();
    expectTypeOf<ReturnType<Messages['retrieve']>>().toEqualTypeOf<APIPromise<MessageRetrieveResponse>>();
    expectTypeOf<Awaited<ReturnType<Messages['list']>>>().toEqualTypeOf<MessageListResponse>();
    expectTypeOf<ReturnType<Messages['list']>>().toExtend<AsyncIterable<MessageData>>();
    expectTypeOf<ReturnType<Messages['waitFor']>>().toEqualTypeOf<Promise<MessageResponse>>();
    expectTypeOf<Awaited<ReturnType<ReturnType<Messages['send']>['withResponse']>>>().toEqualTypeOf<{
      data: MessageResponse;
      response: Response;
    }>();
  });
});
