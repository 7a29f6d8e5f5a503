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
}

/**
 * Someone left a room or was taken out of it: on every instance, their open connections to the
 * room's documents (the room and its segments) close at once with `membership-ended:`, and whatever
 * the instance remembers of their access or queued for their index about the room is dropped
 * (`forget`). The rows are gone already, so opening again is refused (or, for a public room, is a
 * new join).
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

  close(): Promise<void> {
    return this.broadcast.close();
  }
}

function closeConnections(hocuspocus: Hocuspocus, { roomId, userId, explanation }: EndedMembership): void {
  for (const [name, document] of hocuspocus.documents) {
    const ref = parseDocName(name);
    if ((ref?.kind !== "room" && ref?.kind !== "segment") || ref.roomId !== roomId) continue;
    for (const connection of document.getConnections())
      if ((connection.context as Partial<ConnectionContext>).user?.id === userId)
        connection.close({
          code: CLOSE_CODES.forbidden,
          reason: closeReason("membership-ended", explanation),
        });
  }
}
