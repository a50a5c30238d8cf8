import { ApiError, session } from './api.js';

/** What `POST /api/upload-file` answers: the media object the file is kept as. */
export interface UploadedFile {
  status: 'OK';
  media_url: string;
  mediaObjectId: string;
  content_type: string;
  size: number;
}

/**
 * Uploads one file as `POST /api/upload-file` (multipart, the file in the part named `file`) with
 * the session cookie and its CSRF token. Not `api()`, which sends JSON: the browser must set the
 * multipart content type itself, boundary included.
 */
export async function upload(file: File, signal?: AbortSignal): Promise<UploadedFile> {
  const form = new FormData();
  form.append('file', file, file.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  const csrf = session.value?.csrf_token;
  if (csrf !== undefined) headers['x-csrf-token'] = csrf;
  const res = await fetch('/api/upload-file', {
    method: 'POST',
    headers,
    body: form,
    credentials: 'same-origin',
    ...(signal === undefined ? {} : { signal }),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof json.code === 'string' ? json.code : `http_${res.status}`;
    const message = typeof json.message === 'string' ? json.message : `${res.status} ${res.statusText}`;
    // A session that ended elsewhere sends the app back to sign-in, as every other call does.
    if (res.status === 401) session.value = null;
    throw new ApiError(res.status, code, message);
  }
  return json as unknown as UploadedFile;
}
