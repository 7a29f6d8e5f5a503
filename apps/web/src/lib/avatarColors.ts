/**
 * Avatar colours (issue 22: two people got the same colour). A person's colour comes from their id,
 * not their name (a rename keeps it), and the assignment avoids taken colours: everyone in the
 * directory, in the order they signed up, takes the colour their id hashes to or the next free one,
 * so the first PALETTE.length people all differ and nobody's colour changes when someone new
 * arrives. With more people than colours, a room's members are assigned again among themselves
 * (keeping their workspace colour when it is free in the room), so people who meet in a room differ
 * where the palette allows.
 */

/**
 * 24 colours dark enough for white initials: 24 hues 15° apart, visited 7 steps at a time (7 is prime
 * to 24) so that neighbouring slots (where a taken colour's next free one lies) are far apart in hue,
 * at two lightnesses alternately.
 */
export const PALETTE: readonly string[] = Array.from({ length: 24 }, (_, i) => {
  const hue = (i * 7 * 15) % 360;
  return `hsl(${hue} ${i % 2 ? 50 : 62}% ${i % 2 ? 30 : 37}%)`;
});

/** FNV-1a: a stable, well-spread number from an id. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

interface Person {
  id: string;
  createdAt: number;
}

/**
 * Slots of `people` (taken in order of sign-up, then id): each takes `preferred(person)` or the next
 * free slot; once every slot is taken a new round starts, so past `size` people colours repeat as
 * evenly as they can.
 */
export function assignSlots(
  people: readonly Person[],
  preferred: (person: Person) => number,
  size = PALETTE.length,
): Map<string, number> {
  const ordered = [...people].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const slots = new Map<string, number>();
  let taken = new Set<number>();
  for (const person of ordered) {
    if (taken.size === size) taken = new Set();
    let slot = preferred(person) % size;
    while (taken.has(slot)) slot = (slot + 1) % size;
    taken.add(slot);
    slots.set(person.id, slot);
  }
  return slots;
}

/** Everyone's workspace colour slot. */
export const workspaceSlots = (people: readonly Person[]) =>
  assignSlots(people, (person) => hashId(person.id));

/** Colour slots for the people of one room: their workspace ones, moved only where two would clash. */
export function roomSlots(
  members: readonly Person[],
  workspace: ReadonlyMap<string, number>,
): Map<string, number> {
  return assignSlots(members, (person) => workspace.get(person.id) ?? hashId(person.id));
}

/** The colour of a slot; someone not in the directory (yet) gets the colour their id hashes to. */
export function colorOf(slots: ReadonlyMap<string, number>, id: string): string {
  return PALETTE[(slots.get(id) ?? hashId(id)) % PALETTE.length]!;
}
