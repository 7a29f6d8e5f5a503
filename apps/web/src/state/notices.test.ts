import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createNotices } from "./notices";

const notice = (roomId: string, preview: string) => ({
  roomId,
  title: `#${roomId}`,
  preview,
  href: `/r/${roomId}`,
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the in-app notice", () => {
  it("shows one notice at a time: the newest, counting the other conversations that called", () => {
    vi.useFakeTimers();
    createRoot((dispose) => {
      const notices = createNotices(1_000);
      notices.show(notice("a", "first"));
      expect(notices.current()).toMatchObject({ roomId: "a", preview: "first", others: 0 });
      notices.show(notice("a", "second"));
      expect(notices.current()).toMatchObject({ roomId: "a", preview: "second", others: 0 });
      notices.show(notice("b", "elsewhere"));
      notices.show(notice("c", "and here"));
      notices.show(notice("b", "again"));
      expect(notices.current()).toMatchObject({ roomId: "b", preview: "again", others: 2 });
      dispose();
    });
  });

  it("goes after its time, counted again from each update, and not while held", () => {
    vi.useFakeTimers();
    createRoot((dispose) => {
      const notices = createNotices(1_000);
      notices.show(notice("a", "first"));
      vi.advanceTimersByTime(800);
      notices.show(notice("a", "second"));
      vi.advanceTimersByTime(800);
      expect(notices.current()?.preview).toBe("second");
      notices.hold(true);
      vi.advanceTimersByTime(5_000);
      expect(notices.current()?.preview).toBe("second");
      notices.hold(false);
      vi.advanceTimersByTime(999);
      expect(notices.current()).not.toBeNull();
      vi.advanceTimersByTime(1);
      expect(notices.current()).toBeNull();
      // A fresh start: the conversations that called before are forgotten.
      notices.show(notice("b", "new"));
      expect(notices.current()?.others).toBe(0);
      notices.dismiss();
      expect(notices.current()).toBeNull();
      dispose();
    });
  });
});
