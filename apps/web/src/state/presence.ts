import { type Accessor, createSignal, onCleanup } from "solid-js";
import type { DocHandle } from "../sync/docs";

/**
 * Presence through Yjs awareness (the server stamps each state with its sender, see
 * apps/sync/src/extensions/presence.ts). Online: everyone with the `directory` open, which every
 * signed-in tab has. Typing: a `typing` flag on the room's newest segment.
 */
type Awareness = NonNullable<DocHandle["awareness"]>;

interface PresenceState {
  user?: { id: string; username: string };
  typing?: boolean;
}

function others(awareness: Awareness): PresenceState[] {
  const states: PresenceState[] = [];
  for (const [clientId, state] of awareness.getStates())
    if (clientId !== awareness.clientID) states.push(state as PresenceState);
  return states;
}

/** A signal of what `read` makes of the awareness states, re-read on every change. Call in a reactive scope. */
export function awarenessSignal<T>(
  awareness: Awareness | null,
  read: (states: PresenceState[]) => T,
  fallback: T,
): Accessor<T> {
  const [value, setValue] = createSignal<T>(awareness ? read(others(awareness)) : fallback, {
    equals: false,
  });
  if (!awareness) return value;
  const changed = () => setValue(() => read(others(awareness)));
  awareness.on("change", changed);
  onCleanup(() => awareness.off("change", changed));
  return value;
}

/** Ids of people online: anyone else with the directory open (and oneself). */
export function onlineIds(
  directory: DocHandle,
  me: { id: string; username: string },
): Accessor<ReadonlySet<string>> {
  directory.awareness?.setLocalStateField("user", { id: me.id, username: me.username });
  const ids = awarenessSignal(
    directory.awareness,
    (states) => new Set(states.flatMap((s) => (s.user ? [s.user.id] : []))),
    new Set<string>(),
  );
  return () => new Set([...ids(), me.id]);
}

/** Usernames of the others typing in a segment, in a stable order. */
export function typingNames(segment: DocHandle | null, myId: string): Accessor<string[]> {
  return awarenessSignal(
    segment?.awareness ?? null,
    (states) =>
      [
        ...new Set(
          states.filter((s) => s.typing && s.user && s.user.id !== myId).map((s) => s.user!.username),
        ),
      ].sort(),
    [],
  );
}

/** How long after the last keystroke someone stops "typing". */
export const TYPING_IDLE_MS = 3_000;

/**
 * Tells the others in a segment that I am typing: `typed()` on each keystroke, `stopped()` on send.
 * The flag clears by itself after TYPING_IDLE_MS without a keystroke.
 */
export function typingReporter(segment: Accessor<DocHandle | null>, me: { id: string; username: string }) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let typingOn: DocHandle | null = null;
  const set = (handle: DocHandle | null, typing: boolean) => {
    const awareness = handle?.awareness;
    if (!awareness) return;
    // One state change, so one presence message (each field set on its own would send one each).
    awareness.setLocalState({
      ...awareness.getLocalState(),
      user: { id: me.id, username: me.username },
      typing,
    });
  };
  const stopped = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (typingOn) set(typingOn, false);
    typingOn = null;
  };
  const typed = () => {
    const handle = segment();
    if (typingOn !== handle) stopped();
    if (!typingOn) set(handle, true);
    typingOn = handle;
    if (timer) clearTimeout(timer);
    timer = setTimeout(stopped, TYPING_IDLE_MS);
  };
  onCleanup(stopped);
  return { typed, stopped };
}

/** "bob is typing…", "bob and carol are typing…", "Several people are typing…", or "" for nobody. */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

/**
 * Tells the server whether the app is in view on this device (`inView` in the presence on the
 * person's own index, which the server reads and relays to nobody): while it is, on any of their
 * devices, the server sends them no push (apps/sync/src/push/inViewDevices.ts). Call in a reactive scope.
 */
export function reportInView(userIndex: DocHandle): void {
  const awareness = userIndex.awareness;
  if (!awareness) return;
  const report = () => awareness.setLocalStateField("inView", document.visibilityState === "visible");
  report();
  document.addEventListener("visibilitychange", report);
  onCleanup(() => document.removeEventListener("visibilitychange", report));
}
