/**
 * The response validator's self-test, no server needed: it hands lib.ts's `validate` synthetic
 * responses of real operations of openapi.json, and fails (exit 1, naming the case) unless each
 * mismatch the validator claims to catch is flagged, for the reason expected, and each correct
 * response passes. Correct bodies are the schema's own documented examples, each of which must
 * pass too; a wrong body is such an example with one thing changed.
 *
 *   npm run build && npm run selftest
 */
import { readFileSync } from "node:fs";

import { BASE_URL, validate } from "./lib.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(node: Json | undefined, key: string): JsonObject {
  const value = isObject(node) ? node[key] : undefined;
  return isObject(value) ? value : {};
}

const documentRoot: Json = JSON.parse(readFileSync(new URL("../../openapi.json", import.meta.url), "utf8"));
const paths = objectAt(documentRoot, "paths");

// ---------------------------------------------------------------------------------------------
// Synthetic responses, checked

type Body = Json | Uint8Array | string;

const failures: string[] = [];
let count = 0;

/** What the validator makes of this response to `operation` ("METHOD /path/{template}"), if anything. */
async function mismatchOf(operation: string, status: number, type: string, body: Body): Promise<string | undefined> {
  const [method = "", template = ""] = operation.split(" ");
  const url = `${BASE_URL}${template.replace(/\{[^}]+\}/g, "7")}`;
  const payload = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = new Response(payload, { status, headers: { "Content-Type": type } });
  const mismatch = await validate(method, template, new Request(url, { method }), response);
  return mismatch?.problem;
}

/** The validator must pass this response. */
async function passes(name: string, operation: string, status: number, type: string, body: Body): Promise<void> {
  count += 1;
  const problem = await mismatchOf(operation, status, type, body);
  if (problem === undefined) {
    console.log(`  ok   passes: ${name}`);
  } else {
    console.log(`  FAIL passes: ${name}\n         but flagged: ${problem}`);
    failures.push(`a correct response flagged: ${name} (${problem})`);
  }
}

