import type { ConsoleSession } from './session.js';

/** What every signed-in console handler finds on its context (set by the session middleware in routes.tsx). */
export type ConsoleEnv = { Variables: { session: ConsoleSession; sessionId: string } };
