import { Refused } from "../refused.ts";

/** HTTP 429 with a Retry-After the API sends along, and a sentence saying how long to wait. */
export class TooManyRequests extends Refused {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super("too-many-requests", `${message} Try again in ${describeWait(seconds)}.`);
    this.retryAfterSeconds = seconds;
  }
}

export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
