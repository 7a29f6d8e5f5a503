import { CLOSE_CODES, closeReason, parseDocName } from "@chat/model";
import type { Hocuspocus } from "@hocuspocus/server";
import type { ConnectionContext } from "../context.ts";
import { InstanceBroadcast } from "../lib/instanceBroadcast.ts";
import type { LateBound } from "../lib/lateBound.ts";
import type { Logger } from "../log.ts";

export interface EndedMembership {
  roomId: string;
  userId: string;
  /** What the person's devices are told, e.g. "you left this room", "you were removed from this room by alice". */
  explanation: string;
  /**
   * True when the membership began rather than ended: the person joined (or was added) while a device
   * of theirs had the room open read-only as a preview (extensions/access.ts).
   */
  began?: boolean;
}

/**
 * Someone left a room or was taken out of it: on every instance, their open connections to the
 * room's documents (the room and its segments) close at once with `membership-ended:`, and whatever
 * the instance remembers of their access or queued for their index about the room is dropped
 * (`forget`). The rows are gone already, so opening again is refused (or, for a public room, is a
 * read-only preview).
 *
 * A membership that begins travels the same way (`began`): the person's read-only connections to the
 * room (a public room they were previewing) close with `membership-began:`, and the app opens them
 * again at once, now writable. The server closes them rather than leaving it to the app that asked to
 * join, because the person's other devices, and anyone added by someone else or by a mention while
 * previewing, would otherwise stay read-only without knowing it: Hocuspocus cannot change a
 * connection's `readOnly` after it is authorised, and a write it drops is only answered "not synced".
 */
export class EndedMemberships {
  private readonly broadcast: InstanceBroadcast<EndedMembership>;

  constructor(options: {
    redisUrl: string | undefined;
    channel: string;
    log: Logger;
    hocuspocus: LateBound<Hocuspocus>;
    forget: (ended: EndedMembership) => void;
  }) {
    this.broadcast = new InstanceBroadcast<EndedMembership>({
      redisUrl: options.redisUrl,
      channel: options.channel,
      log: options.log,
      parse: (value) => {
        const v = value as Partial<EndedMembership> | null;
        return typeof v?.roomId === "string" && typeof v.userId === "string"
          ? {
              roomId: v.roomId,
              userId: v.userId,
              explanation:
                typeof v.explanation === "string" ? v.explanation : "you are no longer in this room",
              began: v.began === true,
            }
          : null;
      },
      receive: (ended) => {
        options.forget(ended);
        const hocuspocus = options.hocuspocus.peek();
        if (hocuspocus) closeConnections(hocuspocus, ended);
      },
    });
  }

  /** Here and on every instance. */
  ended(roomId: string, userId: string, explanation: string): Promise<void> {
    return this.broadcast.publish({ roomId, userId, explanation });
  }

  /** The person is in the room now: their read-only previews of it close, here and on every instance. */
  began(roomId: string, userId: string): Promise<void> {
    return this.broadcast.publish({ roomId, userId, explanation: "you joined this room", began: true });
  }

  close(): Promise<void> {
    return this.broadcast.close();
  }
}

function closeConnections(
  hocuspocus: Hocuspocus,
  { roomId, userId, explanation, began }: EndedMembership,
): void {
  for (const [name, document] of hocuspocus.documents) {
    const ref = parseDocName(name);
    if ((ref?.kind !== "room" && ref?.kind !== "segment") || ref.roomId !== roomId) continue;
    for (const connection of document.getConnections())
      if ((connection.context as Partial<ConnectionContext>).user?.id !== userId) continue;
      else if (!began)
        connection.close({
          code: CLOSE_CODES.forbidden,
          reason: closeReason("membership-ended", explanation),
        });
      // Only previews: a connection that is writable already (none, for someone who just came in) stays.
      else if (connection.readOnly)
        connection.close({
          code: CLOSE_CODES.forbidden,
          reason: closeReason("membership-began", explanation),
        });
  }
}
