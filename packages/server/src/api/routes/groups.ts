import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Group } from '../../domain/group.js';
import { toWire } from '../../domain/message.js';
import type { GroupService } from '../../messaging/groups.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import {
  GroupParamsSchema,
  GroupResponseSchema,
  GroupSendBodySchema,
  ModifyGroupBodySchema,
  ModifyGroupResponseSchema,
} from '../schemas/group-schema.js';

export interface GroupRouteDeps {
  groups: GroupService;
}

const TAG = ['Groups'];

/** Group conversations, as Sendblue's group messaging routes have them: send, modify, read. */
export const groupRoutes: FastifyPluginAsyncTypebox<GroupRouteDeps> = async (app, { groups }) => {
  app.post(
    '/api/send-group-message',
    {
      schema: {
        summary: 'Send a group message',
        description:
          'Sends to `numbers` (2-25 members besides your line; the group is created on first use) or to `group_id`. ' +
          '200 with the message (`message_type: "group"`, `group_id`, `participants`) once it is durably stored.',
        tags: TAG,
        operationId: 'groups.send',
        body: GroupSendBodySchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF },
      },
    },
    async (request) => toWire(await groups.send(callerOf(request), request.body)),
  );

  app.post(
    '/api/modify-group',
    {
      schema: {
        summary: 'Add or remove a group member',
        description: 'Removing needs a group of at least 4 participants (your line included); at most 25 members.',
        tags: TAG,
        operationId: 'groups.modify',
        body: ModifyGroupBodySchema,
        response: { 200: ModifyGroupResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const group = await groups.modify(callerOf(request), request.body);
      return {
        status: 'OK' as const,
        group_id: group.groupId,
        modify_type: request.body.modify_type,
        number: request.body.number,
      };
    },
  );

  app.get(
    '/api/v2/groups/:group_id',
    {
      schema: {
        summary: 'Get a group',
        tags: TAG,
        operationId: 'groups.retrieve',
        params: GroupParamsSchema,
        response: { 200: GroupResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      data: toWireGroup(await groups.get(callerOf(request), request.params.group_id)),
    }),
  );
};

const iso = (t: number): string => new Date(t).toISOString();

function toWireGroup(g: Group) {
  return {
    group_id: g.groupId,
    group_name: g.name,
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
    latest_comm_at: g.latest === null ? null : iso(g.latest.createdAt),
    latest_message_id: g.latest?.handle ?? null,
    participant_numbers: g.members,
    participants: g.members.map((phone) => ({
      participant_id: `${g.groupId}:${phone}`,
      type: 'contact' as const,
      handle: phone,
      phone,
      name: null,
      contact_id: null,
      seat_id: null,
    })),
    worker_group_id: null,
  };
}
