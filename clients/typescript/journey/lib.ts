/**
 * What every typed journey uses: a client whose every response is validated against the served
 * OpenAPI schema (openapi.json beside package.json), sessions, a step runner, and the final report
 * (mismatches and operation coverage; the run fails on either).
 *
 * The validator is strict on purpose: a status the operation does not document, a content type it
 * does not document, or a JSON body that does not match the documented schema (extra properties
 * included) is a mismatch. Mismatches are recorded, not thrown, so one run lists all of them.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import createClient, { type Client, type Middleware } from "openapi-fetch";

import { createLmsClient, memoryTokens, type TokenStore } from "../src/index.js";
import type { components, paths } from "../src/schema.js";

export type Schemas = components["schemas"];
export type { paths };

export const BASE_URL = (process.env.LMS_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
export const PASSWORD = "journey-Pass-2718";

// ---------------------------------------------------------------------------------------------
// The schema, prepared for ajv

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SCHEMA_FILE = new URL("../../openapi.json", import.meta.url);
const parsedDocument: Json = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
if (!isObject(parsedDocument)) throw new Error(`${SCHEMA_FILE.pathname}: not an OpenAPI document`);
const documentRoot: JsonObject = parsedDocument;
const componentSchemas = objectAt(objectAt(documentRoot, "components"), "schemas");

function objectAt(node: JsonObject, key: string): JsonObject {
  const value = node[key];
  return isObject(value) ? value : {};
}

const COMPONENT_REF = "#/components/schemas/";
const AJV_ID = "lms";

function component(ref: string): JsonObject {
  const found = componentSchemas[ref.slice(COMPONENT_REF.length)];
  if (!ref.startsWith(COMPONENT_REF) || !isObject(found)) throw new Error(`openapi.json: unresolvable $ref ${ref}`);
  return found;
}

function isObjectSchema(schema: JsonObject): boolean {
  return schema.type === "object" || isObject(schema.properties);
}

/** A `$ref`, or an allOf of objects, as one plain object schema (null when it is not one). */
function flatObject(schema: JsonObject, seen: Set<string> = new Set()): JsonObject | null {
  if (typeof schema.$ref === "string") {
    if (seen.has(schema.$ref)) return null;
    return flatObject(component(schema.$ref), new Set([...seen, schema.$ref]));
  }
  if (Array.isArray(schema.allOf)) {
    const properties: JsonObject = {};
    const required = new Set<string>();
    let additional: Json | undefined;
    for (const member of schema.allOf) {
      const flat = isObject(member) ? flatObject(member, seen) : null;
      if (!flat) return null;
      Object.assign(properties, objectAt(flat, "properties"));
      for (const name of Array.isArray(flat.required) ? flat.required : []) {
        if (typeof name === "string") required.add(name);
      }
      if (flat.additionalProperties !== undefined && flat.additionalProperties !== false) {
        additional = flat.additionalProperties;
      }
    }
    const { allOf: _members, ...rest } = schema;
    const merged: JsonObject = { ...rest, type: "object", properties, required: [...required] };
    if (additional !== undefined) merged.additionalProperties = additional;
    return merged;
  }
  return isObjectSchema(schema) ? schema : null;
}

