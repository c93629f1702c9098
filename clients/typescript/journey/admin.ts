// The admin journey: what a staff front end calls. It runs last, so its dashboard, lists, activity
// and reports see what the instructor and student journeys made; it changes and removes only the
// accounts, courses, categories and forum threads it creates itself.
import { createHmac, timingSafeEqual } from "node:crypto";
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import {
  type JourneyContext,
  type Session,
  PASSWORD,
  adminSession,
  api,
  check,
  expectCode,
  expectFieldErrors,
  expectStatus,
  find,
  register,
  step,
  unique,
  waitFor,
} from "./lib.js";

const UNKNOWN_ID = 2_000_000_000;

/** Today and 30 days ago, as report dates (UTC). */
function dateRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** A webhook request as the receiver got it: its headers and raw body. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver of webhooks on loopback (the stack runs with WEBHOOKS_ALLOW_PRIVATE_TARGETS=true). */
async function webhookReceiver(): Promise<{ url: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address: AddressInfo | string | null = server.address();
  check(address !== null && typeof address !== "string", "the receiver listens");
  const port = address !== null && typeof address !== "string" ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => server.close() };
}

/** README "Webhooks": LMS-Signature is t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> (one v1 per secret). */
function signedBy(request: Received, secret: string): boolean {
  const header = request.headers["lms-signature"];
  if (typeof header !== "string") return false;
  let timestamp = "";
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=");
    if (key === "t") timestamp = value;
    else if (key === "v1") signatures.push(value);
  }
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest();
  return signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The event a webhook request carries: {id, type, created_at, data}. */
function eventOf(request: Received): { id: string; type: string; data: Record<string, unknown> } | undefined {
  const parsed: unknown = JSON.parse(request.body);
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const id: unknown = Reflect.get(parsed, "id");
  const type: unknown = Reflect.get(parsed, "type");
  const data: unknown = Reflect.get(parsed, "data");
  if (typeof id !== "string" || typeof type !== "string" || typeof data !== "object" || data === null) return undefined;
  return { id, type, data: Object.fromEntries(Object.entries(data)) };
}

