import { describe, expect, it } from 'vitest';
import { classifyGraphError, GraphApiError } from '../../src/graph/errors.js';
import { defaultDialogUrl } from '../../src/graph/settings.js';
import { pace, parseUsage } from '../../src/graph/usage.js';

const pacing = { slowdownPercent: 75, maxDelayMs: 20_000, stopPercent: 95, throttleWaitMs: 600_000 };
const err = (code: number, subcode: number | null = null, message = 'x', status = 400) =>
  new GraphApiError(status, message, code, subcode, 'OAuthException', 'trace', 0);

describe('Graph usage headers and pacing', () => {
  it('reads the highest percentage of X-App-Usage and every X-Business-Use-Case-Usage entry, and the regain time', () => {
    const headers = new Headers({
      'x-app-usage': '{"call_count":12,"total_cputime":3,"total_time":5}',
      'x-business-use-case-usage':
        '{"17841400000000001":[{"type":"instagram","call_count":40,"total_cputime":81,"total_time":9,"estimated_time_to_regain_access":7}]}',
    });
    expect(parseUsage(headers)).toEqual({ percent: 81, regainMs: 7 * 60_000 });
    expect(parseUsage(new Headers())).toEqual({ percent: null, regainMs: 0 });
    expect(parseUsage(new Headers({ 'x-app-usage': 'not json' }))).toEqual({ percent: null, regainMs: 0 });
  });

  it('goes below the slowdown threshold, pauses linearly up to the stop threshold, then waits for the regain time', () => {
    expect(pace(null, pacing)).toEqual({ action: 'go' });
    expect(pace({ percent: 74, regainMs: 0 }, pacing)).toEqual({ action: 'go' });
    expect(pace({ percent: 85, regainMs: 0 }, pacing)).toEqual({ action: 'delay', ms: 10_000 });
    expect(pace({ percent: 95, regainMs: 0 }, pacing)).toEqual({ action: 'wait', ms: 600_000 });
    expect(pace({ percent: 100, regainMs: 180_000 }, pacing)).toEqual({ action: 'wait', ms: 180_000 });
  });

  it("classifies Meta's error codes", () => {
    expect(classifyGraphError(err(190, 463))).toBe('token_expired');
    expect(classifyGraphError(err(190, 460))).toBe('token_revoked');
    expect(classifyGraphError(err(190, 458))).toBe('token_revoked');
    expect(classifyGraphError(err(10))).toBe('permission');
    for (const code of [4, 17, 32, 613, 80002]) expect(classifyGraphError(err(code))).toBe('throttled');
    expect(
      classifyGraphError(err(100, null, '(#100) Starting from version v22.0 and above, the plays metric is no longer supported')),
    ).toBe('deprecated_metric');
    expect(
      classifyGraphError(err(100, null, '(#100) The Media Insights API does not support the views metric for this media product type.')),
    ).toBe('unsupported_metric');
    expect(classifyGraphError(err(110, 2207013))).toBe('not_found');
    expect(classifyGraphError(err(2, null, 'x', 500))).toBe('transient');
    expect(classifyGraphError(new Error('socket hang up'))).toBe('transient');
  });

  it('puts the dialog on www.facebook.com for the real API and on the API host otherwise', () => {
    expect(defaultDialogUrl('https://graph.facebook.com/v25.0')).toBe('https://www.facebook.com/v25.0/dialog/oauth');
    expect(defaultDialogUrl('http://127.0.0.1:4000/v25.0')).toBe('http://127.0.0.1:4000/v25.0/dialog/oauth');
  });
});