function withoutRef(schema: JsonObject): JsonObject {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/**
 * The strict form of a schema: object schemas that do not declare additionalProperties forbid
 * extra ones (an allOf of objects is merged first, so its members' properties are all allowed),
 * OpenAPI 3.0 `nullable` becomes "or null", discriminator mappings are dropped (ajv derives them
 * from the oneOf), enum components are inlined (ajv's discriminator reads the tag's enum in each
 * branch), and other component $refs point into the schema registered with ajv.
 */
function strict(node: Json): Json {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObject(node)) return node;
  let schema: JsonObject = node;
  // Enums are inlined: ajv's discriminator needs the tag's `enum` in the branch itself.
  if (typeof schema.$ref === "string" && schema.$ref.startsWith(COMPONENT_REF)) {
    const target = component(schema.$ref);
    if (Array.isArray(target.enum)) schema = { ...target, ...withoutRef(schema) };
  }
  if (Array.isArray(schema.allOf)) schema = flatObject(schema) ?? schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") {
      out.$ref = value.startsWith(COMPONENT_REF) ? `${AJV_ID}#/definitions/${value.slice(COMPONENT_REF.length)}` : value;
    } else if (key === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strict(sub)]));
    } else if (["items", "additionalProperties", "not"].includes(key) && isObject(value)) {
      out[key] = strict(value);
    } else if (["allOf", "oneOf", "anyOf"].includes(key) && Array.isArray(value)) {
      out[key] = value.map(strict);
    } else if (key === "discriminator" && isObject(value)) {
      out.discriminator = { propertyName: value.propertyName ?? null };
    } else if (key !== "nullable" && key !== "example" && key !== "examples") {
      out[key] = value;
    }
  }
  if (isObjectSchema(out) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable === true) return { anyOf: [{ type: "null" }, out] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true, validateFormats: true });
formats.default(ajv);
ajv.addFormat("decimal", /^-?\d+(\.\d+)?$/);
ajv.addSchema({
  $id: AJV_ID,
  definitions: Object.fromEntries(Object.entries(componentSchemas).map(([name, sub]) => [name, strict(sub)])),
});

type Documented = { statuses: string[]; content: (status: string) => JsonObject | null };

/** The documented responses of METHOD on a path template, or null for no such operation. */
function operationOf(method: string, template: string): JsonObject | null {
  const operation = objectAt(objectAt(documentRoot, "paths"), template)[method.toLowerCase()];
  return isObject(operation) ? objectAt(operation, "responses") : null;
}

/** Every operation in the schema, as "METHOD /path/{template}". */
export function allOperations(): string[] {
  const found: string[] = [];
  for (const [template, item] of Object.entries(objectAt(documentRoot, "paths"))) {
    if (!isObject(item)) continue;
    for (const method of ["get", "put", "post", "delete", "patch", "head", "options", "trace"]) {
      if (isObject(item[method])) found.push(`${method.toUpperCase()} ${template}`);
    }
  }
  return found;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: Json): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    const prepared = strict(schema);
    validate = ajv.compile(isObject(prepared) ? prepared : {});
    validators.set(key, validate);
  }
  return validate;
}

// ---------------------------------------------------------------------------------------------
// Recording: mismatches and coverage

export type Mismatch = { call: string; url: string; status: number; problem: string; body: string };

export const mismatches: Mismatch[] = [];
export const covered = new Set<string>();

/**
 * Operations no front end calls, so no journey does (each with the reason). Everything else in
 * openapi.json must be called by some journey, or the run fails.
 */
export const COVERAGE_EXEMPT: Record<string, string> = {
  "GET /health/": "for load balancers and operators: is the process up",
  "GET /ready/": "for load balancers and operators: are the database, cache and broker reachable",
};

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => {
      const extra = e.keyword === "additionalProperties" ? ` (${String(e.params.additionalProperty)})` : "";
      return `${e.instancePath || "(body)"} ${e.message ?? e.keyword}${extra}`;
    })
    .join("; ");
}

