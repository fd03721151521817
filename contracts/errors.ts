/** A payload that does not match its subject's schema: never published, never processed. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
  constructor(
    readonly subject: string,
    readonly problems: string[],
  ) {
    super(`invalid payload for ${subject}: ${problems.join('; ')}`);
  }
}

/** JetStream refused or did not acknowledge a publish (stream full, no quorum, timeout). */
export class PublishFailedError extends Error {
  override readonly name = 'PublishFailedError';
  constructor(
    readonly subject: string,
    cause: unknown,
  ) {
    super(`publish to ${subject} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
