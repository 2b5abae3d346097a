// HTTP control surface, a thin shell over the programmatic API so scripts and
// the sim can do what tests do. Mounted by the sim under `/openai`.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ApiError } from './errors.js';
import type { OpenAiEmulator } from './index.js';

const lineFaultSchema = z.object({
  mode: z.enum(['refusal', 'invalid_json', 'schema_violation', 'line_error']),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
});

const lineFaultBody = z.object({
  fault: z.union([lineFaultSchema, lineFaultSchema.shape.mode, z.null()]),
  customIds: z.array(z.string()).optional(),
  rate: z.number().min(0).max(1).optional(),
});

const batchFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('expire'), completedLines: z.number().int().min(0).optional() }),
  z.object({ kind: z.literal('fail'), code: z.string().optional(), message: z.string().optional() }),
  z.object({ kind: z.literal('stuck') }),
]);

const batchFaultBody = z.object({
  fault: z.union([batchFaultSchema, z.null()]),
  times: z.number().int().min(1).optional(),
});

const httpFaultBody = z.object({
  status: z.number().int().min(400).max(599),
  count: z.number().int().min(1),
  pathPrefix: z.string().optional(),
  message: z.string().optional(),
});

const timingsBody = z
  .object({ validatingMs: z.number(), inProgressMs: z.number(), finalizingMs: z.number(), cancellingMs: z.number() })
  .partial();
const limitsBody = z.object({ maxRequestsPerFile: z.number().int().min(1), maxFileBytes: z.number().int().min(1) }).partial();

async function bodyOf<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(400, z.prettifyError(parsed.error));
  return parsed.data;
}

export function controlRoutes(emu: OpenAiEmulator): Hono {
  const app = new Hono();
  const state = (c: Context) =>
    c.json({ baseUrl: emu.baseUrl, seed: emu.seed, batches: emu.batches(), files: emu.files(), faults: emu.faults() });
  app.get('/', state);
  app.get('/state', state); // `/openai/` with a trailing slash does not reach '/' once mounted

  app.get('/batches', (c) => c.json(emu.batches()));
  app.get('/batches/:id', (c) => c.json(emu.batch(c.req.param('id'))));
  app.get('/batches/:id/requests', (c) => c.json(emu.batchRequests(c.req.param('id'))));
  app.get('/batches/:id/results', (c) => c.json(emu.batchResults(c.req.param('id'))));
  app.post('/batches/:id/advance', (c) => c.json(emu.advance(c.req.param('id'))));
  app.post('/batches/:id/complete', (c) => c.json(emu.complete(c.req.param('id'))));
  app.post('/batches/:id/cancel', (c) => c.json(emu.cancel(c.req.param('id'))));
  app.post('/batches/:id/expire', async (c) => {
    const { completedLines } = await bodyOf(c, z.object({ completedLines: z.number().int().min(0).optional() }).default({}));
    return c.json(emu.expire(c.req.param('id'), completedLines));
  });
  app.put('/batches/:id/fault', async (c) => {
    const { fault } = await bodyOf(c, z.object({ fault: z.union([batchFaultSchema, z.null()]) }));
    emu.setBatchFault(fault, { batchId: c.req.param('id') });
    return c.json(emu.batch(c.req.param('id')));
  });

  app.get('/files', (c) => c.json(emu.files()));
  app.get('/files/:id/content', (c) => c.text(emu.fileContent(c.req.param('id'))));
  app.get('/requests', (c) => c.json(emu.requests()));
  app.delete('/requests', (c) => (emu.clearRequests(), c.json({ ok: true })));

  app.get('/faults', (c) => c.json(emu.faults()));
  app.put('/faults/line', async (c) => {
    const { fault, customIds, rate } = await bodyOf(c, lineFaultBody);
    emu.setLineFault(fault, { customIds, rate });
    return c.json(emu.faults());
  });
  app.put('/faults/batch', async (c) => {
    const { fault, times } = await bodyOf(c, batchFaultBody);
    emu.setBatchFault(fault, { times });
    return c.json(emu.faults());
  });
  app.post('/faults/http', async (c) => {
    const fault = await bodyOf(c, httpFaultBody);
    emu.failRequests(fault);
    return c.json(emu.faults());
  });
  app.delete('/faults', (c) => (emu.clearFaults(), c.json(emu.faults())));

  // zod output omits absent keys, so Object.assign in setTimings/setLimits keeps the others.
  app.put('/timings', async (c) => (emu.setTimings(await bodyOf(c, timingsBody)), c.json({ ok: true })));
  app.put('/limits', async (c) => (emu.setLimits(await bodyOf(c, limitsBody)), c.json({ ok: true })));

  app.onError((err, c) =>
    err instanceof ApiError
      ? c.json(err.toBody(), err.status as 400)
      : c.json({ error: { message: String(err), type: 'server_error', param: null, code: null } }, 500),
  );
  return app;
}