function mediaType(response: Response): string {
  return (response.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

type CallInfo = { call: string; url: string };
const calls = new WeakMap<Response, CallInfo>();

/**
 * Checks one response of METHOD on a path template against openapi.json: records (in `mismatches`)
 * and returns the mismatch, if any. The middleware below runs it on every response of a journey;
 * selftest.ts runs it on synthetic ones.
 */
export async function validate(
  method: string,
  template: string,
  request: Request,
  response: Response,
): Promise<Mismatch | undefined> {
  const call = `${method} ${template}`;
  const url = request.url.replace(BASE_URL, "");
  calls.set(response, { call, url });
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  const type = mediaType(response);
  const textual = type === "" || type.startsWith("text/") || type.endsWith("json");
  const text = textual ? new TextDecoder().decode(bytes) : `<${bytes.length} bytes of ${type}>`;
  const flag = (problem: string): Mismatch => {
    const mismatch = { call, url, status: response.status, problem, body: text.slice(0, 400) };
    mismatches.push(mismatch);
    return mismatch;
  };

  const responses = operationOf(method, template);
  if (!responses) return flag("operation not in openapi.json");
  const status = String(response.status);
  const documented = responses[status] ?? responses.default;
  if (!isObject(documented)) return flag(`undocumented status (documented: ${Object.keys(responses).join(", ")})`);
  const content = objectAt(documented, "content");
  const types = Object.keys(content);
  if (bytes.length === 0) {
    return types.length ? flag(`empty body, documented ${types.join(", ")}`) : undefined;
  }
  if (!types.length) return flag(`undocumented body (${type || "no content type"})`);
  const media = types.find((t) => t === type) ?? types.find((t) => t === "*/*");
  if (!media) return flag(`content type ${type || "(none)"} not documented (documented: ${types.join(", ")})`);
  if (!media.endsWith("json")) return; // text/csv, application/pdf: the type is the contract
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    return flag("body is not JSON");
  }
  const schema = objectAt(content, media).schema;
  if (schema === undefined) return;
  const check = validatorFor(`${call} ${status} ${media}`, schema);
  return check(body) ? undefined : flag(`body does not match the schema: ${describeErrors(check.errors)}`);
}

const validator: Middleware = {
  onRequest({ request, schemaPath }) {
    covered.add(`${request.method} ${schemaPath}`);
    return undefined;
  },
  async onResponse({ request, response, schemaPath }) {
    const mismatch = await validate(request.method, schemaPath, request, response);
    if (mismatch) console.log(`    MISMATCH ${mismatch.call} -> ${mismatch.status}: ${mismatch.problem}\n      ${mismatch.body}`);
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Clients and sessions

export type Session = { access: string; refresh: string; user: Schemas["User"] };

/**
 * A client typed with `paths` that sends the session's access token (if any) and validates every
 * response. It never refreshes on its own: journeys assert exact statuses. (`productClient` below
 * is the refreshing client of src/index.ts, validated the same way.)
 */
export function api(session?: Pick<Session, "access">): Client<paths> {
  const client = createClient<paths>({ baseUrl: BASE_URL });
  if (session) {
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${session.access}`);
        return request;
      },
    });
  }
  client.use(validator);
  return client;
}

/** The product client (src/index.ts, with refresh-on-401), its responses validated too. */
export function productClient(tokens: TokenStore = memoryTokens()): Client<paths> {
  const client = createLmsClient({ baseUrl: BASE_URL, tokens });
  client.use(validator); // registered last, so it sees each response before the refresh logic does
  return client;
}

let counter = 0;

/** A fresh address each call: runs never collide, on a fresh database or a used one. */
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${randomUUID().slice(0, 6)}@journey.example.com`;
}

export async function register(role: "student" | "instructor"): Promise<Session> {
  const email = uniqueEmail(role);
  const names = { email, password: PASSWORD, first_name: "Ada", last_name: role === "student" ? "Student" : "Teacher" };
  const result =
    role === "student"
      ? await api().POST("/api/v1/auth/register/", { body: names })
      : await api().POST("/api/v1/auth/instructors/register/", { body: { ...names, headline: "Teaches journeys" } });
  expectStatus(result, 201, `register a ${role}`);
  return { access: result.data.access, refresh: result.data.refresh, user: result.data.user };
}

export async function login(email: string, password: string): Promise<Session> {
  const result = await api().POST("/api/v1/auth/login/", { body: { email, password } });
  expectStatus(result, 200, `log in as ${email}`);
  return { access: result.data.access, refresh: result.data.refresh, user: result.data.user };
}

/** The admin account the stack was started with (LMS_ADMIN_EMAIL, LMS_ADMIN_PASSWORD). */
export async function adminSession(): Promise<Session> {
  const email = process.env.LMS_ADMIN_EMAIL;
  const password = process.env.LMS_ADMIN_PASSWORD;
  if (!email || !password) throw new Error("set LMS_ADMIN_EMAIL and LMS_ADMIN_PASSWORD to an admin of the server");
  return login(email, password);
}

// ---------------------------------------------------------------------------------------------
// Assertions

type Result = { response: Response; data?: unknown; error?: unknown };
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;
/** The branch of an openapi-fetch result that a status selects: `data` for 2xx, `error` otherwise. */
export type Narrowed<R, S extends number> = S extends SuccessStatus
  ? Extract<R, { error?: never }>
  : Extract<R, { data?: never }>;

export class JourneyError extends Error {}

/** Throws (with method, path, status and body) unless the response has this status; narrows the result. */
export function expectStatus<R extends Result, S extends number>(
  result: R,
  status: S,
  what: string,
): asserts result is Narrowed<R, S> {
  if (result.response.status === status) return;
  const info = calls.get(result.response);
  const body = JSON.stringify(result.error ?? result.data ?? null);
  throw new JourneyError(
    `${what}: expected HTTP ${status}, got ${result.response.status} on ${info?.call ?? result.response.url} ` +
      `(${info?.url ?? ""}): ${body.slice(0, 600)}`,
  );
}

/** Throws unless the condition holds (for checks on response data). */
export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new JourneyError(`check failed: ${what}`);
}

/** The first element, or a failure naming what was expected (lists are never indexed blindly). */
export function first<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new JourneyError(`expected at least one ${what}, got none`);
  return item;
}

/** The element matching `test`, or a failure naming what was expected. */
export function find<T>(items: readonly T[], test: (item: T) => boolean, what: string): T {
  const item = items.find(test);
  if (item === undefined) throw new JourneyError(`expected ${what}, not found among ${items.length}`);
  return item;
}

/** Polls `attempt` until it returns a value (not undefined), or fails after `seconds`. */
export async function waitFor<T>(what: string, seconds: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new JourneyError(`timed out after ${seconds}s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

// ---------------------------------------------------------------------------------------------
// Steps and the report

let passed = 0;

/** Runs one named step, printing it with its time; a failing step stops the journey. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const value = await fn();
    passed += 1;
    console.log(`  ok   ${name} (${Math.round(performance.now() - started)} ms)`);
    return value;
  } catch (error) {
    console.log(`  FAIL ${name} (${Math.round(performance.now() - started)} ms)`);
    throw error;
  }
}

/** Prints mismatches and coverage; true when the run is clean (no mismatch, nothing uncovered). */
export function report(failure: unknown): boolean {
  const operations = allOperations();
  const exempt = operations.filter((op) => op in COVERAGE_EXEMPT);
  const uncovered = operations.filter((op) => !covered.has(op) && !(op in COVERAGE_EXEMPT));
  const staleExemptions = Object.keys(COVERAGE_EXEMPT).filter((op) => !operations.includes(op));
  console.log(`\n== schema mismatches: ${mismatches.length}`);
  for (const m of mismatches) console.log(`  ${m.call} -> ${m.status} (${m.url}): ${m.problem}\n    ${m.body}`);
  console.log(
    `== coverage: ${operations.length - uncovered.length - exempt.length} of ${operations.length} operations called, ` +
      `${exempt.length} exempt, ${uncovered.length} uncovered`,
  );
  for (const op of uncovered) console.log(`  uncovered: ${op}`);
  for (const op of staleExemptions) console.log(`  exemption for an operation not in the schema: ${op}`);
  if (failure) console.log(`== the journey stopped: ${failure instanceof Error ? failure.message : String(failure)}`);
  const ok = !failure && mismatches.length === 0 && uncovered.length === 0 && staleExemptions.length === 0;
  console.log(`journey: ${passed} passed, ${ok ? 0 : 1} failed`);
  return ok;
}

// ---------------------------------------------------------------------------------------------
// The Stripe emulator: what Stripe.js and Stripe do around a checkout

export function stripeConfigured(): boolean {
  return Boolean(process.env.LMS_STRIPE_API_BASE && process.env.LMS_STRIPE_WEBHOOK_SECRET);
}

async function stripeCall(path: string, form: Record<string, string>): Promise<JsonObject> {
  const base = process.env.LMS_STRIPE_API_BASE ?? "";
  const answer = await fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${process.env.LMS_STRIPE_SECRET_KEY ?? "sk_test_local"}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form).toString(),
  });
  const body: Json = JSON.parse(await answer.text());
  if (!answer.ok || !isObject(body)) throw new JourneyError(`Stripe emulator ${path}: ${answer.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Pays a PaymentIntent with a test card at the emulator (LMS_STRIPE_API_BASE, LMS_STRIPE_SECRET_KEY),
 * and returns the signed `payment_intent.succeeded` webhook that Stripe would then send, ready to POST
 * to /api/v1/payments/stripe/webhook/ (signed with LMS_STRIPE_WEBHOOK_SECRET).
 */
export async function payIntent(intentId: string): Promise<{ payload: string; signature: string }> {
  const method = await stripeCall("/v1/payment_methods", {
    type: "card",
    "card[number]": "4242424242424242",
    "card[exp_month]": "12",
    "card[exp_year]": "2034",
    "card[cvc]": "123",
  });
  await stripeCall(`/v1/payment_intents/${intentId}`, { payment_method: String(method.id) });
  const intent = await stripeCall(`/v1/payment_intents/${intentId}/confirm`, {});
  if (intent.status !== "succeeded") throw new JourneyError(`Stripe emulator: intent ${intentId} is ${String(intent.status)}`);
  const event = {
    id: `evt_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
    object: "event",
    api_version: "2024-06-20",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: "payment_intent.succeeded",
    data: { object: intent },
  };
  const payload = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const secret = process.env.LMS_STRIPE_WEBHOOK_SECRET ?? "";
  const digest = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return { payload, signature: `t=${timestamp},v1=${digest}` };
}

// ---------------------------------------------------------------------------------------------
// What the journeys hand each other (main.ts runs: instructor -> student -> admin)

export type QuizAnswer = { question: number; choice_ids?: number[]; text?: string; number?: string };

export type JourneyContext = {
  /** Owner of both courses (made by the instructor journey). */
  instructor: Session;
  freeCourse: {
    /** Published, price "0.00". */
    id: number;
    /** Every lesson, in order: completing all and passing the quiz completes the course. */
    lessonIds: number[];
    /** The course's only quiz: passing_score 60, max_attempts 3, correct answers shown after submit. */
    quizId: number;
    /** All-correct answers, one per question. */
    answers: QuizAnswer[];
    /**
     * An assignment of the course's first section: text or PDF files, no attempt limit (resubmit
     * until graded), due in a week, 100 points by a two-criterion rubric, not required.
     */
    assignment: { id: number; sectionId: number; points: number; criteria: { id: number; points: number }[] };
  };
  /** Published, paid (e.g. "49.00" USD), with a coupon code. */
  paidCourse: { id: number; price: string; currency: string; couponCode: string };
};

// ---------------------------------------------------------------------------------------------
// Error bodies

/** Fails unless a 400 body names exactly these fields (DRF field errors, dotted for nested ones). */
export function expectFieldErrors(body: unknown, fields: string[], what: string): void {
  const keys = typeof body === "object" && body !== null ? Object.keys(body).sort() : [];
  const wanted = [...fields].sort();
  if (keys.join(",") !== wanted.join(","))
    throw new JourneyError(`${what}: expected field errors [${wanted.join(", ")}], got ${JSON.stringify(body)}`);
}

/** Fails unless an error body carries this code. */
export function expectCode(body: unknown, code: string, what: string): void {
  const actual = typeof body === "object" && body !== null && "code" in body ? body.code : undefined;
  if (actual !== code) throw new JourneyError(`${what}: expected code ${code}, got ${JSON.stringify(body)}`);
}

/** Fails unless an error body names this field (a rule of the domain: `{detail, code, field}`). */
export function expectErrorField(body: unknown, field: string, what: string): void {
  const actual = typeof body === "object" && body !== null && "field" in body ? body.field : undefined;
  if (actual !== field) throw new JourneyError(`${what}: expected an error about ${field}, got ${JSON.stringify(body)}`);
}

/** A name no other run has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
