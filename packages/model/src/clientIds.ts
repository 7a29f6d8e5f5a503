/**
 * Yjs client ids and clocks: who may write under which id, and how far a clock may run.
 *
 * Yjs draws a device's client id with `random.uint32`, so every honest device writes under an id
 * below 2^32. The server writes its own changes (sequence numbers, projections, sealed segments)
 * under ids at or above 2^32, which no device draws: a member who wrote under the server's id could
 * take the clock of its next change, and Yjs would then drop that change as a duplicate.
 */
const SERVER_CLIENT_ID_BASE = 2 ** 32;

/** A fresh id for the server to write under; ids stay far below 2^53, so they encode exactly. */
export function serverClientId(): number {
  return SERVER_CLIENT_ID_BASE + Math.floor(Math.random() * SERVER_CLIENT_ID_BASE);
}

export const isServerClientId = (client: number): boolean => client >= SERVER_CLIENT_ID_BASE;

/**
 * The furthest a clock may run under one client id (an item's clock plus its length). A device
 * advances its clock by one per character or record it writes, under an id it draws afresh for
 * every document it opens, so 2^40 is far beyond any honest use. The bound keeps every clock well
 * inside the integers lib0 can decode (2^53): a clock past that makes the document's state vector
 * unreadable for everyone, forever ("Integer out of Range").
 */
export const MAX_CLOCK = 2 ** 40;
