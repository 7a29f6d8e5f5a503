/**
 * Where a room's cached tail (roomTail.ts) is kept in localStorage. On its own so the first-screen
 * entry (../warmDevice.ts), which must stay tiny, can tell whether a room has one.
 */
export const TAIL_PREFIX = "chat.tail:";

export const tailKey = (scope: string, roomId: string): string => `${TAIL_PREFIX}${scope}:${roomId}`;

/** True when the room's latest messages are cached on this device. */
export function hasTail(scope: string, roomId: string): boolean {
  try {
    return localStorage.getItem(tailKey(scope, roomId)) !== null;
  } catch {
    return false;
  }
}
