/**
 * `npm run bench:ai` — AI cost per creator before and after issue 22 on gpt-5-nano, gpt-5-mini and gpt-4o-mini,
 * by the OpenAI emulator's usage. Options: BENCH_QUICK=1, BENCH_AI_CREATORS.
 */
import { aiPart } from './ai/part.js';
import { runParts } from './lib/part.js';

await runParts([aiPart], 'npm run bench:ai');
