import { Refused, type RefusedBecause } from "../refused.ts";

/**
 * A refusal of the request itself (its body, its session), answered as `{ error }` with this status.
 * Refusals by the domain are `Refused` (refused.ts); `statusOf` gives their status.
 */
export class RequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const STATUS: Record<RefusedBecause, number> = {
  invalid: 400,
  "wrong-credentials": 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  gone: 410,
  "too-many-requests": 429,
};

/** The HTTP status of a refusal, or null when `error` is not one (a failure: 500 or 503). */
export function statusOf(error: unknown): number | null {
  if (error instanceof RequestError) return error.status;
  if (error instanceof Refused) return STATUS[error.because];
  return null;
}

/** Whether `error` says the password did not match (the sign-in throttle counts those). */
export const isWrongCredentials = (error: unknown): boolean =>
  error instanceof Refused && error.because === "wrong-credentials";
