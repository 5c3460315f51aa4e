/**
 * Errors the notifier raises. Messages name a host, a format or a field, never a URL path (a Slack webhook
 * URL is itself a credential), a header value or a credential.
 *
 * Shaped like core's VigilError (a stable `code`, `cause`) but not derived from it: core's root entry point
 * loads every check, which a notify Lambda's cold start has no use for.
 */
export class NotifyError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Why a destination was refused: the SSRF guard's verdict, one stable word per rule. */
export type RefusalReason = 'invalid_url' | 'scheme' | 'credentials_in_url' | 'unresolvable' | 'address';

/**
 * A destination the SSRF guard refuses, when a subscription is saved or when a delivery connects: a scheme
 * other than http(s), credentials in the URL, or a host that resolves to an address outside the public
 * internet (and outside the operator's allow-list).
 */
export class DestinationRefusedError extends NotifyError {
  readonly reason: RefusalReason;
  /** The refused address and the range it falls in, when the reason is `address`. */
  readonly address?: string;
  readonly range?: string;
  constructor(reason: RefusalReason, message: string, details: { address?: string; range?: string } = {}) {
    super('DESTINATION_REFUSED', message);
    this.reason = reason;
    if (details.address !== undefined) this.address = details.address;
    if (details.range !== undefined) this.range = details.range;
  }
}

/** The request did not complete: connection refused or reset, TLS failure, DNS failure. */
export class TransportError extends NotifyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSPORT_FAILED', message, options);
  }
}

/** No complete response within the per-request time limit. */
export class RequestTimeoutError extends NotifyError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super('REQUEST_TIMEOUT', `no response within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Sealed credentials that cannot be opened: another key, another context, or damaged ciphertext. */
export class DecryptionError extends NotifyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DECRYPTION_FAILED', message, options);
  }
}

/** The local key file or the KMS key cannot be used. */
export class EncryptionConfigError extends NotifyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENCRYPTION_CONFIG', message, options);
  }
}

/** Subscription settings (format options, credentials, event types) that do not fit the format. */
export class InvalidSubscriptionError extends NotifyError {
  /** Dotted path of the offending field, e.g. `config.projectKey`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_SUBSCRIPTION', `${field}: ${message}`);
    this.field = field;
  }
}
