/** One Server-Sent Event as a client sees it. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * Reads an SSE response the way EventSource does (fields per line, a blank line ends an event, comments ignored),
 * for tests: `next(predicate)` resolves with the first event not yet taken that matches, keeping every event seen in `seen`.
 */
export function sseReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: SseEvent[] = [];
  let buffer = '';
  const queue: SseEvent[] = [];
  async function pull(): Promise<boolean> {
    const { value, done } = await reader.read();
    if (done) return false;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', id: undefined, data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'data') {
          event.data += (hasData ? '\n' : '') + value;
          hasData = true;
        }
      }
      if (hasData) {
        seen.push(event);
        queue.push(event);
      }
    }
    return true;
  }
  return {
    seen,
    async next(predicate: (event: SseEvent) => boolean = () => true): Promise<SseEvent> {
      for (;;) {
        // Events that do not match stay queued for a later next().
        const index = queue.findIndex(predicate);
        if (index >= 0) return queue.splice(index, 1)[0]!;
        if (!(await pull()))
          throw new Error(`the stream ended before a matching event; seen: ${JSON.stringify(seen.map((e) => e.data.slice(0, 80)))}`);
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}
