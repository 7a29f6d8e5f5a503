/**
 * Why the server says no to something a person asked for, in words they can act on. The domain
 * (accounts, invites, rooms, limits) says which kind of no; the HTTP layer turns it into a status
 * (http/requestError.ts), so the domain knows nothing of HTTP.
 */
export type RefusedBecause =
  | "invalid" // what was asked for breaks a rule (a name too long, a password too short)
  | "wrong-credentials" // a password that does not match
  | "forbidden" // this person may not do this
  | "not-found"
  | "conflict" // it clashes with what exists (a taken username, a room of that name)
  | "gone" // a link that worked once and no longer does (used, expired)
  | "too-many-requests";

export class Refused extends Error {
  readonly because: RefusedBecause;

  constructor(because: RefusedBecause, message: string) {
    super(message);
    this.because = because;
  }
}
