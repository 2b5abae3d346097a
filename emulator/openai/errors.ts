// OpenAI's HTTP error shape: `{ error: { message, type, param, code } }`.
// The SDK maps the status to its error classes (BadRequestError, NotFoundError…)
// and exposes `type`/`param`/`code` from this body.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Thrown by handlers; the HTTP layer turns it into a response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using " +
  'Bearer auth (i.e. Authorization: Bearer YOUR_KEY).';

export function badRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, 'invalid_request_error', param, code);
}

export function notFound(message: string, param: string | null = null): ApiError {
  return new ApiError(404, message, 'invalid_request_error', param, null);
}

/** The error body a failed request carries inside a batch error line (`response.body`). */
export function lineErrorBody(status: number, message?: string): OpenAiErrorBody {
  if (status >= 500) {
    return {
      error: {
        message: message ?? 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    };
  }
  return {
    error: {
      message: message ?? 'Invalid request.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  };
}
