// The student journey: what a student's front end calls, from the anonymous catalog to the
// certificate, on the courses the instructor journey built (JourneyContext). A second student (a
// peer) is there for the checks between accounts: 403 on another's post and review, reports.
import {
  type JourneyContext,
  type Session,
  BASE_URL,
  PASSWORD,
  api,
  check,
  expectCode,
  expectErrorField,
  expectFieldErrors,
  expectStatus,
  find,
  first,
  login,
  payIntent,
  productClient,
  register,
  step,
  stripeConfigured,
  waitFor,
} from "./lib.js";
import { memoryTokens } from "../src/index.js";

const UNKNOWN_ID = 2_000_000_000;

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

export async function run(ctx: JourneyContext): Promise<Session> {
  const free = ctx.freeCourse;
  const paid = ctx.paidCourse;
  let me: Session = await step("student: sign up (400 on bad input, then 201)", async () => {
    const bad = await api().POST("/api/v1/auth/register/", {
      body: { email: "not-an-email", password: "x", first_name: "", last_name: "" },
    });
    expectStatus(bad, 400, "register with bad input");
    check("email" in bad.error && Array.isArray(bad.error.email), `400 names the e-mail: ${JSON.stringify(bad.error)}`);
    return register("student");
  });
  const peer = await register("student");

  await step("anonymous catalog: filters, search, both ordering forms, pagination", async () => {
    const anon = api();
    const detail = await anon.GET("/api/v1/courses/{id}/", { params: { path: { id: free.id } } });
    expectStatus(detail, 200, "free course detail, anonymously");
    check(detail.data.is_free && detail.data.status === "published", "the free course is published and free");

    const word = first(detail.data.title.split(/\s+/).filter((w) => w.length > 3), "a searchable word in the title");
    const found = await anon.GET("/api/v1/courses/", { params: { query: { search: word, is_free: true } } });
    expectStatus(found, 200, "catalog search");
    find(found.data.results, (c) => c.id === free.id, `course ${free.id} when searching "${word}"`);

    const paidOnly = await anon.GET("/api/v1/courses/", { params: { query: { is_free: false, page_size: 100 } } });
    expectStatus(paidOnly, 200, "catalog of paid courses");
    check(paidOnly.data.results.every((c) => !c.is_free), "is_free=false lists only paid courses");

    const ordering: ("-price" | "title")[] = ["-price", "title"];
    const repeated = await anon.GET("/api/v1/courses/", { params: { query: { ordering, page_size: 50 } } });
    expectStatus(repeated, 200, "ordering=-price&ordering=title");
    const joined = await anon.GET("/api/v1/courses/", {
      params: { query: { ordering, page_size: 50 } },
      querySerializer: { array: { style: "form", explode: false } },
    });
    expectStatus(joined, 200, "ordering=-price,title");
    const prices = repeated.data.results.map((c) => Number(c.price));
    check(
      prices.every((p, i) => i === 0 || (prices[i - 1] ?? p) >= p),
      `ordered by price descending: ${prices.join(" ")}`,
    );
    check(
      same(
        repeated.data.results.map((c) => c.id),
        joined.data.results.map((c) => c.id),
      ),
      "both forms of ?ordering= give the same order",
    );

    const page1 = await anon.GET("/api/v1/courses/", { params: { query: { page: 1, page_size: 1 } } });
    expectStatus(page1, 200, "catalog page 1 of size 1");
    check(page1.data.results.length === 1 && page1.data.count >= 2, "one course per page, two or more in all");
    check(typeof page1.data.next === "string", "page 1 links to the next page");
    const page2 = await anon.GET("/api/v1/courses/", { params: { query: { page: 2, page_size: 1 } } });
    expectStatus(page2, 200, "catalog page 2 of size 1");
    check(first(page2.data.results, "course").id !== first(page1.data.results, "course").id, "page 2 differs");

    const badSize = await anon.GET("/api/v1/courses/", { params: { query: { page_size: 0 } } });
    expectStatus(badSize, 400, "page_size=0");
    const beyond = await anon.GET("/api/v1/courses/", { params: { query: { page: 100000 } } });
    expectStatus(beyond, 404, "a page past the end");
    const unknown = await anon.GET("/api/v1/courses/{id}/", { params: { path: { id: UNKNOWN_ID } } });
    expectStatus(unknown, 404, "an unknown course");
    check(typeof unknown.error.detail === "string", "404 has a detail");
  });

  await step("a garbage or stale token on a public read: 401 (the SPA refreshes on it)", async () => {
    const stale = await api({ access: "not-a-jwt" }).GET("/api/v1/courses/", {});
    expectStatus(stale, 401, "catalog with a garbage token");
    check(typeof stale.error.detail === "string", "401 has a detail");
    const detail = await api({ access: "not-a-jwt" }).GET("/api/v1/courses/{id}/", { params: { path: { id: free.id } } });
    expectStatus(detail, 401, "course detail with a garbage token");
  });

  await step("single sign-on: the providers for the buttons; an unknown provider 404; a bad one-time code 400", async () => {
    const providers = await api().GET("/api/v1/auth/oidc/providers/");
    expectStatus(providers, 200, "the single sign-on providers");
    check(Array.isArray(providers.data), "a list (empty when none is configured)");
    // The SPA's verifier (RFC 7636's example) and its S256 challenge: the code is exchanged only with it.
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const nowhere = { params: { path: { provider: "no-such-provider" }, query: { code_challenge: challenge } } };
    const start = await api().GET("/api/v1/auth/oidc/{provider}/start/", nowhere);
    expectStatus(start, 404, "start with an unknown provider");
    expectCode(start.error, "unknown_provider", "start with an unknown provider");
    const callback = await api().GET("/api/v1/auth/oidc/{provider}/callback/", {
      params: { path: { provider: "no-such-provider" }, query: { code: "x", state: "y" } },
    });
    expectStatus(callback, 404, "a callback for an unknown provider");
    const exchange = await api().POST("/api/v1/auth/oidc/exchange/", {
      body: { code: "not-a-code-we-issued", code_verifier: verifier },
    });
    expectStatus(exchange, 400, "exchange a code never issued");
    expectCode(exchange.error, "code_invalid", "exchange a code never issued");
  });

  me = await step("log in, refresh (rotation: the old refresh token is refused), product client refresh-on-401", async () => {
    const wrong = await api().POST("/api/v1/auth/login/", { body: { email: me.user.email, password: "wrong-password-1" } });
    expectStatus(wrong, 401, "login with a wrong password");
    const session = await login(me.user.email, PASSWORD);
    const refreshed = await api().POST("/api/v1/auth/token/refresh/", { body: { refresh: session.refresh } });
    expectStatus(refreshed, 200, "refresh");
    check(refreshed.data.refresh !== session.refresh, "the refresh token rotates");
    const reused = await api().POST("/api/v1/auth/token/refresh/", { body: { refresh: session.refresh } });
    expectStatus(reused, 401, "refresh with the rotated-out token");

    // The product client (src/index.ts): a stale access token is refreshed once and the call retried.
    const tokens = memoryTokens({ access: "stale-access-token", refresh: refreshed.data.refresh });
    const meAgain = await productClient(tokens).GET("/api/v1/auth/me/");
    expectStatus(meAgain, 200, "me through the refreshing client");
    const pair = tokens.get();
    check(pair !== null && pair.refresh !== refreshed.data.refresh, "the client stored the rotated pair");
    return { access: pair?.access ?? "", refresh: pair?.refresh ?? "", user: meAgain.data };
  });

  await step("profile: me, update (400 on bad input), password change, password reset", async () => {
    const client = api(me);
    const read = await client.GET("/api/v1/auth/me/");
    expectStatus(read, 200, "me");
    check(read.data.role === "student", "a student");
    const updated = await client.PATCH("/api/v1/auth/me/", { body: { first_name: "Grace", last_name: "Journey" } });
    expectStatus(updated, 200, "update my name");
    check(updated.data.first_name === "Grace", "the name changed");
    const tooLong = await client.PATCH("/api/v1/auth/me/", { body: { first_name: "x".repeat(400) } });
    expectStatus(tooLong, 400, "a name too long");
    check("first_name" in tooLong.error && Array.isArray(tooLong.error.first_name), "400 names first_name");

    // Languages: the profile's language wins over the browser's; messages and Content-Language follow it.
    const spanish = await client.PATCH("/api/v1/auth/me/", { body: { language: "es" } });
    expectStatus(spanish, 200, "choose Spanish");
    check(spanish.data.language === "es", "the profile's language is Spanish");
    const enEspanol = await client.PATCH("/api/v1/auth/me/", { body: { first_name: "x".repeat(400) } });
    expectStatus(enEspanol, 400, "a name too long, in Spanish");
    check(enEspanol.response.headers.get("content-language") === "es", "answered in Spanish");
    check(JSON.stringify(enEspanol.error) !== JSON.stringify(tooLong.error), "the message is not the English one");
    const browser = await client.PATCH("/api/v1/auth/me/", { body: { language: "" } });
    expectStatus(browser, 200, "follow the browser's language again");
    check(browser.data.language === "" && browser.response.headers.get("content-language") === "es", "read before");

    const badOld = await client.POST("/api/v1/auth/password/change/", {
      body: { old_password: "not-my-password", new_password: "another-Pass-3141" },
    });
    expectStatus(badOld, 400, "password change with a wrong old password");
    const changed = await client.POST("/api/v1/auth/password/change/", {
      body: { old_password: PASSWORD, new_password: "another-Pass-3141" },
    });
    expectStatus(changed, 200, "password change");
    me = { ...me, access: changed.data.access, refresh: changed.data.refresh };
    const back = await api(me).POST("/api/v1/auth/password/change/", {
      body: { old_password: "another-Pass-3141", new_password: PASSWORD },
    });
    expectStatus(back, 200, "password change back");
    me = { ...me, access: back.data.access, refresh: back.data.refresh };

    const reset = await api().POST("/api/v1/auth/password/reset/", { body: { email: me.user.email } });
    expectStatus(reset, 204, "password reset request");
    const confirm = await api().POST("/api/v1/auth/password/reset/confirm/", {
      body: { uid: "bm9ib2R5", token: "not-a-token", new_password: "never-Used-2718" },
    });
    expectStatus(confirm, 400, "password reset confirm with a bad token");
  });

  const client = () => api(me);

  await step("curriculum before enrolling: sections, lessons; a lesson's content is for the enrolled", async () => {
    const sections = await client().GET("/api/v1/courses/{id}/sections/", { params: { path: { id: free.id } } });
    expectStatus(sections, 200, "sections");
    const section = first(sections.data, "section");
    const one = await client().GET("/api/v1/sections/{id}/", { params: { path: { id: section.id } } });
    expectStatus(one, 200, "a section");
    const lessons = await client().GET("/api/v1/sections/{id}/lessons/", { params: { path: { id: section.id } } });
    expectStatus(lessons, 200, "a section's lessons");
    const lessonId = first(free.lessonIds, "lesson");
    const early = await client().POST("/api/v1/lessons/{id}/complete/", { params: { path: { id: lessonId } } });
    expectStatus(early, 403, "completing a lesson before enrolling");
    check(early.error.code === "not_enrolled", `403 says not_enrolled: ${JSON.stringify(early.error)}`);
  });

  await step("enroll: free course 201, again 409; paid course 402 with its price", async () => {
    const enrolled = await client().POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: free.id } } });
    expectStatus(enrolled, 201, "enroll in the free course");
    if (!("course" in enrolled.data)) throw new Error("an enrollment (201), not a waitlist place (202)");
    check(enrolled.data.course.id === free.id, "enrolled in that course");
    const again = await client().POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: free.id } } });
    expectStatus(again, 409, "enroll twice");
    const pay = await client().POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: paid.id } } });
    expectStatus(pay, 402, "enroll in the paid course");
    check(
      "price" in pay.error && pay.error.price === paid.price && pay.error.currency === paid.currency,
      `402 names the price: ${JSON.stringify(pay.error)}`,
    );
    const peerIn = await api(peer).POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: free.id } } });
    expectStatus(peerIn, 201, "the peer enrolls too");
    const mine = await client().GET("/api/v1/me/enrollments/");
    expectStatus(mine, 200, "my enrollments");
    find(mine.data.results, (e) => e.course.id === free.id, "the free course among my enrollments");
  });

  await step("learn: open and complete every lesson, progress", async () => {
    for (const id of free.lessonIds) {
      const lesson = await client().GET("/api/v1/lessons/{id}/", { params: { path: { id } } });
      expectStatus(lesson, 200, `lesson ${id}`);
      check(!lesson.data.locked, `lesson ${id} is open to an enrolled student`);
      const done = await client().POST("/api/v1/lessons/{id}/complete/", { params: { path: { id } } });
      expectStatus(done, 200, `complete lesson ${id}`);
    }
    const progress = await client().GET("/api/v1/courses/{id}/progress/", { params: { path: { id: free.id } } });
    expectStatus(progress, 200, "progress");
    check(progress.data.completed_lessons.length === free.lessonIds.length, "every lesson completed");
    const missing = await client().GET("/api/v1/lessons/{id}/", { params: { path: { id: UNKNOWN_ID } } });
    expectStatus(missing, 404, "an unknown lesson");
  });

  let gatedLesson = 0;
  await step("release rules: a lesson that opens once the quiz is passed is locked (403 prerequisite)", async () => {
    const sections = await client().GET("/api/v1/courses/{id}/sections/", { params: { path: { id: free.id } } });
    expectStatus(sections, 200, "sections");
    const section = first(sections.data, "section");
    const made = await api(ctx.instructor).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: section.id } },
      body: { title: "Bonus: after the quiz", content: "Well done.", requires_passing: [{ kind: "quiz", id: free.quizId }] },
    });
    expectStatus(made, 201, "the instructor adds a lesson that needs the quiz passed");
    gatedLesson = made.data.id;
    const both = await api(ctx.instructor).PATCH("/api/v1/lessons/{id}/", {
      params: { path: { id: gatedLesson } },
      body: { available_from: "2030-01-01T00:00:00Z", available_after_days: 3 },
    });
    expectStatus(both, 400, "a date and a number of days together");
    const gated = await client().GET("/api/v1/lessons/{id}/", { params: { path: { id: gatedLesson } } });
    expectStatus(gated, 200, "the locked lesson, as an enrolled student");
    check(gated.data.locked && gated.data.locked_reason === "prerequisite" && gated.data.content === null, "locked, no content");
    const refused = await client().POST("/api/v1/lessons/{id}/complete/", { params: { path: { id: gatedLesson } } });
    expectStatus(refused, 403, "completing a locked lesson");
    check(refused.error.code === "prerequisite", `403 says prerequisite: ${JSON.stringify(refused.error)}`);
  });

  await step("quiz: attempt, save answers, submit, 409 on resubmit, results are staff-only", async () => {
    const quizzes = await client().GET("/api/v1/courses/{course_id}/quizzes/", { params: { path: { course_id: free.id } } });
    expectStatus(quizzes, 200, "the course's quizzes");
    find(quizzes.data, (q) => q.id === free.quizId, "the journey's quiz");
    const quiz = await client().GET("/api/v1/quizzes/{id}/", { params: { path: { id: free.quizId } } });
    expectStatus(quiz, 200, "the quiz");

    const started = await client().POST("/api/v1/quizzes/{id}/attempts/", { params: { path: { id: free.quizId } } });
    expectStatus(started, 201, "start an attempt");
    const attempt = started.data.id;
    check(started.data.questions.length === free.answers.length, "the attempt has every question");
    const resumed = await client().POST("/api/v1/quizzes/{id}/attempts/", { params: { path: { id: free.quizId } } });
    expectStatus(resumed, 200, "starting again resumes the open attempt");
    check(resumed.data.id === attempt, "the same attempt");

    const saved = await client().PATCH("/api/v1/attempts/{id}/", {
      params: { path: { id: attempt } },
      body: { answers: free.answers.slice(0, 1) },
    });
    expectStatus(saved, 200, "save an answer");
    const badSave = await client().PATCH("/api/v1/attempts/{id}/", {
      params: { path: { id: attempt } },
      body: { answers: [{ question: UNKNOWN_ID, text: "?" }] },
    });
    expectStatus(badSave, 400, "save an answer to a question not in the quiz");
    const read = await client().GET("/api/v1/attempts/{id}/", { params: { path: { id: attempt } } });
    expectStatus(read, 200, "read the attempt");
    const theirs = await api(peer).GET("/api/v1/attempts/{id}/", { params: { path: { id: attempt } } });
    expectStatus(theirs, 404, "another student's attempt");

    const graded = await client().POST("/api/v1/attempts/{id}/submit/", {
      params: { path: { id: attempt } },
      body: { answers: free.answers },
    });
    expectStatus(graded, 200, "submit");
    check(graded.data.passed === true, `all-correct answers pass: ${JSON.stringify(graded.data.feedback)}`);
    const twice = await client().POST("/api/v1/attempts/{id}/submit/", {
      params: { path: { id: attempt } },
      body: { answers: free.answers },
    });
    expectStatus(twice, 409, "submit twice");
    check(typeof twice.error.detail === "string", "409 has a detail");
    const late = await client().PATCH("/api/v1/attempts/{id}/", {
      params: { path: { id: attempt } },
      body: { answers: free.answers },
    });
    expectStatus(late, 409, "save answers to a submitted attempt");

    const history = await client().GET("/api/v1/quizzes/{id}/attempts/", { params: { path: { id: free.quizId } } });
    expectStatus(history, 200, "my attempts");
    find(history.data, (a) => a.id === attempt && a.passed === true, "the passed attempt");
    const opened = await client().GET("/api/v1/lessons/{id}/", { params: { path: { id: gatedLesson } } });
    expectStatus(opened, 200, "the lesson that needed the quiz");
    check(!opened.data.locked && opened.data.locked_reason === null, "open once the quiz is passed");
    const finished = await client().POST("/api/v1/lessons/{id}/complete/", { params: { path: { id: gatedLesson } } });
    expectStatus(finished, 200, "complete the lesson that needed the quiz");
    const results = await client().GET("/api/v1/quizzes/{id}/results/", { params: { path: { id: free.quizId } } });
    expectStatus(results, 403, "quiz results as a student");
  });

  const work = ctx.freeCourse.assignment;
  const submissions = await step(
    "assignments: list, read, submit text, submit a PDF (three-step upload), my submissions; 400, 403, 404",
    async () => {
      const listed = await client().GET("/api/v1/sections/{section_id}/assignments/", {
        params: { path: { section_id: work.sectionId } },
      });
      expectStatus(listed, 200, "the section's assignments");
      find(listed.data, (a) => a.id === work.id, "the journey's assignment");
      const path = { params: { path: { id: work.id } } };
      const read = await client().GET("/api/v1/assignments/{id}/", path);
      expectStatus(read, 200, "the assignment");
      check(read.data.rubric.length === 2 && read.data.max_attempts === null, "a rubric, no attempt limit");
      check(read.data.submission_types.join() === "text,file", "text and files");

      const empty = await client().POST("/api/v1/assignments/{id}/submissions/", { ...path, body: { text: "  " } });
      expectStatus(empty, 400, "an empty submission");
      expectCode(empty.error, "empty", "empty submission 400");
      const byUrl = await client().POST("/api/v1/assignments/{id}/submissions/", {
        ...path,
        body: { url: "https://github.com/example/client" },
      });
      expectStatus(byUrl, 400, "a link where the assignment takes none");
      expectErrorField(byUrl.error, "url", "url submission 400");

      const text = await client().POST("/api/v1/assignments/{id}/submissions/", {
        ...path,
        body: { text: "createClient<paths>() with the generated types; three calls, all typed." },
      });
      expectStatus(text, 201, "submit text");
      check(text.data.attempt === 1 && text.data.status === "submitted", "attempt 1, submitted");
      check(!text.data.is_late && text.data.grade === null && text.data.files.length === 0, "on time, ungraded, no files");
      check(text.data.student.id === me.user.id && text.data.assignment === work.id, "mine, for this assignment");

      // A PDF in the three upload steps: ask, send the bytes, complete (the server sniffs "%PDF").
      const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
      const wrongType = await client().POST("/api/v1/uploads/", {
        body: { purpose: "submission_file", filename: "client.mp4", content_type: "video/mp4", size: 1000 },
      });
      expectStatus(wrongType, 415, "a video as a submission file");
      expectCode(wrongType.error, "unsupported_type", "415 code");
      const asked = await client().POST("/api/v1/uploads/", {
        body: { purpose: "submission_file", filename: "client.pdf", content_type: "application/pdf", size: pdf.length },
      });
      expectStatus(asked, 201, "upload ask (client.pdf)");
      check(asked.data.status === "pending" && asked.data.upload.method === "PUT", "a pending upload, PUT to the API");
      const uploadId = asked.data.id;
      const sent = await client().PUT("/api/v1/uploads/{id}/content/", {
        params: { path: { id: uploadId } },
        body: "(bytes)",
        bodySerializer: () => pdf,
        headers: { "Content-Type": "application/pdf" },
      });
      expectStatus(sent, 200, "upload bytes (client.pdf)");
      const done = await client().POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: uploadId } } });
      expectStatus(done, 200, "upload complete (client.pdf)");
      check(done.data.status === "ready" && done.data.detected_type === "application/pdf", "a ready PDF");

      const notMine = await api(peer).POST("/api/v1/assignments/{id}/submissions/", {
        ...path,
        body: { files: [uploadId] },
      });
      expectStatus(notMine, 400, "submitting another student's upload");
      const withFile = await client().POST("/api/v1/assignments/{id}/submissions/", {
        ...path,
        body: { text: "The client, as a PDF.", files: [uploadId] },
      });
      expectStatus(withFile, 201, "submit a PDF");
      check(withFile.data.attempt === 2 && withFile.data.status === "submitted", "attempt 2, submitted");
      const file = first(withFile.data.files, "submitted file");
      check(file.id === uploadId && file.content_type === "application/pdf" && file.size === pdf.length, "the PDF is attached");
      const download = await fetch(file.url);
      const bytes = new Uint8Array(await download.arrayBuffer());
      check(download.status === 200 && new TextDecoder().decode(bytes.slice(0, 4)) === "%PDF", "the signed link serves the PDF");

      const mine = await client().GET("/api/v1/assignments/{id}/submissions/", path);
      expectStatus(mine, 200, "my submissions");
      check(
        mine.data.count === 2 && mine.data.results.map((s) => s.attempt).join() === "1,2",
        "my two attempts, oldest first",
      );
      const theirs = await api(peer).GET("/api/v1/assignments/{id}/submissions/", path);
      expectStatus(theirs, 200, "the peer's submissions");
      check(theirs.data.count === 0, "a student lists only their own");
      const one = await client().GET("/api/v1/submissions/{id}/", { params: { path: { id: text.data.id } } });
      expectStatus(one, 200, "my submission");
      check(one.data.text === text.data.text && one.data.grade === null, "read back, ungraded");
      expectStatus(
        await api(peer).GET("/api/v1/submissions/{id}/", { params: { path: { id: text.data.id } } }),
        404,
        "another student's submission",
      );
      expectStatus(
        await client().GET("/api/v1/submissions/{id}/", { params: { path: { id: UNKNOWN_ID } } }),
        404,
        "an unknown submission",
      );
      const next = await client().GET("/api/v1/assignments/{id}/next-ungraded/", path);
      expectStatus(next, 403, "next-ungraded as a student");
      expectCode(next.error, "not_course_staff", "next-ungraded 403");
      const selfGrade = await client().POST("/api/v1/submissions/{id}/grade/", {
        params: { path: { id: text.data.id } },
        body: { score: "100" },
      });
      expectStatus(selfGrade, 403, "a student grades their own work");
      expectCode(selfGrade.error, "not_course_staff", "grade 403");
      return { first: text.data.id, second: withFile.data.id };
    },
  );

  // Grading comes after the student submitted: the course's instructor (the session in the context).
  await step("grading (the instructor): next-ungraded, ?status=, by rubric, re-grade by score, the zip; 400, 204, 409", async () => {
    const staff = api(ctx.instructor);
    const path = { params: { path: { id: work.id } } };
    const [correctness, style] = work.criteria;
    if (!correctness || !style) throw new Error("the assignment's rubric has two criteria");

    const waiting = await staff.GET("/api/v1/assignments/{id}/submissions/", {
      params: { path: { id: work.id }, query: { status: "submitted" } },
    });
    expectStatus(waiting, 200, "submissions to grade");
    check(
      waiting.data.results.map((s) => s.id).join() === [submissions.first, submissions.second].join(),
      "both attempts wait, oldest first",
    );
    const next = await staff.GET("/api/v1/assignments/{id}/next-ungraded/", path);
    expectStatus(next, 200, "next to grade");
    check(next.data?.id === submissions.first && next.data.status === "submitted", "the oldest attempt first");

    const firstId = { params: { path: { id: submissions.first } } };
    const over = await staff.POST("/api/v1/submissions/{id}/grade/", {
      ...firstId,
      body: {
        rubric_scores: [
          { criterion: correctness.id, points: String(correctness.points + 1) },
          { criterion: style.id, points: "10" },
        ],
      },
    });
    expectStatus(over, 400, "a criterion scored over its points");
    expectErrorField(over.error, "rubric_scores", "grade 400 (rubric)");
    const neither = await staff.POST("/api/v1/submissions/{id}/grade/", { ...firstId, body: { feedback: "?" } });
    expectStatus(neither, 400, "a grade without a score or rubric scores");
    expectFieldErrors(neither.error, ["score"], "grade 400 (neither)");
    const tooHigh = await staff.POST("/api/v1/submissions/{id}/grade/", {
      ...firstId,
      body: { score: String(work.points + 1) },
    });
    expectStatus(tooHigh, 400, "a score over the assignment's points");
    expectErrorField(tooHigh.error, "score", "grade 400 (score)");

    const graded = await staff.POST("/api/v1/submissions/{id}/grade/", {
      ...firstId,
      body: {
        rubric_scores: [
          { criterion: correctness.id, points: "50" },
          { criterion: style.id, points: "35" },
        ],
        feedback: "Typed and working; test the error paths.",
      },
    });
    expectStatus(graded, 200, "grade by rubric");
    check(Number(graded.data.score) === 85 && Number(graded.data.points) === 85, "85 points (50 + 35)");
    check(Number(graded.data.percent) === 85 && Number(graded.data.late_penalty) === 0, "85%, on time");
    check(
      graded.data.rubric_scores.map((r) => `${r.criterion}:${Number(r.points)}/${r.max_points}`).join() ===
        `${correctness.id}:50/${correctness.points},${style.id}:35/${style.points}`,
      "the rubric scores, each with its maximum",
    );
    check(graded.data.graded_by?.id === ctx.instructor.user.id, "graded by the instructor");

    const then = await staff.GET("/api/v1/assignments/{id}/next-ungraded/", path);
    expectStatus(then, 200, "next to grade after one");
    check(then.data?.id === submissions.second, "the second attempt is next");
    const secondId = { params: { path: { id: submissions.second } } };
    const byRubric = await staff.POST("/api/v1/submissions/{id}/grade/", {
      ...secondId,
      body: {
        rubric_scores: [
          { criterion: correctness.id, points: "55" },
          { criterion: style.id, points: "30.5" },
        ],
      },
    });
    expectStatus(byRubric, 200, "grade the second attempt by rubric");
    check(Number(byRubric.data.points) === 85.5, "85.5 points");
    const regraded = await staff.POST("/api/v1/submissions/{id}/grade/", {
      ...secondId,
      body: { score: "90", feedback: "Re-graded: the tests were there." },
    });
    expectStatus(regraded, 200, "re-grade by score");
    check(Number(regraded.data.points) === 90 && Number(regraded.data.percent) === 90, "90 points, 90%");
    check(regraded.data.rubric_scores.length === 0, "a score, not rubric scores");

    const none = await staff.GET("/api/v1/assignments/{id}/next-ungraded/", path);
    expectStatus(none, 204, "nothing left to grade");
    const done = await staff.GET("/api/v1/assignments/{id}/submissions/", {
      params: { path: { id: work.id }, query: { status: "graded" } },
    });
    expectStatus(done, 200, "graded submissions");
    check(done.data.count === 2 && done.data.results.every((s) => s.grade !== null), "both graded");
    const read = await staff.GET("/api/v1/submissions/{id}/", secondId);
    expectStatus(read, 200, "a submission, as its grader");
    check(Number(read.data.grade?.points) === 90, "the current grade is the re-grade");
    const asked = await staff.POST("/api/v1/assignments/{id}/archive/", path);
    expectStatus(asked, 202, "ask for the zip of every submission");
    const zip = await waitFor("the submissions zip", 90, async () => {
      const read = await staff.GET("/api/v1/assignments/{id}/archive/", path);
      expectStatus(read, 200, "the submissions zip");
      check(read.data.status !== "failed", `the zip failed: ${read.data.error}`);
      return read.data.status === "ready" ? read.data : undefined;
    });
    check(zip.id === asked.data.id && zip.submission_count === 2 && zip.url !== null, "both attempts, a link");
    const zipped = await fetch(zip.url ?? "");
    check(zipped.status === 200, `download the zip: ${zipped.status}`);
    check(new TextDecoder().decode(new Uint8Array(await zipped.arrayBuffer()).slice(0, 2)) === "PK", "a zip file");
    const studentZip = await client().GET("/api/v1/assignments/{id}/archive/", path);
    expectStatus(studentZip, 403, "a student reads the submissions zip");
    const del = await staff.DELETE("/api/v1/assignments/{id}/", path);
    expectStatus(del, 409, "delete an assignment with submissions");
    expectCode(del.error, "has_submissions", "assignment delete 409");
  });

  await step("assignments after grading: my grade, 409 already_graded on a further attempt", async () => {
    const mine = await client().GET("/api/v1/submissions/{id}/", { params: { path: { id: submissions.second } } });
    expectStatus(mine, 200, "my graded submission");
    check(mine.data.status === "graded", "graded");
    const grade = mine.data.grade;
    check(grade !== null && Number(grade.points) === 90 && Number(grade.percent) === 90, "90 points, 90%");
    check(grade.feedback === "Re-graded: the tests were there.", "with the grader's feedback");
    const all = await client().GET("/api/v1/assignments/{id}/submissions/", { params: { path: { id: work.id } } });
    expectStatus(all, 200, "my submissions after grading");
    check(all.data.results.every((s) => s.status === "graded"), "both attempts graded");
    const again = await client().POST("/api/v1/assignments/{id}/submissions/", {
      params: { path: { id: work.id } },
      body: { text: "One more try." },
    });
    expectStatus(again, 409, "submit after a grade (no attempt limit)");
    expectCode(again.error, "already_graded", "submission 409");
  });

  await step("gradebook: the scheme (PATCH, 400), the course's gradebook in JSON and CSV, my own grades; 403s", async () => {
    const staff = api(ctx.instructor);
    const course = { params: { path: { course_id: free.id } } };
    const unbalanced = await staff.PATCH("/api/v1/courses/{course_id}/grading/", {
      ...course,
      body: { weights: { quizzes: 40, assignments: 50 } },
    });
    expectStatus(unbalanced, 400, "weights that do not add up to 100");
    const noFloor = await staff.PATCH("/api/v1/courses/{course_id}/grading/", {
      ...course,
      body: { letter_scale: [{ letter: "P", min_percent: 50 }] },
    });
    expectStatus(noFloor, 400, "a letter scale without a letter at 0");
    expectFieldErrors(noFloor.error, ["letter_scale"], "grading 400 (letter scale)");
    const scheme = await staff.PATCH("/api/v1/courses/{course_id}/grading/", {
      ...course,
      body: {
        weights: { quizzes: 40, assignments: 60 },
        pass_percent: 70,
        letter_scale: [
          { letter: "Pass", min_percent: 70 },
          { letter: "Distinction", min_percent: 90 },
          { letter: "Fail", min_percent: 0 },
        ],
      },
    });
    expectStatus(scheme, 200, "set the course's grading");
    check(
      scheme.data.letter_scale.map((s) => s.letter).join() === "Distinction,Pass,Fail",
      "the letter scale, highest first",
    );
    const read = await staff.GET("/api/v1/courses/{course_id}/grading/", course);
    expectStatus(read, 200, "the course's grading");
    check(read.data.weights.assignments === 60 && read.data.pass_percent === 70, "as set");

    const book = await staff.GET("/api/v1/courses/{course_id}/gradebook/", course);
    expectStatus(book, 200, "the gradebook");
    if (typeof book.data !== "object") throw new Error("the gradebook is JSON by default");
    const quizItem = find(book.data.items, (i) => i.kind === "quiz" && i.object_id === ctx.freeCourse.quizId, "the quiz");
    const workItem = find(book.data.items, (i) => i.kind === "assignment" && i.object_id === work.id, "the assignment");
    const row = find(book.data.rows, (r) => r.student.id === me.user.id, "my row in the gradebook");
    check(row.scores[workItem.id] === 90, `the re-grade counts: ${JSON.stringify(row.scores)}`);
    check(row.scores[quizItem.id] === quizItem.points, "the quiz passed with every answer right");
    const expected = Math.round((40 * (row.categories.quizzes ?? 0) + 60 * (row.categories.assignments ?? 0))) / 100;
    check(Math.abs((row.percent ?? -1) - expected) < 0.01, `the weighted percent ${row.percent} (${expected})`);
    check(row.letter === "Distinction" && row.passed === true, `letter and pass: ${row.letter}, ${row.passed}`);
    const csv = await staff.GET("/api/v1/courses/{course_id}/gradebook/", {
      params: { path: { course_id: free.id }, query: { format: "csv" } },
      parseAs: "text",
    });
    expectStatus(csv, 200, "the gradebook in CSV");
    check(csv.response.headers.get("content-type")?.startsWith("text/csv") === true, "a CSV download");
    const lines = csv.data.trim().split(/\r?\n/);
    check(lines[0]?.startsWith("student_id,last_name,first_name,") === true, "the CSV header");
    check(lines.length === book.data.count + 1, "a line per student");

    const mine = await client().GET("/api/v1/me/courses/{course_id}/grades/", course);
    expectStatus(mine, 200, "my grades");
    check(mine.data.percent === row.percent && mine.data.letter === row.letter, "the same figures as the gradebook");
    const myWork = find(mine.data.items, (i) => i.id === workItem.id, "the assignment among my grades");
    check(myWork.score === 90 && !myWork.score_hidden, "my 90 points");
    const notMine = await client().GET("/api/v1/courses/{course_id}/gradebook/", course);
    expectStatus(notMine, 403, "a student reads the gradebook");
    expectCode(notMine.error, "not_course_staff", "gradebook 403");
    const staffGrades = await staff.GET("/api/v1/me/courses/{course_id}/grades/", course);
    expectStatus(staffGrades, 403, "own grades in a course one teaches, not enrolled in");
    expectCode(staffGrades.error, "not_enrolled", "my grades 403");
  });

  await step("live sessions and my calendar: the instructor schedules (400), I see the join link, attendance is marked; the calendar and its feed (400, 404)", async () => {
    const staff = api(ctx.instructor);
    const course = { params: { path: { course_id: free.id } } };
    const startsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const insecure = await staff.POST("/api/v1/courses/{course_id}/live-sessions/", {
      ...course,
      body: { title: "Office hours", starts_at: startsAt, duration_minutes: 60, join_url: "http://meet.example.com/x" },
    });
    expectStatus(insecure, 400, "a join link that is not https");
    expectFieldErrors(insecure.error, ["join_url"], "live session 400");
    const made = await staff.POST("/api/v1/courses/{course_id}/live-sessions/", {
      ...course,
      body: { title: "Office hours", starts_at: startsAt, duration_minutes: 60, join_url: "https://meet.example.com/x" },
    });
    expectStatus(made, 201, "schedule a live session");
    const scrap = await staff.POST("/api/v1/courses/{course_id}/live-sessions/", {
      ...course,
      body: { title: "Scrap", starts_at: startsAt, duration_minutes: 30, join_url: "https://meet.example.com/s" },
    });
    expectStatus(scrap, 201, "a second session");
    const session = { params: { path: { id: made.data.id } } };
    const replaced = await staff.PUT("/api/v1/live-sessions/{id}/", {
      ...session,
      body: { title: "Office hours, week 1", starts_at: startsAt, duration_minutes: 90, join_url: "https://meet.example.com/y" },
    });
    expectStatus(replaced, 200, "live session PUT");
    const patched = await staff.PATCH("/api/v1/live-sessions/{id}/", { ...session, body: { duration_minutes: 75 } });
    expectStatus(patched, 200, "live session PATCH");
    check(patched.data.duration_minutes === 75 && patched.data.title === "Office hours, week 1", "as changed");
    expectStatus(
      await staff.DELETE("/api/v1/live-sessions/{id}/", { params: { path: { id: scrap.data.id } } }),
      204,
      "live session delete",
    );

    const listed = await client().GET("/api/v1/courses/{course_id}/live-sessions/", course);
    expectStatus(listed, 200, "the course's live sessions, as an enrolled student");
    const mine = find(listed.data.results, (s) => s.id === made.data.id, "the session among the course's");
    check(mine.join_url === "https://meet.example.com/y", "the join link, for an enrolled student");
    const read = await client().GET("/api/v1/live-sessions/{id}/", session);
    expectStatus(read, 200, "a live session, as an enrolled student");
    const selfMark = await client().POST("/api/v1/live-sessions/{id}/attendance/", { ...session, body: { present: [me.user.id] } });
    expectStatus(selfMark, 403, "a student marks attendance");
    const outsider = await register("student");
    expectStatus(await api(outsider).GET("/api/v1/live-sessions/{id}/", session), 404, "a session, as a student not enrolled");

    const unknown = await staff.POST("/api/v1/live-sessions/{id}/attendance/", {
      ...session,
      body: { present: [outsider.user.id] },
    });
    expectStatus(unknown, 400, "attendance for a student outside the session's audience");
    const marked = await staff.POST("/api/v1/live-sessions/{id}/attendance/", { ...session, body: { present: [me.user.id] } });
    expectStatus(marked, 200, "mark attendance");
    const attendance = await staff.GET("/api/v1/live-sessions/{id}/attendance/", session);
    expectStatus(attendance, 200, "the attendance");
    const row = find(attendance.data.results, (a) => a.student.id === me.user.id, "my attendance row");
    check(row.present && row.marked_at !== null, "marked present");

    const calendar = await client().GET("/api/v1/me/calendar/", {});
    expectStatus(calendar, 200, "my calendar (today and the next 31 days)");
    const event = find(calendar.data, (e) => e.type === "live_session" && e.id === made.data.id, "the session in my calendar");
    check(event.url === "https://meet.example.com/y" && event.ends_at !== null, "the join link and the end");
    const backwards = await client().GET("/api/v1/me/calendar/", {
      params: { query: { from: "2027-02-01T00:00:00Z", to: "2027-01-01T00:00:00Z" } },
    });
    expectStatus(backwards, 400, "a calendar range that ends before it starts");
    expectFieldErrors(backwards.error, ["to"], "calendar range 400");
    const first = await client().POST("/api/v1/me/calendar/token/", {});
    expectStatus(first, 201, "issue my calendar feed's address");
    const feed = await client().POST("/api/v1/me/calendar/token/", {});
    expectStatus(feed, 201, "issue a new address, voiding the first");
    const ics = await api().GET("/api/v1/me/calendar.ics", {
      params: { query: { token: feed.data.token } },
      parseAs: "text",
    });
    expectStatus(ics, 200, "the iCalendar feed, without signing in");
    check(ics.response.headers.get("content-type")?.startsWith("text/calendar") === true, "a text/calendar feed");
    check(ics.data.includes(`UID:live_session-${made.data.id}@`), "the session's stable UID in the feed");
    const voided = await api().GET("/api/v1/me/calendar.ics", { params: { query: { token: first.data.token } } });
    expectStatus(voided, 404, "the voided feed address");
  });

  const certificate = await step("certificate: request, wait until issued, download the PDF, verify anonymously", async () => {
    const progress = await client().GET("/api/v1/courses/{id}/progress/", { params: { path: { id: free.id } } });
    expectStatus(progress, 200, "progress");
    check(progress.data.completed_at !== null, "lessons and quiz done: the course is completed");
    const issued = await waitFor("the certificate", 90, async () => {
      const asked = await client().POST("/api/v1/me/certificates/", { body: { course: free.id } });
      if (asked.response.status === 202) return undefined;
      expectStatus(asked, 200, "request the certificate");
      return "verification_code" in asked.data ? asked.data : undefined;
    });
    const notMine = await api(peer).POST("/api/v1/me/certificates/", { body: { course: free.id } });
    expectStatus(notMine, 400, "a certificate for a course not completed");
    const list = await client().GET("/api/v1/me/certificates/");
    expectStatus(list, 200, "my certificates");
    find(list.data.results, (c) => c.id === issued.id, "the certificate among mine");

    const pdf = await client().GET("/api/v1/certificates/{id}/download/", {
      params: { path: { id: issued.id } },
      parseAs: "arrayBuffer",
    });
    expectStatus(pdf, 200, "download the certificate");
    check(new TextDecoder().decode(pdf.data.slice(0, 5)) === "%PDF-", "a PDF");
    const theirs = await api(peer).GET("/api/v1/certificates/{id}/download/", {
      params: { path: { id: issued.id } },
      parseAs: "arrayBuffer",
    });
    expectStatus(theirs, 404, "another student's certificate");

    const verified = await api().GET("/api/v1/certificates/verify/{code}/", {
      params: { path: { code: issued.verification_code } },
    });
    expectStatus(verified, 200, "verify anonymously");
    check(verified.data.valid && verified.data.sha256 === issued.pdf_sha256, "valid, with the PDF's sha256");
    const bogus = await api().GET("/api/v1/certificates/verify/{code}/", { params: { path: { code: "NOSUCHCODE" } } });
    expectStatus(bogus, 404, "verify an unknown code");
    return issued;
  });

  await step("paid course: checkout with a coupon, pay at Stripe, webhook, order, refund", async () => {
    const badCoupon = await client().POST("/api/v1/courses/{course_id}/checkout/", {
      params: { path: { course_id: paid.id } },
      body: { coupon: "NO-SUCH-COUPON" },
    });
    expectStatus(badCoupon, 400, "checkout with an unknown coupon");
    check("coupon" in badCoupon.error && Array.isArray(badCoupon.error.coupon), `400 names the coupon: ${JSON.stringify(badCoupon.error)}`);
    const freeCheckout = await client().POST("/api/v1/courses/{course_id}/checkout/", {
      params: { path: { course_id: free.id } },
      body: {},
    });
    check([400, 409].includes(freeCheckout.response.status), "no checkout for a free course");

    const checkout = await client().POST("/api/v1/courses/{course_id}/checkout/", {
      params: { path: { course_id: paid.id } },
      body: { coupon: paid.couponCode },
    });
    expectStatus(checkout, 201, "checkout");
    if (!("order_id" in checkout.data)) throw new Error("an order (201), not a waitlist place (202)");
    check(Number(checkout.data.discount) > 0, "the coupon gave a discount");
    check(Number(checkout.data.amount) < Number(paid.price), "the amount is below the list price");
    const orderId = checkout.data.order_id;
    const intentId = checkout.data.payment_intent_id;
    check(intentId !== null, "a PaymentIntent to confirm");

    const forged = await api().POST("/api/v1/payments/stripe/webhook/", {
      body: { id: "evt_forged", type: "payment_intent.succeeded", data: {} },
      headers: { "Stripe-Signature": "t=1,v1=forged" },
    });
    expectStatus(forged, 400, "a webhook with a bad signature");

    if (!stripeConfigured()) throw new Error("set LMS_STRIPE_API_BASE and LMS_STRIPE_WEBHOOK_SECRET (the server's Stripe emulator)");
    const { payload, signature } = await payIntent(intentId ?? "");
    const delivered = await api().POST("/api/v1/payments/stripe/webhook/", {
      body: JSON.parse(payload), // the signed event, sent byte for byte by the serializer below
      bodySerializer: () => payload,
      headers: { "Stripe-Signature": signature },
    });
    expectStatus(delivered, 200, "the payment_intent.succeeded webhook");

    const order = await client().GET("/api/v1/orders/{id}/", { params: { path: { id: orderId } } });
    expectStatus(order, 200, "the order");
    check(order.data.status === "paid", `the order is paid: ${order.data.status}`);
    const orders = await client().GET("/api/v1/me/orders/");
    expectStatus(orders, 200, "my orders");
    find(orders.data.results, (o) => o.id === orderId, "the order among mine");
    const peers = await api(peer).GET("/api/v1/orders/{id}/", { params: { path: { id: orderId } } });
    expectStatus(peers, 404, "another student's order");
    const again = await client().POST("/api/v1/courses/{course_id}/checkout/", {
      params: { path: { course_id: paid.id } },
      body: {},
    });
    expectStatus(again, 409, "checkout for a course I own");
    const announcements = await client().GET("/api/v1/courses/{course_id}/announcements/", {
      params: { path: { course_id: paid.id } },
    });
    expectStatus(announcements, 200, "the paid course's announcements, as a buyer");

    const refund = await client().POST("/api/v1/orders/{id}/refund/", { params: { path: { id: orderId } } });
    expectStatus(refund, 200, "refund within the window");
    const refundAgain = await client().POST("/api/v1/orders/{id}/refund/", { params: { path: { id: orderId } } });
    expectStatus(refundAgain, 409, "refund twice");
    const noCertRefund = await api(peer).POST("/api/v1/orders/{id}/refund/", { params: { path: { id: orderId } } });
    expectStatus(noCertRefund, 404, "refund of another's order");
  });

  const postId = await step("forum: posts, comments, replies, votes, reports; 403 on another's post", async () => {
    const course = { path: { course_id: free.id } };
    const empty = await client().POST("/api/v1/courses/{course_id}/forum/posts/", { params: course, body: { title: "", body: "" } });
    expectStatus(empty, 400, "a post without title and body");
    const created = await client().POST("/api/v1/courses/{course_id}/forum/posts/", {
      params: course,
      body: { title: "Question about lesson one", body: "Is the second example right?" },
    });
    expectStatus(created, 201, "start a thread");
    const post = created.data.id;
    const listed = await client().GET("/api/v1/courses/{course_id}/forum/posts/", {
      params: { ...course, query: { page_size: 10 } },
    });
    expectStatus(listed, 200, "the course's threads");
    find(listed.data.results, (p) => p.id === post, "my thread in the list");
    const read = await client().GET("/api/v1/forum/posts/{id}/", { params: { path: { id: post } } });
    expectStatus(read, 200, "my thread");
    const edited = await client().PATCH("/api/v1/forum/posts/{id}/", {
      params: { path: { id: post } },
      body: { body: "Is the second example right? (edited)" },
    });
    expectStatus(edited, 200, "edit my thread");
    const notMine = await api(peer).PATCH("/api/v1/forum/posts/{id}/", {
      params: { path: { id: post } },
      body: { body: "hijacked" },
    });
    expectStatus(notMine, 403, "edit another's thread");

    const comment = await api(peer).POST("/api/v1/forum/posts/{id}/comments/", {
      params: { path: { id: post } },
      body: { body: "Yes, it is." },
    });
    expectStatus(comment, 201, "the peer comments");
    const reply = await client().POST("/api/v1/forum/posts/{id}/comments/", {
      params: { path: { id: post } },
      body: { body: "Thanks!", parent: comment.data.id },
    });
    expectStatus(reply, 201, "reply to the comment");
    const fixed = await client().PATCH("/api/v1/forum/comments/{id}/", {
      params: { path: { id: reply.data.id } },
      body: { body: "Thanks a lot!" },
    });
    expectStatus(fixed, 200, "edit my reply");
    const comments = await client().GET("/api/v1/forum/posts/{id}/comments/", {
      params: { path: { id: post }, query: { page: 1, page_size: 20 } },
    });
    expectStatus(comments, 200, "the thread's comments");
    find(comments.data.results, (c) => c.id === comment.data.id, "the peer's comment in the thread");

    const up = await api(peer).POST("/api/v1/forum/posts/{id}/upvote/", { params: { path: { id: post } } });
    expectStatus(up, 200, "upvote");
    check(up.data.voted && up.data.vote_count === 1, "one vote");
    const down = await api(peer).POST("/api/v1/forum/posts/{id}/upvote/", { params: { path: { id: post } } });
    expectStatus(down, 200, "upvote again takes it back");
    check(!down.data.voted && down.data.vote_count === 0, "no vote");

    const reported = await client().POST("/api/v1/forum/comments/{id}/report/", {
      params: { path: { id: comment.data.id } },
      body: { reason: "Off topic" },
    });
    expectStatus(reported, 201, "report the peer's comment");
    const noReason = await client().POST("/api/v1/forum/posts/{id}/report/", {
      params: { path: { id: post } },
      body: { reason: "" },
    });
    expectStatus(noReason, 400, "a report without a reason");
    const postReport = await api(peer).POST("/api/v1/forum/posts/{id}/report/", {
      params: { path: { id: post } },
      body: { reason: "Spam" },
    });
    expectStatus(postReport, 201, "the peer reports my thread");
    const twice = await api(peer).POST("/api/v1/forum/posts/{id}/report/", {
      params: { path: { id: post } },
      body: { reason: "Spam" },
    });
    expectStatus(twice, 409, "report the same thread twice");

    const gone = await client().DELETE("/api/v1/forum/comments/{id}/", { params: { path: { id: reply.data.id } } });
    expectStatus(gone, 204, "delete my reply");
    const theirs = await api(peer).DELETE("/api/v1/forum/posts/{id}/", { params: { path: { id: post } } });
    expectStatus(theirs, 403, "delete another's thread");
    const draft = await client().POST("/api/v1/courses/{course_id}/forum/posts/", {
      params: course,
      body: { title: "Never mind", body: "Found it." },
    });
    expectStatus(draft, 201, "start a second thread");
    const dropped = await client().DELETE("/api/v1/forum/posts/{id}/", { params: { path: { id: draft.data.id } } });
    expectStatus(dropped, 204, "delete my own thread");
    return post;
  });

  await step("reviews: write (409 twice), edit, filter, 403 on another's, delete", async () => {
    const course = { path: { course_id: free.id } };
    const bad = await client().POST("/api/v1/courses/{course_id}/reviews/", { params: course, body: { rating: 9 } });
    expectStatus(bad, 400, "a rating of 9");
    check("rating" in bad.error && Array.isArray(bad.error.rating), "400 names the rating");
    const mine = await client().POST("/api/v1/courses/{course_id}/reviews/", {
      params: course,
      body: { rating: 4, comment: "Clear and short." },
    });
    expectStatus(mine, 201, "review the course");
    const twice = await client().POST("/api/v1/courses/{course_id}/reviews/", { params: course, body: { rating: 5 } });
    expectStatus(twice, 409, "review twice");
    const edited = await client().PATCH("/api/v1/reviews/{id}/", {
      params: { path: { id: mine.data.id } },
      body: { rating: 5 },
    });
    expectStatus(edited, 200, "edit my review");
    const notMine = await api(peer).PATCH("/api/v1/reviews/{id}/", {
      params: { path: { id: mine.data.id } },
      body: { rating: 1 },
    });
    expectStatus(notMine, 403, "edit another's review");
    const fives = await api().GET("/api/v1/courses/{course_id}/reviews/", {
      params: { ...course, query: { rating: 5, ordering: "-created_at", page: 1, page_size: 10 } },
    });
    expectStatus(fives, 200, "the course's five-star reviews");
    find(fives.data.results, (r) => r.id === mine.data.id, "my review among the five-star ones");
    check(fives.data.results.every((r) => r.rating === 5), "only five-star reviews");
    const peerReview = await api(peer).POST("/api/v1/courses/{course_id}/reviews/", { params: course, body: { rating: 3 } });
    expectStatus(peerReview, 201, "the peer reviews too");
    const deleted = await api(peer).DELETE("/api/v1/reviews/{id}/", { params: { path: { id: peerReview.data.id } } });
    expectStatus(deleted, 204, "the peer deletes their review");
  });

  await step("notifications: list, unread count, read one, read all, preferences", async () => {
    const listed = await client().GET("/api/v1/notifications/", { params: { query: { page_size: 50 } } });
    expectStatus(listed, 200, "my notifications");
    const note = first(listed.data.results, "notification (enrollment, receipt, certificate)");
    const unread = await client().GET("/api/v1/notifications/unread-count/");
    expectStatus(unread, 200, "unread count");
    const read = await client().POST("/api/v1/notifications/{id}/read/", { params: { path: { id: note.id } } });
    expectStatus(read, 200, "mark one read");
    check(read.data.read_at !== null, "it is read");
    const notMine = await api(peer).POST("/api/v1/notifications/{id}/read/", { params: { path: { id: note.id } } });
    expectStatus(notMine, 404, "mark another's notification read");
    const all = await client().POST("/api/v1/notifications/read-all/");
    expectStatus(all, 200, "mark all read");
    const none = await client().GET("/api/v1/notifications/unread-count/");
    expectStatus(none, 200, "unread count after reading all");
    check(none.data.count === 0, "nothing unread");
    const onlyUnread = await client().GET("/api/v1/notifications/", { params: { query: { unread: true } } });
    expectStatus(onlyUnread, 200, "unread notifications");
    check(onlyUnread.data.results.length === 0, "none unread");

    const prefs = await client().GET("/api/v1/notifications/preferences/");
    expectStatus(prefs, 200, "my notification preferences");
    const pref = first(prefs.data.preferences, "preference");
    const changed = await client().PATCH("/api/v1/notifications/preferences/", {
      body: { preferences: [{ type: pref.type, email: !pref.email }] },
    });
    expectStatus(changed, 200, "change a preference");
    check(find(changed.data.preferences, (p) => p.type === pref.type, "the changed type").email === !pref.email, "changed");
    const bad = await client().PATCH("/api/v1/notifications/preferences/", { body: { preferences: [] } });
    expectStatus(bad, 400, "an empty preferences change");
  });

  await step("dashboard", async () => {
    const dashboard = await client().GET("/api/v1/dashboard/student/");
    expectStatus(dashboard, 200, "the student dashboard");
    find(dashboard.data.certificates, (c) => c.id === certificate.id, "the certificate on the dashboard");
    const other = await client().GET("/api/v1/dashboard/instructor/");
    expectStatus(other, 403, "the instructor dashboard, as a student");
    const thread = await api().GET("/api/v1/forum/posts/{id}/", { params: { path: { id: postId } } });
    expectStatus(thread, 401, "a forum thread, anonymously");
  });

  await step("log out: the refresh token is refused afterwards", async () => {
    const session = await login(me.user.email, PASSWORD);
    const out = await api(session).POST("/api/v1/auth/logout/", { body: { refresh: session.refresh } });
    expectStatus(out, 204, "log out");
    const after = await api().POST("/api/v1/auth/token/refresh/", { body: { refresh: session.refresh } });
    expectStatus(after, 401, "refresh after logout");
  });

  await step("privacy: export my data (a zip, once a day), ask for erasure (signed out everywhere), cancel", async () => {
    const asked = await client().POST("/api/v1/me/data-exports/");
    expectStatus(asked, 202, "ask for an export of my data");
    const ready = await waitFor("my data export", 90, async () => {
      const list = await client().GET("/api/v1/me/data-exports/");
      expectStatus(list, 200, "my data exports");
      const mine = find(list.data, (e) => e.id === asked.data.id, "the export I asked for");
      check(mine.status !== "failed", "the export failed");
      return mine.status === "ready" ? mine : undefined;
    });
    check(ready.download_url !== null && ready.expires_at !== null, "a link that expires");
    const zipped = await fetch(ready.download_url ?? "");
    check(zipped.status === 200, `download my data: ${zipped.status}`);
    check(new TextDecoder().decode(new Uint8Array(await zipped.arrayBuffer()).slice(0, 2)) === "PK", "a zip file");
    const again = await client().POST("/api/v1/me/data-exports/");
    expectStatus(again, 429, "a second export the same day");

    // Erasure on an account of its own: asking signs every session out; signing in again works.
    const leaving = await register("student");
    const wrong = await api(leaving).POST("/api/v1/me/erasure/", { body: { password: "not-my-password" } });
    expectStatus(wrong, 400, "erasure with a wrong password");
    const scheduled = await api(leaving).POST("/api/v1/me/erasure/", { body: { password: PASSWORD } });
    expectStatus(scheduled, 202, "ask for my erasure");
    check(Date.parse(scheduled.data.scheduled_for) > Date.now() + 13 * 86400_000, "after the grace period");
    expectStatus(await api(leaving).GET("/api/v1/auth/me/"), 401, "the old token, after asking for erasure");
    const back = await login(leaving.user.email, PASSWORD);
    expectStatus(await api(back).DELETE("/api/v1/me/erasure/"), 204, "cancel my erasure");
    const none = await api(back).DELETE("/api/v1/me/erasure/");
    expectStatus(none, 409, "cancel again: none pending");
  });

  console.log(`  (student ${me.user.email} on ${BASE_URL})`);
  return me;
}
