/** The scraped user's state, not a failure of the account that asked: handlers turn these into blog statuses. */
export class TargetNotFoundError extends Error {
  override name = 'TargetNotFoundError';
}

export class TargetPrivateError extends Error {
  override name = 'TargetPrivateError';
}
