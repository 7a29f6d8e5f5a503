import type { User } from "../lib/api";

/**
 * Who was last signed in on this device, so the app can open their workspace from the device before
 * (or without) the server answering. Only the public profile is kept; the session itself stays in its
 * HttpOnly cookie. Forgotten on sign-out.
 */
const KEY = "chat.deviceUser";

export function rememberDeviceUser(user: User): void {
  try {
    localStorage.setItem(
      KEY,
      // isAdmin too: the admin's controls are drawn from it before the server answers (issue 21).
      JSON.stringify({
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        isAdmin: user.isAdmin === true,
      }),
    );
  } catch {
    // Storage full or disabled: the app still works, it just needs the network to start.
  }
}

export function rememberedDeviceUser(): User | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<User>;
    if (typeof value.id !== "string" || typeof value.username !== "string") return null;
    return {
      id: value.id,
      username: value.username,
      displayName: value.displayName ?? value.username,
      isAdmin: value.isAdmin === true,
    };
  } catch {
    return null;
  }
}

export function forgetDeviceUser(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing to forget.
  }
}
