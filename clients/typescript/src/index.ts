/**
 * The LMS API client for TypeScript front ends: openapi-fetch typed by the generated `schema.d.ts`,
 * with the Bearer token sent on every request and one refresh-and-retry on a 401.
 *
 *   const tokens = memoryTokens();
 *   const lms = createLmsClient({ baseUrl: "https://lms.example.com", tokens });
 *   const login = await lms.POST("/api/v1/auth/login/", { body: { email, password } });
 *   if (login.data) tokens.save(login.data);
 *   const me = await lms.GET("/api/v1/me/");          // me.data or me.error, both typed
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type TokenPair = { access: string; refresh: string };

/** Where the client keeps the JWT pair: memory, localStorage, a cookie bridge: any of them. */
export interface TokenStore {
  get(): TokenPair | null;
  save(tokens: TokenPair): void;
  /** Called when the refresh token is refused: the user must sign in again. */
  clear(): void;
}

export function memoryTokens(initial: TokenPair | null = null): TokenStore {
  let current = initial;
  return {
    get: () => current,
    save: (tokens) => {
      current = { access: tokens.access, refresh: tokens.refresh };
    },
    clear: () => {
      current = null;
    },
  };
}

export type LmsClientOptions = {
  /** The API's origin, e.g. https://lms.example.com (paths carry /api/v1/). */
  baseUrl: string;
  tokens: TokenStore;
  fetch?: typeof globalThis.fetch;
};

const REFRESH_PATH = "/api/v1/auth/token/refresh/";
// Sign-in and refresh answer 401 for bad credentials: retrying them with a refreshed token makes no sense.
const NO_RETRY = new Set(["/api/v1/auth/login/", REFRESH_PATH]);

export function createLmsClient(options: LmsClientOptions): Client<paths> {
  const { baseUrl, tokens } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const client = createClient<paths>({ baseUrl, fetch: doFetch });
  const pending = new Map<string, Request>(); // request id -> a copy to send again after a refresh
  let refreshing: Promise<boolean> | null = null; // one refresh at a time, shared by concurrent 401s

  // The refresh token rotates: the answer carries a new pair and the old refresh token is now refused.
  async function refresh(): Promise<boolean> {
    const current = tokens.get();
    if (!current) return false;
    const answer = await doFetch(new URL(REFRESH_PATH, baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ refresh: current.refresh }),
    });
    if (!answer.ok) {
      tokens.clear();
      return false;
    }
    const pair: unknown = await answer.json();
    if (!isTokenPair(pair)) {
      tokens.clear();
      return false;
    }
    tokens.save(pair);
    return true;
  }

  const auth: Middleware = {
    onRequest({ request, schemaPath, id }) {
      const access = tokens.get()?.access;
      if (access) request.headers.set("Authorization", `Bearer ${access}`);
      if (!NO_RETRY.has(schemaPath)) pending.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const retry = pending.get(id);
      pending.delete(id);
      if (response.status !== 401 || !retry || !tokens.get()) return response;
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      if (!(await refreshing)) return response;
      const access = tokens.get()?.access;
      if (access) retry.headers.set("Authorization", `Bearer ${access}`);
      return doFetch(retry);
    },
    onError({ id }) {
      pending.delete(id);
    },
  };
  client.use(auth);
  return client;
}

function isTokenPair(value: unknown): value is TokenPair {
  return (
    typeof value === "object" &&
    value !== null &&
    "access" in value &&
    typeof value.access === "string" &&
    "refresh" in value &&
    typeof value.refresh === "string"
  );
}
