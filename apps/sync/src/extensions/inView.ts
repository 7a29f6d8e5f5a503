import { parseDocName } from "@chat/model";
import type { beforeHandleAwarenessPayload, Extension, onDisconnectPayload } from "@hocuspocus/server";
import type { ConnectionContext } from "../context.ts";
import { type InViewDevices, isInViewState } from "../push/inViewDevices.ts";

/**
 * Reads, on people's own index documents (`user:<id>`), the presence in which each device says
 * whether the app is in view, so pushes skip whoever is looking (push/inViewDevices.ts). Index
 * presence is relayed to nobody (the awareness guard drops it next, model `carriesPresence`): the
 * server only notes it, per socket, and forgets it when the socket's connection to the index closes.
 * Only the index's owner opens it, so whatever a connection says is about its own person's devices.
 */
export class InViewPresence implements Extension {
  // Before the awareness guard (1100), which clears presence nobody is shown.
  priority = 1200;
  extensionName = "in-view-presence";

  private readonly devices: InViewDevices;

  constructor(devices: InViewDevices) {
    this.devices = devices;
  }

  async beforeHandleAwareness({
    documentName,
    states,
    connection,
    context,
  }: beforeHandleAwarenessPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    const ref = parseDocName(documentName);
    if (ref?.kind !== "user" || !connection || user?.id !== ref.userId) return;
    this.devices.set(ref.userId, connection.socketId, [...states.values()].some(isInViewState));
  }

  async onDisconnect({ documentName, socketId }: onDisconnectPayload): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind === "user") this.devices.set(ref.userId, socketId, false);
  }
}
