import { createSignal } from "solid-js";

/**
 * Rooms this tab's person chose to leave. The server closes a room's documents with the same reason
 * (`membership-ended`) whether the person left or was removed, and before the line saying which is
 * written, so only the tab that asked to leave knows it was a leave; the room view words its notice
 * from this.
 */
const [left, setLeft] = createSignal<ReadonlySet<string>>(new Set());

export function leftHere(roomId: string): boolean {
  return left().has(roomId);
}

/** Before asking the server to leave: its close can arrive before its answer. */
export function markLeaving(roomId: string): void {
  setLeft((rooms) => new Set([...rooms, roomId]));
}

/** The server refused the leave: a later close is someone else's doing. */
export function unmarkLeaving(roomId: string): void {
  setLeft((rooms) => new Set([...rooms].filter((id) => id !== roomId)));
}
