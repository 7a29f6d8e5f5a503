import type { SessionUser } from "./auth/sessions.ts";

/** What every WebSocket connection carries: who is on the other end, from the session cookie. */
export interface ConnectionContext {
  user: SessionUser;
  sessionTokenHash: string;
}

/** A refusal sent to the client as the provider's authentication-failed reason. */
export class Refusal extends Error {
  readonly reason: "unauthenticated" | "not-found" | "forbidden" | "unavailable" | "outdated-client";

  constructor(reason: "unauthenticated" | "not-found" | "forbidden" | "unavailable" | "outdated-client") {
    super(reason);
    this.reason = reason;
  }
}

/** Closing a document's connection for a forbidden write: the client drops its change instead of resending it. */
export class ForbiddenWrite extends Error {
  readonly code = 4403;
  readonly reason: string;
  constructor(explanation: string) {
    super(explanation);
    this.reason = `forbidden-write: ${explanation}`.slice(0, 120);
  }
}
