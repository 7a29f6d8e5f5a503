import { MAX_CLOCK } from "@chat/model";
import * as Y from "yjs";
import { withoutRunawayClients } from "./salvage.ts";

/** One stored piece of a document: its snapshot, or one row of its update log. */
export interface StoredPart {
  /** "snapshot", or "update <row id>". */
  source: string;
  data: Uint8Array;
}

/** A stored part that could not be applied as it was, and what was done about it. */
export interface Damage {
  source: string;
  problem: string;
  /** The part as it was stored (empty when the damage was found in the applied state). */
  data: Uint8Array;
  /** True when everything of the part but the offending client ids was applied. */
  salvaged: boolean;
}

/**
 * Applies a document's stored parts in order, in one transaction, the way every load and every
 * compaction does. A part that Yjs cannot read (an older server stored a clock past 2^53, or the
 * bytes are damaged) does not take the document down: it is applied without the offending client
 * ids when that can be done (salvage.ts), or skipped, and reported; the rest of the document is
 * served. Checking costs nothing while the parts are sound: only a part that fails is looked into.
 */
export function applyStoredParts(doc: Y.Doc, parts: readonly StoredPart[]): Damage[] {
  const damage: Damage[] = [];
  doc.transact(() => {
    for (const part of parts) {
      try {
        // Yjs reads every struct of an update before it integrates any: a part that fails to
        // decode leaves the document as it was.
        Y.applyUpdate(doc, part.data);
      } catch (error) {
        const salvage = withoutRunawayClients(part.data);
        let salvaged = false;
        if (salvage && salvage.dropped.length > 0)
          try {
            Y.applyUpdate(doc, salvage.update);
            salvaged = true;
          } catch {
            // Damaged beyond the runaway clocks: skipped whole.
          }
        const dropped = salvage?.dropped.length ? ` (client ids ${salvage.dropped.join(", ")} dropped)` : "";
        damage.push({
          source: part.source,
          problem: `${error instanceof Error ? error.message : String(error)}${salvaged ? dropped : ""}`,
          data: part.data,
          salvaged,
        });
      }
    }
  });
  damage.push(...dropRunawayClients(doc));
  return damage;
}

/**
 * A part can decode and still run a clock past the bound (an older server accepted such updates);
 * its state vector would then be unreadable for every client. Those client ids hold no device's
 * work (a device's clock never gets there), so their structs are taken out of the document.
 */
export function dropRunawayClients(doc: Y.Doc): Damage[] {
  const damage: Damage[] = [];
  for (const [client, structs] of doc.store.clients) {
    const last = structs[structs.length - 1];
    if (last && last.id.clock + last.length > MAX_CLOCK) {
      doc.store.clients.delete(client);
      damage.push({
        source: "state",
        problem: `client id ${client} ran its clock past ${MAX_CLOCK}: dropped`,
        data: new Uint8Array(),
        salvaged: true,
      });
    }
  }
  return damage;
}
