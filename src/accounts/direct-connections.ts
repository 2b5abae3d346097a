import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';

/** Accounts without a proxy send Instagram this server's own address: say so at start, or that they stay unused. */
export async function warnAboutDirectAccounts(db: Kysely<Database>, mode: 'auto' | 'allow' | 'deny', logger: Logger): Promise<void> {
  const row = await db
    .selectFrom('ig_accounts')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('proxy_id', 'is', null).as('direct'),
      eb
        .selectFrom('proxies')
        .select((p) => p.fn.countAll<number>().as('n'))
        .as('proxies'),
    ])
    .executeTakeFirst();
  const direct = Number(row?.direct ?? 0);
  if (direct === 0) return;
  const used = mode === 'allow' || (mode === 'auto' && Number(row?.proxies ?? 0) === 0);
  if (used)
    logger.warn(
      { accounts: direct },
      "accounts without a proxy will send Instagram this server's own address (ACCOUNT_DIRECT_CONNECTIONS)",
    );
  else
    logger.info({ accounts: direct }, 'accounts without a proxy are not used: give each a proxy, or set ACCOUNT_DIRECT_CONNECTIONS=allow');
}
