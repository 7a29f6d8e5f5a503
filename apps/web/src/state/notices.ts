import { type Accessor, createSignal, onCleanup } from "solid-js";

/**
 * The in-app notice: one at a time, whatever arrives. A call that comes while one shows takes its
 * place (the newest message is what the person wants to see) and the notice says how many other
 * conversations called meanwhile, so a busy moment is one notice updated, not a stack of them. It
 * goes after a few seconds (counted again from each update, paused while the pointer or the focus is
 * on it), or at once on Escape or its close button.
 */
export interface Notice {
  roomId: string;
  /** "#general", or the other person's username for a direct conversation. */
  title: string;
  /** "alice: the build is red", or "2 new messages" when the text is not on this device yet. */
  preview: string;
  href: string;
}

export interface ShownNotice extends Notice {
  /** How many other conversations called while it showed. */
  others: number;
}

export interface Notices {
  current: Accessor<ShownNotice | null>;
  show(notice: Notice): void;
  dismiss(): void;
  /** While held (hover, focus), the notice stays; released, it goes after the usual time. */
  hold(held: boolean): void;
}

export const NOTICE_MS = 6_000;

export function createNotices(durationMs = NOTICE_MS): Notices {
  const [current, setCurrent] = createSignal<ShownNotice | null>(null);
  const callers = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let held = false;

  const dismiss = () => {
    clearTimeout(timer);
    callers.clear();
    setCurrent(null);
  };
  const countDown = () => {
    clearTimeout(timer);
    if (!held) timer = setTimeout(dismiss, durationMs);
  };
  onCleanup(() => clearTimeout(timer));

  return {
    current,
    show(notice) {
      callers.add(notice.roomId);
      setCurrent({ ...notice, others: callers.size - 1 });
      countDown();
    },
    dismiss,
    hold(next) {
      held = next;
      if (current()) countDown();
    },
  };
}
