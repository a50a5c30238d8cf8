/**
 * The body of a `GET /api/v2/messages` response around its messages' wire JSON, byte for byte what
 * the route's response schema (`ListResponseSchema`) serialises: the same keys in the same order.
 */
export function messageListJson(
  messages: readonly string[],
  pagination: { total: number; limit: number; offset: number; hasMore: boolean },
): string {
  const { total, limit, offset, hasMore } = pagination;
  return (
    `{"status":"OK","data":[${messages.join(',')}],"pagination":` +
    `{"total":${total},"limit":${limit},"offset":${offset},"hasMore":${hasMore ? 'true' : 'false'}}}`
  );
}
