import { z } from '@hono/zod-openapi';
import { checkPassword, parseProxyUrl, PROXY_URL_FORMS, type ParsedProxy } from '../accounts/credentials.js';
import { ACCOUNT_LINE_FORMS, PROXY_LINE_FORMS } from '../accounts/import-lines.js';
import { MAX_IMPORT_LINES } from '../accounts/import.js';
import { ACCOUNT_STATUSES } from '../db/schema.js';
import { idParam, pageOf, paging, Username } from './schemas.js';

/**
 * Input and output schemas of the account and proxy routes (also the OpenAPI document). No output schema has a
 * field for a password, a session, a device seed or a proxy credential: what is not in the schema cannot leak.
 */

export const AccountIdParam = idParam('account', 1);
export const ProxyIdParam = idParam('proxy', 1);

const page = paging({ max: 500, default: 100 });
const ACCOUNT_STATUS = z.enum(ACCOUNT_STATUSES);
const PROXY_STATUS = z.enum(['active', 'failed', 'disabled']);
/** What a human may set by hand; the other statuses are the pool's verdicts. */
const SETTABLE_STATUS = z.enum(['active', 'disabled'], { error: 'status can only be set to "active" or "disabled"' });

export const AccountListQuery = z.strictObject({ status: ACCOUNT_STATUS.optional(), ...page });
export const ProxyListQuery = z.strictObject({ status: PROXY_STATUS.optional(), ...page });
export const DeleteProxyQuery = z.strictObject({
  force: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true: delete even if an account uses it (the account goes to proxy_error)' }),
});

const Password = z
  .string({ error: 'password must be a string' })
  .superRefine((value, ctx) => {
    const checked = checkPassword(value);
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message });
  })
  .openapi({ description: 'Instagram password; stored encrypted, never returned' });

const ProxyIdRef = z.number({ error: 'proxy_id must be a number or null' }).int().positive();

export const ProxyUrl = z
  .string({ error: 'url must be a string' })
  .transform((value, ctx): ParsedProxy => {
    const parsed = parseProxyUrl(value);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  })
  .openapi({ type: 'string', example: 'http://user:pass@203.0.113.7:8080', description: `${PROXY_URL_FORMS}; stored encrypted` });

export const CreateAccountBody = z
  .strictObject({
    username: Username,
    password: Password,
    proxy_id: ProxyIdRef.nullable().optional().openapi({ description: 'A proxy no other account uses' }),
  })
  .openapi('CreateAccountRequest');

export const PatchAccountBody = z
  .strictObject({
    password: Password.optional(),
    proxy_id: ProxyIdRef.nullable().optional().openapi({ description: 'Another free proxy, or null to unbind' }),
    status: SETTABLE_STATUS.optional().openapi({
      description: '"active" clears cooldown, reason and challenge count (after a human solved a challenge); "disabled" parks the account',
    }),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'give at least one of password, proxy_id, status' })
  .openapi('PatchAccountRequest');

export const CreateProxyBody = z.strictObject({ url: ProxyUrl }).openapi('CreateProxyRequest');

export const PatchProxyBody = z
  .strictObject({
    url: ProxyUrl.optional(),
    status: SETTABLE_STATUS.optional().openapi({ description: '"active" also resets the failure streak' }),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'give at least one of url, status' })
  .openapi('PatchProxyRequest');

const importText = (forms: string) =>
  z
    .string({ error: 'text must be a string with one entry per line' })
    .refine((text) => text.split('\n').length <= MAX_IMPORT_LINES, { error: `at most ${MAX_IMPORT_LINES} lines per import` })
    .openapi({ description: `One per line: ${forms}. Blank lines and # comments are skipped.` });

export const ImportAccountsBody = z
  .strictObject({
    text: importText(ACCOUNT_LINE_FORMS),
    assign_proxies: z
      .boolean()
      .default(false)
      .openapi({ description: 'Bind each imported account without a proxy to a free active proxy' }),
  })
  .openapi('ImportAccountsRequest');

export const ImportProxiesBody = z.strictObject({ text: importText(PROXY_LINE_FORMS) }).openapi('ImportProxiesRequest');

const timestamp = z.string().nullable();

export const AccountSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    status: ACCOUNT_STATUS,
    status_reason: z.string().nullable(),
    cooldown_until: timestamp,
    proxy: z.object({ id: z.number().int(), label: z.string(), status: PROXY_STATUS }).nullable(),
    last_login_at: timestamp,
    last_used_at: timestamp,
    last_validated_at: timestamp,
    warmup_started_at: z.string(),
    requests_total: z.number().int(),
    has_session: z.boolean().openapi({ description: 'A logged-in session is stored (its content is never shown)' }),
    leased: z.boolean().openapi({ description: 'A task is using the account right now' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Account');

export const ProxySchema = z
  .object({
    id: z.number().int(),
    label: z.string().openapi({ example: 'http://203.0.113.7:8080', description: 'scheme://host:port, without credentials' }),
    type: z.enum(['http', 'socks5']),
    status: PROXY_STATUS,
    consecutive_failures: z.number().int(),
    success_count: z.number().int(),
    failure_count: z.number().int(),
    success_rate: z.number().nullable().openapi({ description: 'success / (success + failure), null before any use' }),
    latency_ms: z.number().int().nullable(),
    last_check_at: timestamp,
    last_error: z.string().nullable(),
    account: z.object({ id: z.number().int(), username: z.string() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Proxy');

export const AccountListSchema = pageOf(AccountSchema, 'AccountList');
export const ProxyListSchema = pageOf(ProxySchema, 'ProxyList');

export const ImportResultSchema = z
  .object({
    created: z.number().int(),
    updated: z.number().int().openapi({ description: 'Existing accounts whose password or proxy changed' }),
    skipped: z.number().int().openapi({ description: 'Already present and unchanged' }),
    errors: z.array(z.object({ line: z.number().int(), message: z.string() })).openapi({ description: 'Bad lines, 1-based' }),
    proxies_assigned: z.number().int().optional(),
    without_proxy: z.number().int().optional().openapi({ description: 'Accounts left without a proxy: no free active proxy' }),
  })
  .openapi('ImportResult');

const operation = {
  ok: z.boolean(),
  outcome: z.string().openapi({ example: 'ok', description: 'ok, bad_password, two_factor_required, challenge, banned, proxy_error, ...' }),
  message: z.string(),
  duration_ms: z.number().nullable(),
};
export const AccountOperationSchema = z.object({ ...operation, account: AccountSchema }).openapi('AccountOperationResult');
export const ProxyOperationSchema = z.object({ ...operation, proxy: ProxySchema }).openapi('ProxyOperationResult');
