import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import type { Group } from '../../domain/group.js';
import { mediaPath } from '../../domain/media.js';
import { MAX_GROUP_PHOTO_BYTES, type GroupProfileService, type PhotoFile } from '../../messaging/group-profile.js';
import type { GroupService } from '../../messaging/groups.js';
import { callerOf } from '../auth.js';
import { requestIdentity } from '../request-identity.js';
import { IdempotencyHeadersSchema } from '../schemas/send-schema.js';
import { ERROR_REF, ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import {
  GroupParamsSchema,
  GroupResponseSchema,
  GroupSendBodySchema,
  ModifyGroupBodySchema,
  ModifyGroupResponseSchema,
  RenameGroupBodySchema,
  RenameGroupResponseSchema,
  SetGroupPhotoBodySchema,
  SetGroupPhotoResponseSchema,
} from '../schemas/group-schema.js';
import { publicUrl } from './media-objects.js';

export interface GroupRouteDeps {
  groups: GroupService;
  /** Renaming a group and setting its photo. */
  profile: GroupProfileService;
}

const TAG = ['Groups'];

/** Group conversations, as Sendblue's group messaging routes have them: send, modify, read. */
export const groupRoutes: FastifyPluginAsyncTypebox<GroupRouteDeps> = async (app, { groups, profile }) => {
  app.post(
    '/api/send-group-message',
    {
      schema: {
        summary: 'Send a group message',
        description:
          'Sends to `numbers` (2-25 members besides your line; the group is created on first use) or to `group_id`. ' +
          '200 with the message (`message_type: "group"`, `group_id`, `participants`) once it is durably stored.',
        tags: TAG,
        operationId: 'groups.sendMessage',
        body: GroupSendBodySchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF },
      },
    },
    async (request, reply) => {
      const outcome = await groups.send(callerOf(request), request.body, requestIdentity(request));
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.type('application/json; charset=utf-8').send(outcome.body);
    },
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
        operationId: 'v2.groups.retrieve',
        params: GroupParamsSchema,
        response: { 200: GroupResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      data: toWireGroup(await groups.get(callerOf(request), request.params.group_id), request),
    }),
  );

  app.post(
    '/api/v2/groups/:group_id/name',
    {
      schema: {
        summary: 'Rename a group',
        description: 'null or an empty string clears the name; a whitespace-only name is refused.',
        tags: TAG,
        operationId: 'v2.groups.rename',
        params: GroupParamsSchema,
        body: RenameGroupBodySchema,
        response: { 200: RenameGroupResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const group = await profile.rename(callerOf(request), request.params.group_id, request.body);
      return {
        status: 'OK' as const,
        data: { from_number: group.line, group_id: group.groupId, group_name: group.name },
      };
    },
  );

  // Multipart bodies are parsed in this scope only: no other route takes them.
  await app.register(async (scope) => {
    const files = new WeakMap<FastifyRequest, PhotoFile>();
    await scope.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_GROUP_PHOTO_BYTES, files: 1, fields: 10, parts: 11 },
      async onFile(this: FastifyRequest, part: MultipartFile) {
        if (part.fieldname !== 'file')
          throw errors.validation(part.fieldname, 'is not a field this route takes; send file');
        const bytes = await part.toBuffer().catch((error: unknown) => {
          throw (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE'
            ? errors.mediaTooLarge('file', MAX_GROUP_PHOTO_BYTES)
            : error;
        });
        files.set(this, { bytes, contentType: part.mimetype, filename: part.filename });
      },
    });
    // The multipart hook leaves each field as {value, ...}: flatten them to what the schema validates.
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      const fields = (request.body ?? {}) as Record<string, { type?: string; value?: unknown }>;
      request.body = Object.fromEntries(
        Object.entries(fields)
          .filter(([, f]) => f.type === 'field')
          .map(([name, f]) => [name, f.value]),
      );
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/v2/groups/:group_id/photo',
      {
        schema: {
          summary: 'Set a group’s photo',
          description:
            'JSON `photo_url` (null clears), or multipart with the image in `file`. JPEG, PNG or GIF, at most 5 MB. ' +
            'The photo is stored as a media object; the one it replaces is deleted.',
          tags: TAG,
          operationId: 'v2.groups.setPhoto',
          params: GroupParamsSchema,
          body: SetGroupPhotoBodySchema,
          consumes: ['application/json', 'multipart/form-data'],
          response: { 200: SetGroupPhotoResponseSchema, ...ERROR_RESPONSES, 415: ERROR_REF },
        },
      },
      async (request) => {
        const file = files.get(request);
        const group = await profile.setPhoto(callerOf(request), request.params.group_id, {
          ...request.body,
          ...(file === undefined ? {} : { file }),
        });
        return {
          status: 'OK' as const,
          data: { from_number: group.line, group_id: group.groupId, group_photo: groupPhoto(group, request) },
        };
      },
    );
  });
};

function groupPhoto(g: Group, request: FastifyRequest) {
  return g.photo === null ? null : { photo_guid: g.photo.id, url: publicUrl(request, mediaPath(g.photo)) };
}

const iso = (t: number): string => new Date(t).toISOString();

function toWireGroup(g: Group, request: FastifyRequest) {
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
    group_photo: groupPhoto(g, request),
  };
}