/** The validator must flag this response, with a problem that says `reason`. */
async function flagged(
  name: string,
  operation: string,
  status: number,
  type: string,
  body: Body,
  reason: string,
): Promise<void> {
  count += 1;
  const problem = await mismatchOf(operation, status, type, body);
  if (problem?.includes(reason)) {
    console.log(`  ok   flagged: ${name}\n         ${problem}`);
  } else {
    const got = problem === undefined ? "it passed" : `flagged for another reason: ${problem}`;
    console.log(`  FAIL flagged: ${name}\n         expected a mismatch saying "${reason}", ${got}`);
    failures.push(`a mismatch not flagged: ${name} (${got})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The documented examples: correct bodies

/** The documented JSON examples of a response: [name, value] pairs. */
function examplesOf(template: string, method: string, status: string): [string, Json][] {
  const responses = objectAt(objectAt(paths, template), method.toLowerCase()).responses;
  const content = objectAt(objectAt(responses, status), "content");
  const found: [string, Json][] = [];
  for (const [type, media] of Object.entries(content)) {
    if (!type.endsWith("json")) continue;
    for (const [name, entry] of Object.entries(objectAt(media, "examples"))) {
      if (isObject(entry) && entry.value !== undefined) found.push([name, entry.value]);
    }
  }
  return found;
}

/** The first documented example of a response to `operation`, which must be an object. */
function example(operation: string, status: number): JsonObject {
  const [method = "", template = ""] = operation.split(" ");
  const value = examplesOf(template, method, String(status))[0]?.[1];
  if (!isObject(value)) throw new Error(`openapi.json: no example of an object for ${operation} ${status}`);
  return value;
}

/** `node` with the object at `path` (keys and list indexes) replaced by `change(that object)`. */
function changed(node: JsonObject, path: (string | number)[], change: (target: JsonObject) => JsonObject): JsonObject {
  const edit = (value: Json | undefined, rest: (string | number)[]): Json => {
    const [head, ...tail] = rest;
    if (head === undefined) {
      if (!isObject(value)) throw new Error(`selftest: no object at ${path.join(".")}`);
      return change(value);
    }
    if (Array.isArray(value) && typeof head === "number") {
      return value.map((item, i) => (i === head ? edit(item, tail) : item));
    }
    if (isObject(value) && typeof head === "string") return { ...value, [head]: edit(value[head], tail) };
    throw new Error(`selftest: no ${String(head)} at ${path.join(".")}`);
  };
  const result = edit(node, path);
  return isObject(result) ? result : node;
}

function without(node: JsonObject, key: string): JsonObject {
  if (!(key in node)) throw new Error(`selftest: no ${key} to remove`);
  const { [key]: _removed, ...rest } = node;
  return rest;
}

/** Every documented JSON example of every operation must pass (else the validator or the example is wrong). */
async function everyExamplePasses(): Promise<void> {
  const bad: string[] = [];
  let checked = 0;
  for (const [template, item] of Object.entries(paths)) {
    for (const method of Object.keys(isObject(item) ? item : {})) {
      for (const status of Object.keys(objectAt(objectAt(item, method), "responses"))) {
        for (const [name, value] of examplesOf(template, method, status)) {
          checked += 1;
          const operation = `${method.toUpperCase()} ${template}`;
          const problem = await mismatchOf(operation, Number(status), "application/json", value);
          if (problem !== undefined) bad.push(`${operation} ${status} example ${name}: ${problem}`);
        }
      }
    }
  }
  count += 1;
  if (checked > 0 && bad.length === 0) {
    console.log(`  ok   passes: each of the ${checked} documented JSON examples`);
  } else {
    console.log(`  FAIL passes: the documented JSON examples (${checked}), ${bad.length} flagged`);
    for (const line of bad) console.log(`         ${line}`);
    failures.push(`documented examples flagged: ${bad.length} of ${checked}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The cases

const COURSE = "GET /api/v1/courses/{id}/";
const ENROLL = "POST /api/v1/courses/{id}/enroll/";
const DOWNLOAD = "GET /api/v1/certificates/{id}/download/";
const REGISTER = "POST /api/v1/auth/register/";
const READ = "POST /api/v1/notifications/{id}/read/";
const JSON_TYPE = "application/json";

async function main(): Promise<boolean> {
  const started = performance.now();
  console.log("validator self-test (journey/lib.ts against openapi.json, no server)");
  await everyExamplePasses();

  const course = example(COURSE, 200);
  const notFound = example(COURSE, 404);
  const pdf = new TextEncoder().encode("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

  // (1) a status the operation does not document
  await passes("a documented 404", COURSE, 404, JSON_TYPE, notFound);
  await flagged("an undocumented 418", COURSE, 418, JSON_TYPE, notFound, "undocumented status");
  await flagged("an undocumented 500", ENROLL, 500, JSON_TYPE, { detail: "Server Error" }, "undocumented status");

  // (2) a content type the operation does not document
  const html = "<html><body>Course</body></html>";
  const notDocumented = "content type text/html not documented";
  await passes("application/json with a charset", COURSE, 200, "application/json; charset=utf-8", course);
  await passes("the certificate in application/pdf", DOWNLOAD, 200, "application/pdf", pdf);
  await flagged("text/html for application/json", COURSE, 200, "text/html; charset=utf-8", html, notDocumented);
  await flagged("text/html for application/pdf", DOWNLOAD, 200, "text/html", html, notDocumented);
  await flagged("application/json that is not JSON", COURSE, 200, JSON_TYPE, html, "not JSON");
  await flagged("an empty body where JSON is documented", COURSE, 200, JSON_TYPE, "", "empty body");

  // (3) an extra field on a success body: at the top, and nested in a $ref, in an allOf made
  // nullable, in a list item
  const extra = (target: JsonObject): JsonObject => ({ ...target, surprise: 1 });
  const forbidden = "must NOT have additional properties (surprise)";
  await passes("a CourseDetail", COURSE, 200, JSON_TYPE, course);
  await flagged("a CourseDetail with an extra field", COURSE, 200, JSON_TYPE, extra(course), `(body) ${forbidden}`);
  for (const path of [["instructor"], ["category"], ["sections", 0, "lessons", 0]]) {
    const where = `/${path.join("/")}`;
    const body = changed(course, path, extra);
    await flagged(`an extra field in CourseDetail ${where}`, COURSE, 200, JSON_TYPE, body, `${where} ${forbidden}`);
  }

  // (4) an extra field on an error body
  const paymentRequired = example(ENROLL, 402);
  await passes("a PaymentRequiredError", ENROLL, 402, JSON_TYPE, paymentRequired);
  const extraPrice = extra(paymentRequired);
  await flagged("a PaymentRequiredError with an extra field", ENROLL, 402, JSON_TYPE, extraPrice, forbidden);
  const extraConflict = extra(example(ENROLL, 409));
  await flagged("an Error with an extra field", ENROLL, 409, JSON_TYPE, extraConflict, `(body) ${forbidden}`);

  // (5) a ValidationError's field errors are lists of strings
  const fieldErrors = {
    email: ["Enter a valid email address."],
    "choices.0.text": ["This field is required."],
    non_field_errors: ["The two passwords differ."],
  };
  const rule = { detail: "Not now.", code: "invalid", field: "email" };
  await passes("a ValidationError of field errors", REGISTER, 400, JSON_TYPE, fieldErrors);
  await passes("a ValidationError of a broken rule", REGISTER, 400, JSON_TYPE, rule);
  const stringError = { ...fieldErrors, email: "Enter a valid email address." };
  await flagged("a field error given a string", REGISTER, 400, JSON_TYPE, stringError, "/email must be array");
  const numberError = { ...fieldErrors, email: [1] };
  await flagged("a field error given numbers", REGISTER, 400, JSON_TYPE, numberError, "/email/0 must be string");

  // (6) a discriminated oneOf: the tag picks the branch, and the branch is checked in full
  const notification = example(READ, 200);
  const payload = objectAt(notification, "payload");
  const key = Object.keys(payload)[0] ?? "";
  const otherType = notification.type === "enrollment_confirmed" ? "payment_succeeded" : "enrollment_confirmed";
  await passes(`a Notification of type ${String(notification.type)}`, READ, 200, JSON_TYPE, notification);
  const unknown = { ...notification, type: "mystery" };
  await flagged("a Notification of an unknown type", READ, 200, JSON_TYPE, unknown, 'tag "type" must be in oneOf');
  const retagged = { ...notification, type: otherType };
  await flagged(`a Notification retagged ${otherType}`, READ, 200, JSON_TYPE, retagged, "/payload must");
  const lacking = { ...notification, payload: without(payload, key) };
  const requiredKey = `/payload must have required property '${key}'`;
  await flagged(`a Notification payload without ${key}`, READ, 200, JSON_TYPE, lacking, requiredKey);
  const surprised = { ...notification, payload: extra(payload) };
  await flagged("a Notification payload with an extra key", READ, 200, JSON_TYPE, surprised, `/payload ${forbidden}`);

  // (7) a missing required field, at the top and nested
  const noSlug = without(course, "slug");
  await flagged("a CourseDetail without slug", COURSE, 200, JSON_TYPE, noSlug, "must have required property 'slug'");
  const noName = changed(course, ["instructor"], (instructor) => without(instructor, "full_name"));
  const requiredName = "/instructor must have required property 'full_name'";
  await flagged("a CourseDetail instructor without full_name", COURSE, 200, JSON_TYPE, noName, requiredName);
  const noPrice = without(paymentRequired, "price");
  const requiredPrice = "must have required property 'price'";
  await flagged("a PaymentRequiredError without price", ENROLL, 402, JSON_TYPE, noPrice, requiredPrice);

  // (8) null only where the schema says nullable
  const nulls = { ...course, category: null, published_at: null };
  await passes("a CourseDetail with its nullable category and published_at null", COURSE, 200, JSON_TYPE, nulls);
  const nullTitle = { ...course, title: null };
  await flagged("a CourseDetail with title null", COURSE, 200, JSON_TYPE, nullTitle, "/title must be string");
  const nullInstructor = { ...course, instructor: null };
  const notObject = "/instructor must be object";
  await flagged("a CourseDetail with instructor null", COURSE, 200, JSON_TYPE, nullInstructor, notObject);
  const nullPrice = { ...paymentRequired, price: null };
  await flagged("a PaymentRequiredError with price null", ENROLL, 402, JSON_TYPE, nullPrice, "/price must be string");

  // (9) a value of the wrong type, format or enum
  const textId = { ...course, id: String(course.id) };
  await flagged("a CourseDetail with a string id", COURSE, 200, JSON_TYPE, textId, "/id must be integer");
  const vagueDate = { ...course, created_at: "yesterday" };
  const notDate = '/created_at must match format "date-time"';
  await flagged("a CourseDetail with a bad date-time", COURSE, 200, JSON_TYPE, vagueDate, notDate);
  const freePrice = { ...course, price: "free" };
  await flagged("a CourseDetail with a non-decimal price", COURSE, 200, JSON_TYPE, freePrice, "/price must match");
  const expertLevel = { ...course, level: "expert" };
  const notLevel = "/level must be equal to one of";
  await flagged("a CourseDetail with a level not in its enum", COURSE, 200, JSON_TYPE, expertLevel, notLevel);

  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (failures.length === 0) {
    console.log(`validator self-test: ${count} cases passed in ${seconds}s`);
    return true;
  }
  console.log(`validator self-test FAILED: ${failures.length} of ${count} cases (in ${seconds}s)`);
  for (const failure of failures) console.log(`  - ${failure}`);
  return false;
}

process.exitCode = (await main()) ? 0 : 1;
