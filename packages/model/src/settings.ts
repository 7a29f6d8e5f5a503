import type * as Y from "yjs";
import { ROOTS } from "./schema.ts";

/**
 * A person's settings, in their own index document (`settings` map; each value checked by the server,
 * validation.ts settingProblem): written on one device, they follow the person to every other.
 */
export type SettingValue = string | number | boolean | null;

const settings = (doc: Y.Doc) => doc.getMap<SettingValue>(ROOTS.user.settings);

export function readSetting(doc: Y.Doc, key: string): SettingValue | undefined {
  return settings(doc).get(key);
}

export function writeSetting(doc: Y.Doc, key: string, value: SettingValue): void {
  if (settings(doc).get(key) === value) return;
  doc.transact(() => settings(doc).set(key, value));
}

export function observeSettings(doc: Y.Doc, callback: () => void): () => void {
  const map = settings(doc);
  map.observe(callback);
  return () => map.unobserve(callback);
}

/** The colour theme: the system's (the default), or one the person chose. */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_SETTING = "theme";

export function themeOf(doc: Y.Doc): Theme {
  const value = readSetting(doc, THEME_SETTING);
  return (THEMES as readonly unknown[]).includes(value) ? (value as Theme) : "system";
}