export async function run(ctx: JourneyContext, learner: Session): Promise<void> {
  const admin = await step(
    "admin: 401 without a token, 403 for a student and an instructor on every admin family",
    async () => {
      const admin = await adminSession();
      check(admin.user.role === "admin", "the admin account has role admin");
      expectStatus(await api().GET("/api/v1/admin/users/"), 401, "admin users without a token");

      const student = await register("student");
      const teacher = await register("instructor");
      const category = await api(admin).POST("/api/v1/categories/", { body: { name: unique("Forbidden") } });
      expectStatus(category, 201, "a category to refuse edits of");
      const cat = { params: { path: { id: category.data.id } } };
      for (const [who, session] of [
        ["student", student],
        ["instructor", teacher],
      ] as const) {
        const client = api(session);
        const user = { params: { path: { id: session.user.id } } };
        const course = { params: { path: { id: ctx.freeCourse.id } } };
        expectStatus(await client.GET("/api/v1/dashboard/admin/"), 403, `admin dashboard as ${who}`);
        expectStatus(await client.GET("/api/v1/admin/users/"), 403, `admin users as ${who}`);
        expectStatus(await client.GET("/api/v1/admin/users/{id}/", user), 403, `admin user as ${who}`);
        expectStatus(
          await client.PATCH("/api/v1/admin/users/{id}/", { ...user, body: { role: "admin" } }),
          403,
          `self-promotion as ${who}`,
        );
        expectStatus(await client.DELETE("/api/v1/admin/users/{id}/", user), 403, `admin user delete as ${who}`);
        expectStatus(await client.GET("/api/v1/admin/courses/"), 403, `admin courses as ${who}`);
        expectStatus(await client.GET("/api/v1/admin/courses/{id}/", course), 403, `admin course as ${who}`);
        expectStatus(
          await client.PATCH("/api/v1/admin/courses/{id}/", { ...course, body: { status: "archived" } }),
          403,
          `admin course status as ${who}`,
        );
        expectStatus(await client.DELETE("/api/v1/admin/courses/{id}/", course), 403, `admin course removal as ${who}`);
        expectStatus(await client.GET("/api/v1/admin/activity/"), 403, `activity as ${who}`);
        expectStatus(
          await client.GET("/api/v1/admin/reports/{name}/", { params: { path: { name: "signups" } } }),
          403,
          `admin report as ${who}`,
        );
        expectStatus(
          await client.POST("/api/v1/categories/", { body: { name: "Not mine to add" } }),
          403,
          `category create as ${who}`,
        );
        expectStatus(
          await client.PATCH("/api/v1/categories/{id}/", { ...cat, body: { name: "Renamed" } }),
          403,
          `category PATCH as ${who}`,
        );
        expectStatus(await client.DELETE("/api/v1/categories/{id}/", cat), 403, `category delete as ${who}`);
      }
      expectStatus(await api(admin).DELETE("/api/v1/categories/{id}/", cat), 204, "category delete");
      return admin;
    },
  );

  await step("admin dashboard", async () => {
    const dashboard = await api(admin).GET("/api/v1/dashboard/admin/");
    expectStatus(dashboard, 200, "admin dashboard");
    check(
      dashboard.data.users.instructor.active >= 1 && dashboard.data.users.student.active >= 1,
      "users counted by role",
    );
    check(dashboard.data.courses.published >= 2, "the journey's published courses counted");
  });

  await step("users: list with filters, read, change role, deactivate, delete; 404", async () => {
    const list = await api(admin).GET("/api/v1/admin/users/", {
      params: { query: { role: "student", is_active: true, search: learner.user.email, page_size: 10 } },
    });
    expectStatus(list, 200, "admin users list");
    find(list.data.results, (u) => u.id === learner.user.id, "the journey's student");
    const read = await api(admin).GET("/api/v1/admin/users/{id}/", {
      params: { path: { id: ctx.instructor.user.id } },
    });
    expectStatus(read, 200, "admin user retrieve");
    check(read.data.role === "instructor", "the journey's instructor");

    const helper = await register("student");
    const id = { params: { path: { id: helper.user.id } } };
    const promoted = await api(admin).PATCH("/api/v1/admin/users/{id}/", { ...id, body: { role: "instructor" } });
    expectStatus(promoted, 200, "promote to instructor");
    check(promoted.data.role === "instructor", "promoted");
    const deactivated = await api(admin).PATCH("/api/v1/admin/users/{id}/", { ...id, body: { is_active: false } });
    expectStatus(deactivated, 200, "deactivate");
    check(!deactivated.data.is_active, "deactivated");
    const locked = await api().POST("/api/v1/auth/login/", { body: { email: helper.user.email, password: PASSWORD } });
    expectStatus(locked, 401, "a deactivated user signs in");
    expectStatus(await api(helper).GET("/api/v1/auth/me/"), 401, "a deactivated user's token");
    const back = await api(admin).PATCH("/api/v1/admin/users/{id}/", {
      ...id,
      body: { is_active: true, role: "student" },
    });
    expectStatus(back, 200, "reactivate and demote");
    check(back.data.is_active && back.data.role === "student", "active student again");

    expectStatus(await api(admin).DELETE("/api/v1/admin/users/{id}/", id), 204, "admin user delete");
    const gone = await api(admin).GET("/api/v1/admin/users/{id}/", id);
    expectStatus(gone, 200, "a deleted user's record stays");
    check(!gone.data.is_active, "delete deactivates");
    const inactive = await api(admin).GET("/api/v1/admin/users/", { params: { query: { is_active: false } } });
    expectStatus(inactive, 200, "inactive users");
    find(inactive.data.results, (u) => u.id === helper.user.id, "the deleted helper among inactive users");

    const unknown = { params: { path: { id: UNKNOWN_ID } } };
    expectStatus(await api(admin).GET("/api/v1/admin/users/{id}/", unknown), 404, "unknown user");
    expectStatus(
      await api(admin).PATCH("/api/v1/admin/users/{id}/", { ...unknown, body: { is_active: false } }),
      404,
      "PATCH unknown user",
    );
    expectStatus(await api(admin).DELETE("/api/v1/admin/users/{id}/", unknown), 404, "delete unknown user");

    // The last active admin can be neither demoted nor deleted: tried only when this admin is the
    // only one, as on CI's fresh database (with another admin the change would go through).
    const admins = await api(admin).GET("/api/v1/admin/users/", {
      params: { query: { role: "admin", is_active: true } },
    });
    expectStatus(admins, 200, "active admins");
    if (admins.data.count === 1) {
      const self = { params: { path: { id: admin.user.id } } };
      const demote = await api(admin).PATCH("/api/v1/admin/users/{id}/", { ...self, body: { role: "student" } });
      expectStatus(demote, 409, "demote the last admin");
      expectCode(demote.error, "last_admin", "demote the last admin");
      const remove = await api(admin).DELETE("/api/v1/admin/users/{id}/", self);
      expectStatus(remove, 409, "delete the last admin");
      expectCode(remove.error, "last_admin", "delete the last admin");
    } else {
      console.log(`    (${admins.data.count} active admins: the last-admin 409s are not tried)`);
    }
  });

  await step("privacy: erase a user at once, the erasures list; the erased account cannot sign in", async () => {
    const leaving = await register("student");
    const erased = await api(admin).POST("/api/v1/admin/users/{user_id}/erase/", {
      params: { path: { user_id: leaving.user.id } },
    });
    expectStatus(erased, 202, "erase a user at once");
    const done = await waitFor("the erasure", 90, async () => {
      const list = await api(admin).GET("/api/v1/admin/erasures/");
      expectStatus(list, 200, "the erasures");
      const row = find(list.data.results, (e) => e.id === erased.data.id, "the erasure just asked for");
      return row.status === "done" ? row : undefined;
    });
    check(done.user_id === leaving.user.id && done.requested_by_id === admin.user.id, "who and by whom");
    const signIn = await api().POST("/api/v1/auth/login/", {
      body: { email: leaving.user.email, password: PASSWORD },
    });
    expectStatus(signIn, 401, "an erased account signs in");
    const self = await api(admin).POST("/api/v1/admin/users/{user_id}/erase/", {
      params: { path: { user_id: admin.user.id } },
    });
    expectStatus(self, 400, "an administrator erasing themself");
  });

  await step("webhooks: a signed user.created reaches a receiver; the log, redeliver (same id), rotate, edit, remove", async () => {
    const receiver = await webhookReceiver();
    try {
      const created = await api(admin).POST("/api/v1/admin/webhooks/", {
        body: { url: receiver.url, events: ["user.created"], description: "typed journey" },
      });
      expectStatus(created, 201, "create a webhook endpoint");
      check(created.data.secret.startsWith("whsec_"), "the signing secret is shown once, on create");
      const endpoint = { params: { path: { id: created.data.id } } };
      const listed = await api(admin).GET("/api/v1/admin/webhooks/");
      expectStatus(listed, 200, "webhook endpoints");
      find(listed.data.results, (e) => e.id === created.data.id, "the endpoint just made");
      const read = await api(admin).GET("/api/v1/admin/webhooks/{id}/", endpoint);
      expectStatus(read, 200, "a webhook endpoint");
      check(read.data.events.join() === "user.created" && read.data.is_active, "its events, active");
      const refused = await api(admin).POST("/api/v1/admin/webhooks/", {
        body: { url: "https://169.254.169.254/latest/meta-data/", events: ["user.created"] },
      });
      expectStatus(refused, 400, "a cloud metadata address as a webhook URL");

      const newcomer = await register("student");
      const first = await waitFor("the user.created delivery", 60, async () =>
        receiver.received.find((r) => eventOf(r)?.data["user_id"] === newcomer.user.id),
      );
      const event = eventOf(first);
      check(event !== undefined && event.type === "user.created", "a user.created event");
      check(signedBy(first, created.data.secret), "signed with the endpoint's secret");
      check(first.headers["lms-event-id"] === event?.id, "LMS-Event-Id is the event's id");

      const delivery = await waitFor("the delivery in the log", 30, async () => {
        const log = await api(admin).GET("/api/v1/admin/webhooks/{id}/deliveries/", endpoint);
        expectStatus(log, 200, "the delivery log");
        const row = log.data.results.find((d) => d.event === event?.id);
        return row?.status === "succeeded" ? row : undefined;
      });
      check(delivery.response_status === 200 && delivery.attempts >= 1, "200 after an attempt");
      const again = await api(admin).POST("/api/v1/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver/", {
        params: { path: { id: created.data.id, delivery_id: delivery.id } },
      });
      expectStatus(again, 202, "redeliver");
      await waitFor("the redelivery, with the same event id", 60, async () =>
        receiver.received.filter((r) => eventOf(r)?.id === event?.id).length >= 2 ? true : undefined,
      );

      const rotated = await api(admin).POST("/api/v1/admin/webhooks/{id}/rotate-secret/", endpoint);
      expectStatus(rotated, 200, "rotate the secret");
      check(rotated.data.secret !== created.data.secret, "a new secret");
      const renamed = await api(admin).PATCH("/api/v1/admin/webhooks/{id}/", {
        ...endpoint,
        body: { description: "typed journey, renamed" },
      });
      expectStatus(renamed, 200, "edit an endpoint");
      const replaced = await api(admin).PUT("/api/v1/admin/webhooks/{id}/", {
        ...endpoint,
        body: { url: receiver.url, events: ["user.created", "enrollment.created"], is_active: false },
      });
      expectStatus(replaced, 200, "replace an endpoint");
      check(!replaced.data.is_active && replaced.data.events.length === 2, "turned off, two types");
      expectStatus(await api(admin).DELETE("/api/v1/admin/webhooks/{id}/", endpoint), 204, "remove the endpoint");
      expectStatus(await api(admin).GET("/api/v1/admin/webhooks/{id}/", endpoint), 404, "a removed endpoint");
    } finally {
      receiver.close();
    }
  });

  await step("courses: list with filters, read, set status, remove; 400, 404", async () => {
    const published = await api(admin).GET("/api/v1/admin/courses/", {
      params: { query: { status: "published", instructor: ctx.instructor.user.id } },
    });
    expectStatus(published, 200, "admin courses list");
    find(published.data.results, (c) => c.id === ctx.paidCourse.id, "the paid course");
    const search = await api(admin).GET("/api/v1/admin/courses/", {
      params: { query: { search: "typed", page: 1, page_size: 5 } },
    });
    expectStatus(search, 200, "admin courses search");
    const read = await api(admin).GET("/api/v1/admin/courses/{id}/", { params: { path: { id: ctx.freeCourse.id } } });
    expectStatus(read, 200, "admin course retrieve");

    const teacher = await register("instructor");
    const created = await api(teacher).POST("/api/v1/courses/", { body: { title: `Flagged ${unique("course")}` } });
    expectStatus(created, 201, "a course to moderate");
    const id = { params: { path: { id: created.data.id } } };
    const empty = await api(admin).PATCH("/api/v1/admin/courses/{id}/", { ...id, body: { status: "published" } });
    expectStatus(empty, 400, "publish a course without lessons");
    const section = await api(teacher).POST("/api/v1/courses/{id}/sections/", { ...id, body: { title: "Only" } });
    expectStatus(section, 201, "its section");
    const lesson = await api(teacher).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: section.data.id } },
      body: { title: "Only lesson" },
    });
    expectStatus(lesson, 201, "its lesson");
    const publish = await api(admin).PATCH("/api/v1/admin/courses/{id}/", { ...id, body: { status: "published" } });
    expectStatus(publish, 200, "admin publishes");
    check(publish.data.status === "published", "published by the admin");
    const draft = await api(admin).PATCH("/api/v1/admin/courses/{id}/", { ...id, body: { status: "draft" } });
    expectStatus(draft, 200, "admin unpublishes");
    check(draft.data.status === "draft", "back to draft");

    const removed = await api(admin).DELETE("/api/v1/admin/courses/{id}/", {
      params: { path: { id: created.data.id }, query: { reason: "Journey check: removed by an admin." } },
    });
    expectStatus(removed, 204, "admin course removal");
    const after = await api(admin).GET("/api/v1/admin/courses/{id}/", id);
    expectStatus(after, 200, "a removed course stays for the record");
    check(after.data.status === "archived", "removal archives");

    const unknown = { params: { path: { id: UNKNOWN_ID } } };
    expectStatus(await api(admin).GET("/api/v1/admin/courses/{id}/", unknown), 404, "unknown course");
    expectStatus(
      await api(admin).PATCH("/api/v1/admin/courses/{id}/", { ...unknown, body: { status: "draft" } }),
      404,
      "PATCH unknown course",
    );
    expectStatus(await api(admin).DELETE("/api/v1/admin/courses/{id}/", unknown), 404, "remove unknown course");
  });

  await step("activity: list and filters", async () => {
    const all = await api(admin).GET("/api/v1/admin/activity/", { params: { query: { page_size: 50 } } });
    expectStatus(all, 200, "activity");
    check(all.data.results.length > 0, "activity recorded");
    const signups = await api(admin).GET("/api/v1/admin/activity/", {
      params: { query: { verb: "user_signed_up", actor: learner.user.id } },
    });
    expectStatus(signups, 200, "activity by verb and actor");
    check(
      signups.data.results.every((e) => e.verb === "user_signed_up"),
      "filtered by verb",
    );
    const course = await api(admin).GET("/api/v1/admin/activity/", {
      params: { query: { course: ctx.freeCourse.id, from: dateRange().from } },
    });
    expectStatus(course, 200, "activity of a course since a date");
    check(
      course.data.results.every((e) => e.course === ctx.freeCourse.id),
      "filtered by course",
    );
    const bad = await api(admin).GET("/api/v1/admin/activity/", { params: { query: { from: "last tuesday" } } });
    expectStatus(bad, 400, "activity with a bad date");
    expectFieldErrors(bad.error, ["from"], "activity 400");
  });

  await step("reports: JSON per interval, CSV; 400", async () => {
    const range = dateRange();
    for (const [name, interval] of [
      ["signups", "day"],
      ["enrollments", "week"],
      ["revenue", "month"],
      ["completions", "day"],
      ["quiz-attempts", "week"],
      ["active-users", "day"],
    ] as const) {
      const report = await api(admin).GET("/api/v1/admin/reports/{name}/", {
        params: { path: { name }, query: { interval, ...range } },
      });
      expectStatus(report, 200, `admin report ${name}`);
      check(
        typeof report.data === "object" && report.data.name === name && report.data.interval === interval,
        `JSON report ${name} by ${interval}`,
      );
    }
    const csv = await api(admin).GET("/api/v1/admin/reports/{name}/", {
      params: { path: { name: "signups" }, query: { format: "csv", ...range } },
      parseAs: "text",
    });
    expectStatus(csv, 200, "admin report (CSV)");
    check(csv.response.headers.get("content-type")?.startsWith("text/csv") === true, "a CSV download");
    const lines = csv.data.trim().split(/\r?\n/);
    check(lines[0] === "period,value" && lines.length > 1, "a CSV header and rows");
    const bad = await api(admin).GET("/api/v1/admin/reports/{name}/", {
      params: { path: { name: "signups" }, query: { from: range.to, to: range.from } },
    });
    expectStatus(bad, 400, "report with from after to");
    expectFieldErrors(bad.error, ["from"], "report 400");
  });

  await step("categories: create, PATCH, delete; 400, 404, 409 for one in use", async () => {
    const bad = await api(admin).POST("/api/v1/categories/", { body: { name: "", slug: "not a slug!" } });
    expectStatus(bad, 400, "category with bad input");
    expectFieldErrors(bad.error, ["name", "slug"], "category create 400");
    const created = await api(admin).POST("/api/v1/categories/", { body: { name: `Journey ${unique("tmp")}` } });
    expectStatus(created, 201, "category create");
    const id = { params: { path: { id: created.data.id } } };
    const duplicate = await api(admin).POST("/api/v1/categories/", {
      body: { name: "Another", slug: created.data.slug },
    });
    expectStatus(duplicate, 400, "category with a taken slug");
    expectCode(duplicate.error, "duplicate", "category duplicate 400");
    const patch = await api(admin).PATCH("/api/v1/categories/{id}/", { ...id, body: { name: "Journey renamed" } });
    expectStatus(patch, 200, "category PATCH");
    check(patch.data.name === "Journey renamed", "renamed");
    expectStatus(await api(admin).DELETE("/api/v1/categories/{id}/", id), 204, "category delete");
    expectStatus(await api(admin).GET("/api/v1/categories/{id}/", id), 404, "deleted category");
    expectStatus(
      await api(admin).PATCH("/api/v1/categories/{id}/", { ...id, body: { name: "Gone" } }),
      404,
      "PATCH unknown category",
    );

    const course = await api(admin).GET("/api/v1/courses/{id}/", { params: { path: { id: ctx.freeCourse.id } } });
    expectStatus(course, 200, "the free course");
    const inUse = course.data.category;
    check(inUse !== null, "the free course has a category");
    const refused = await api(admin).DELETE("/api/v1/categories/{id}/", { params: { path: { id: inUse.id } } });
    expectStatus(refused, 409, "delete a category in use");
    expectCode(refused.error, "category_in_use", "category delete 409");
  });

  await step("forum reports as admin: list across courses, resolve (hide), moderation log", async () => {
    const poster = await register("student");
    const reporter = await register("student");
    const course = { params: { path: { id: ctx.freeCourse.id } } };
    expectStatus(await api(poster).POST("/api/v1/courses/{id}/enroll/", course), 201, "poster enrolls");
    expectStatus(await api(reporter).POST("/api/v1/courses/{id}/enroll/", course), 201, "reporter enrolls");
    const post = await api(poster).POST("/api/v1/courses/{course_id}/forum/posts/", {
      params: { path: { course_id: ctx.freeCourse.id } },
      body: { title: "Cheap certificates here", body: "Visit my site." },
    });
    expectStatus(post, 201, "a spam thread");
    const reported = await api(reporter).POST("/api/v1/forum/posts/{id}/report/", {
      params: { path: { id: post.data.id } },
      body: { reason: "Spam." },
    });
    expectStatus(reported, 201, "reported");

    const open = await api(admin).GET("/api/v1/forum/reports/", { params: { query: { status: "open" } } });
    expectStatus(open, 200, "open reports, every course");
    find(open.data.results, (r) => r.id === reported.data.id, "the spam report");
    const hide = await api(admin).POST("/api/v1/forum/reports/{id}/resolve/", {
      params: { path: { id: reported.data.id } },
      body: { action: "hide" },
    });
    expectStatus(hide, 200, "resolve by hiding");
    check(hide.data.status === "resolved" && hide.data.resolution === "hide", "hidden");
    const log = await api(admin).GET("/api/v1/forum/moderation-log/", {
      params: { query: { action: "hide", course: ctx.freeCourse.id } },
    });
    expectStatus(log, 200, "moderation log as admin");
    find(log.data.results, (e) => e.report === reported.data.id, "the hide in the log");
    expectStatus(
      await api(admin).POST("/api/v1/forum/reports/{id}/resolve/", {
        params: { path: { id: UNKNOWN_ID } },
        body: { action: "dismiss" },
      }),
      404,
      "resolve an unknown report",
    );
  });
}
