import { Type } from 'typebox';

/**
 * `POST /api/upload-file`'s text fields: none (any are ignored). The file part itself never reaches
 * a validator; the OpenAPI document adds it to the multipart body as `file` (binary, required).
 */
export const UploadFileBodySchema = Type.Object({});
