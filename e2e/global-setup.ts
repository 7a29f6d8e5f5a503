/**
 * Creates the workspace admin before any spec runs: the first account of a fresh workspace is its
 * admin, and specs that need one (invite-only sign-up) read it from E2E_ADMIN. Against a reused
 * server or a shared database the first account is someone else's; E2E_ADMIN is then left unset and
 * those specs say so.
 */
import { randomBytes } from "node:crypto";
import type { FullConfig } from "@playwright/test";

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) return;
  const username = `admin-${randomBytes(4).toString("hex")}`;
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const response = await fetch(`${baseURL}/api/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { user?: { isAdmin?: boolean } };
  if (response.status === 201 && body.user?.isAdmin)
    process.env.E2E_ADMIN = JSON.stringify({ username, password });
}
