import type { Theme } from "@chat/model";

/**
 * The colour theme on this page: `data-theme` on <html> picks light or dark in the stylesheet (its
 * colours are light-dark() pairs that follow `color-scheme`); without it the system's preference
 * rules. The choice lives in the person's settings (model settings.ts), so it follows them to every
 * device; this device also keeps the last one in localStorage, so the first paint of the next load
 * is already in the right theme, before the person's documents are read.
 */
const STORAGE_KEY = "chat.theme";

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {}
}

/** The theme this device last showed, for the first paint. */
export function rememberedTheme(): Theme {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if (value === "light" || value === "dark") return value;
  } catch {}
  return "system";
}
