import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real disk that fills up: a tmpfs of `bytes` mounted on a temporary folder, so writing past it
 * fails with ENOSPC as a full disk does. Mounting needs root (CI runs as root); elsewhere this is null
 * and the tests that need it are skipped.
 */
export function mountTinyDisk(bytes: number): { dir: string; unmount(): void } | null {
  const dir = mkdtempSync(join(tmpdir(), "chat-tiny-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount() {
      try {
        execFileSync("umount", [dir], { stdio: "ignore" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
