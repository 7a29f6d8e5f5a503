import { DIRECTORY_DOC, DIRECTORY_PRESENCE_PACE, paceAwareness } from "@chat/model";
import type { afterLoadDocumentPayload, Extension } from "@hocuspocus/server";
import { removeAwarenessStates } from "y-protocols/awareness";

/**
 * How long the directory gathers what it sends before sending it (see DirectoryBroadcasts).
 */
export const DIRECTORY_FLUSH_MS = 1_000;

/**
 * Every signed-in device has the directory open, and shows who is online from its presence, which
 * each device renews every 15 s (y-protocols). Relayed one by one, each renewal went to every device:
 * with N devices, N²/15 frames a second (2,000 devices: 266,000 a second), more than all the
 * messages of a busy company. Hocuspocus sends a document's updates and presence in windows
 * (`Document.flushDelay`; 0 is one turn of the event loop): for the directory the window is
 * DIRECTORY_FLUSH_MS, so the renewals of a second go out as one frame per device, holding every
 * state that changed. Someone coming online or a new room shows up to a second later.
 *
 * Batched, the renewals were still N² states in all (with 2,000 devices a 16 KB frame to each every
 * second), so the app renews its directory presence only every few minutes (DIRECTORY_PRESENCE_PACE)
 * and the server keeps a state that long before it counts it gone; a closed connection's states go
 * at once, as before.
 */
export class DirectoryBroadcasts implements Extension {
  extensionName = "directory-broadcasts";

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    if (documentName !== DIRECTORY_DOC) return;
    document.flushDelay = DIRECTORY_FLUSH_MS;
    paceAwareness(document.awareness, DIRECTORY_PRESENCE_PACE, removeAwarenessStates);
  }
}
