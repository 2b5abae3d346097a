import type { ConnectionRow } from '../graph/store.js';
import type { PageWithIg } from '../graph/client.js';

/** A Graph connection as the API shows it, field by field: never its token. */
export function connectionView(row: ConnectionRow) {
  return {
    id: row.id,
    fb_user_id: row.fb_user_id,
    fb_user_name: row.fb_user_name,
    status: row.status,
    status_reason: row.status_reason,
    scopes: row.scopes,
    token_issued_at: row.token_issued_at.toISOString(),
    token_expires_at: row.token_expires_at?.toISOString() ?? null,
    last_refreshed_at: row.last_refreshed_at?.toISOString() ?? null,
    instagram_account: row.ig_user_id
      ? { id: row.ig_user_id, username: row.ig_username, page_id: row.page_id, page_name: row.page_name }
      : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function pageView(page: PageWithIg) {
  return { id: page.id, name: page.name, instagram_account: page.ig ? { id: page.ig.id, username: page.ig.username } : null };
}
