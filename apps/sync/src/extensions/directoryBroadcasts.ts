import { DIRECTORY_DOC } from "@chat/model";
import type { afterLoadDocumentPayload, Extension } from "@hocuspocus/server";

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
 */
export class DirectoryBroadcasts implements Extension {
  extensionName = "directory-broadcasts";

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    if (documentName === DIRECTORY_DOC) document.flushDelay = DIRECTORY_FLUSH_MS;
  }
}
