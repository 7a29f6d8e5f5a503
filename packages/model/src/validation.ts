import {
  MAX_MESSAGE_LENGTH,
  MAX_ROOM_NAME_LENGTH,
  MAX_SETTING_KEY_LENGTH,
  MAX_SETTING_VALUE_LENGTH,
} from "./schema.ts";

/** What a person may call themselves: 2–32 of a–z, 0–9, dot, dash, underscore; starting with a letter or digit. */
const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,31}$/;
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;

/** Usernames are case-insensitive: stored and compared in lower case. */
export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Each check returns a sentence a person can act on, or null when the value is fine. */
export function usernameProblem(username: string): string | null {
  if (username.length < 2) return "Username must be at least 2 characters.";
  if (username.length > 32) return "Username must be at most 32 characters.";
  if (!USERNAME_RE.test(username))
    return "Username may use only letters, digits, dots, dashes and underscores, starting with a letter or digit.";
  return null;
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `Password must be at most ${MAX_PASSWORD_LENGTH} characters.`;
  return null;
}

export function normalizeRoomName(raw: string): string {
  return raw.trim().replace(/\s+/g, " ");
}

export function roomNameProblem(name: string): string | null {
  if (name.length === 0) return "Room name cannot be empty.";
  if (name.length > MAX_ROOM_NAME_LENGTH)
    return `Room name must be at most ${MAX_ROOM_NAME_LENGTH} characters.`;
  return null;
}

/** A message's text: empty only when the message carries at least one attachment. */
export function messageTextProblem(text: string, hasAttachments = false): string | null {
  if (text.trim().length === 0 && !hasAttachments) return "A message cannot be empty.";
  if (text.length > MAX_MESSAGE_LENGTH)
    return `A message can be at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")} characters (this one has ${text.length.toLocaleString("en")}).`;
  return null;
}

/**
 * A setting in the user index (`settings` map) is a short key with a plain JSON scalar: a string of
 * at most MAX_SETTING_VALUE_LENGTH characters, a finite number, a boolean or null. Nothing nested,
 * so a setting can never grow into a second document.
 */
export function settingProblem(key: string, value: unknown): string | null {
  if (key.length === 0 || key.length > MAX_SETTING_KEY_LENGTH)
    return `a setting's name is 1–${MAX_SETTING_KEY_LENGTH} characters`;
  if (value === null || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : "a setting's number must be finite";
  if (typeof value === "string")
    return value.length <= MAX_SETTING_VALUE_LENGTH
      ? null
      : `a setting's text is at most ${MAX_SETTING_VALUE_LENGTH} characters`;
  return "a setting is a plain value: text, a number, true/false or null";
}

export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_STATUS_LENGTH = 100;

/**
 * Control characters (line breaks, tabs, NUL, …) and the bidirectional overrides and isolates, which
 * let a name display as something else than it is ("alice" written backwards as another name).
 */
const CONTROL_RE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** A display name or status as stored: without the spaces around it. */
export function normalizeProfileText(raw: string): string {
  return raw.trim();
}

/** Length as a person counts it: an emoji is one character, not two UTF-16 units. */
const characters = (text: string) => [...text].length;

/** 1–64 characters after trimming, no control characters (checks the normalized value). */
export function displayNameProblem(name: string): string | null {
  if (name.length === 0) return "Display name cannot be empty or only spaces.";
  const length = characters(name);
  if (length > MAX_DISPLAY_NAME_LENGTH)
    return `Display name must be at most ${MAX_DISPLAY_NAME_LENGTH} characters (this one has ${length.toLocaleString("en")}).`;
  if (CONTROL_RE.test(name))
    return "Display name cannot contain control characters such as line breaks or tabs.";
  return null;
}

/** 0–100 characters after trimming (empty clears the status), no control characters. */
export function statusProblem(status: string): string | null {
  const length = characters(status);
  if (length > MAX_STATUS_LENGTH)
    return `Status must be at most ${MAX_STATUS_LENGTH} characters (this one has ${length.toLocaleString("en")}).`;
  if (CONTROL_RE.test(status)) return "Status cannot contain control characters such as line breaks or tabs.";
  return null;
}
