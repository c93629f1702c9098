// The instructor journey: what an instructor's front end calls, from sign-up to reports. It builds
// the courses the student journey then uses (returned as the JourneyContext): a published free
// course with lessons and a quiz whose answers are known, and a published paid course with a coupon.
// A second instructor and two helper students exercise what needs other accounts: 403 on another
// instructor's course, a thread to moderate and a report to resolve, a review to answer, a quiz
// that has attempts (so it cannot be deleted) and a course with a student (so delete archives it).
import {
  type JourneyContext,
  type QuizAnswer,
  type Session,
  PASSWORD,
  adminSession,
  api,
  check,
  expectCode,
  expectErrorField,
  expectFieldErrors,
  expectStatus,
  first,
  register,
  step,
  unique,
  uniqueEmail,
} from "./lib.js";

const UNKNOWN_ID = 2_000_000_000;
// Real files for the upload steps: a 64x36 PNG, and a one-second 64x36 H.264 MP4 (ffmpeg's testsrc).
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAEAAAAAkCAIAAAC2bqvFAAAAR0lEQVR4nO3PQQ3AIADAQEAIwlCMrIngcVnSU9DOfe74s6UDXjWgNaA1oDWgNaA1oDWgNaA1oDWgNaA1oDWgNaA1oDWgNaB92DUBiGd1QqgAAAAASUVORK5CYII=",
  "base64",
);
const MP4 = Buffer.from(
  "AAAAIGZ0eXBpc29tAAACAGlzb21pc28yYXZjMW1wNDEAAAAIZnJlZQAACnxtZGF0AAACUwYF//9P3EXpvebZSLeWLNgg2SPu73gy" +
  "NjQgLSBjb3JlIDE2NCByMzA5NSBiYWVlNDAwIC0gSC4yNjQvTVBFRy00IEFWQyBjb2RlYyAtIENvcHlsZWZ0IDIwMDMtMjAyMiAt" +
  "IGh0dHA6Ly93d3cudmlkZW9sYW4ub3JnL3gyNjQuaHRtbCAtIG9wdGlvbnM6IGNhYmFjPTAgcmVmPTEgZGVibG9jaz0wOjA6MCBh" +
  "bmFseXNlPTA6MCBtZT1kaWEgc3VibWU9MCBwc3k9MSBwc3lfcmQ9MS4wMDowLjAwIG1peGVkX3JlZj0wIG1lX3JhbmdlPTE2IGNo" +
  "cm9tYV9tZT0xIHRyZWxsaXM9MCA4eDhkY3Q9MCBjcW09MCBkZWFkem9uZT0yMSwxMSBmYXN0X3Bza2lwPTEgY2hyb21hX3FwX29m" +
  "ZnNldD0wIHRocmVhZHM9MSBsb29rYWhlYWRfdGhyZWFkcz0xIHNsaWNlZF90aHJlYWRzPTAgbnI9MCBkZWNpbWF0ZT0xIGludGVy" +
  "bGFjZWQ9MCBibHVyYXlfY29tcGF0PTAgY29uc3RyYWluZWRfaW50cmE9MCBiZnJhbWVzPTAgd2VpZ2h0cD0wIGtleWludD0yNTAg" +
  "a2V5aW50X21pbj01IHNjZW5lY3V0PTAgaW50cmFfcmVmcmVzaD0wIHJjPWNyZiBtYnRyZWU9MCBjcmY9MjMuMCBxY29tcD0wLjYw" +
  "IHFwbWluPTAgcXBtYXg9NjkgcXBzdGVwPTQgaXBfcmF0aW89MS40MCBhcT0wAIAAAARRZYiEOgxgAJoCA7RTeGjZoSpZgDUb/gAe" +
  "G6ImBP2dND7wAKglF76tjiRu+4PwFSEZL+zh93w8MOEAAUBSSAgABAfAAEAIChOACj/ICswUJ2/Qe+Pq9VzIAFsASNUHBNp7gJCR" +
  "QXAWQEYYKkkwcEYgAAg/AACM7wyAAIB4AAgoQwBAAEEwAAQ5IjBwABB+AAEmLiAACAaAAI3sQAAQaAAeGMAB0ABg5KKDCAi1z6eA" +
  "Dlc//AAeTtFnyAuGG/sH4AsEL3EkAsfPH+BGZkaG3Q6M8MOBwABALAAEAcAPuYQABAIJAHAgABAXAAcAYAAIIQALZk4gO5QgTt+D" +
  "hNbZ4AFgIM9V68EW76ImJEGAytZOZNoMLYACICUM0LH0V2tpG+EKIvf4A4AA9AIEznhQAAz0AGAuc8fAAWHwAFgFkacT20Uk0vFW" +
  "yHJ4+ADA8MIAA+AAICAwNhAAEgABATJAHfAHWGYBlWgo9ngAIAAQBrr+PgDZgxwTzaBHkeEjUFA1x2CzgANcyAAIAAQERuZYECwI" +
  "eJA/xIAyhD42BwTDyzw2QDgAFQCA2WHAALgCA+WW7CAIAAgULAA8IAA4AAIEQ0H8PbiAAEAAAAQEPGHFYICAMR2sPXwYBAArw5OA" +
  "AQADRgFnAAQZyBVSAMgiglMOhBCIP+BoByhTqnhUAAplAcESnjwAFh4ACwVAAIbgUKlPCgAGwChEZ48AGB4MQAAQYwABBGQQAAgS" +
  "YAAQCdxGxAHAD92heYAAgDgACA7qeA14QYCO7Q04IKC/7QWcABooBUgEixEm2SnLcmOCP/5TQHSHLLBvgAEsMor2uLNHCXbtAQEA" +
  "AHAAUBEsgAAQCgABAGABVyQgABAHABww0EAAICgOBrXMRCADAAOi0VYHeE0gRSphICNlEgABUADzgFnAB2RmRkZDAAEDrcwCQABD" +
  "vOAAsHAAWDgALBwAFg4AMAB0EondVtcQG77jgAwLAAIAACACwcABYOAAsHAAWDgALBwAYDgAEAABABYOADAcAAgAAIALAgABsAAQ" +
  "cIRYAAg0gAPfAAJqBrWxkoDv+uPgAEWCABEH3ETQAeTg0OKiNpTgTLOwkWgBsEAAGgAOA64FiR4AgOAAIEwAAhXph4N8Cwb4F6l6" +
  "lg3wLBvgXqXqGAAIBAGAAIhACCgAcAAIPhpEGUWgQyiwAhqxYAQ1Yg7Axchu43wyCLTws4OAAIC4AAgArAAESZMPAAWDwAFg8ABY" +
  "PAAWDwAYFhngAwLDPAAWDwAFg8ABYPAAWDwAYFhngAwLDEgACLugcAAQtBBJIAWRQoqm8AASYLJI/ACyIaAAsg8AJguABMBfAATb" +
  "bMzYAAgbgACAzu6AAIP4AEAAKbIiY36GR357MzY36nV3IAAIgYLuBh8OAARAwXcw4ABEDBdz8IAAqAAIBoUFAgCAAIFIADsjSLyg" +
  "BUTwZAVAC3MEMdSnB0ShgAAgBIWJZAABcIAAIAlzgAAAALtBmiBKJ1b4YgOIiklgcQjtLHgACABLAAEASA3JrKfiinLFgAEicsAA" +
  "jCCiqIABCrB4tAgeP1zEAHQNgph4YjFOWbZYADPFkcaIGWGBiUmAYAHiBEjPlI18HEHuClBKD+GIDxkLLA8MxZY8AAQBZYAAgCwM" +
  "EnG3BFl4sAAmXlgAEIQmRBgANG4KIdzC9l+mJAdA6Dq+GI2alssADEFkhFhljA2emBICgoSZFiUYWDFwW4jHGgO8fXD6xV1fAAAB" +
  "BUGaQGrwRVoqYrqn+Eqv6r4IK1gOCYVEsBx8I5KePAAEA6ooAAQCEyUKb+wPYlllhANMeAALqAgMPwkAKAuDkLQa+MDhNFI0gEU3" +
  "4YiJW5l3LLAEVMPAzmwA9izMiMeFhkQCAtAMAAToIEUbwUmD7YQxA9jAdzSIY446IP+eGI8JxFywIGFMWnHgACAbG2AAIBKYFLUu" +
  "B0hpLLxAJMfAALKAgHkwGAAK0Gx0PRHcOCeqUBHl+H+qiUuUzL5eBETDwY1mABgD7OISqw8LAZCAYGoBwACUDhA9NgJ7IEmZIES1" +
  "wHvNjYNEE4IPvDvd8X73bQk87HR/+eun9RT//PX9m18EPFflgAAAAQpBmmB689aBwncho88qggvnkKQjhqKef+GIDgiEslgFuIs7" +
  "R+HgACAlLAAPE5TmKKMA+NlljwADMsAAzCAwtDAANQC+AHbZFEGCWnvBpAUsoEIQ/DFbGizSwuKTDwyI8z2ggGikLpyggLph4AAg" +
  "JwwAC8BIQGlmBDGFmpKCLWGaHQCge5fPDEHCKQuWAfGS564LAAEBOyAAfLQeInaWB0hpLHgAGJYABiIAkEGAANgRYCikZswhHg7j" +
  "iA9BwQu+GKqNFfLChaYeAMF3s97QcEwVUsqEeEx8AAQEODAAFgdBAwl4HCEhQsQK4YKMsBYHMTnnuQ+vlkzE/568SiX//1pH56iz" +
  "3Pfelnl/wAAAAO5BmoB6LwxACo1sI8IXGTspjhkbABExTABpg+Nllgh62/DwADNgAEtAgPLhAACgOsBQMx+ghpj8WBpAKDATOogE" +
  "onhiuVLDbUseBlgYBTS4xmyj4eE4y5ZQgIA6YeAAICcJAB4GCALnbWghSLKIHn6aAgFMDXN4YgHA2zFElJcbzyuB6JwAqZfAALJg" +
  "OkNJYJmdPw8AAxZACSgQDicQAAqCLIYDTbkEi0JMaQELOASCzA9jwxZ/kTLFgMsBgH2cQR+w8HgIj2SyogMAyYeAAICUKAFwcIAU" +
  "MXZIBCBkYgVx5/hOWgSZnz1/1Evj/q5gAAADN21vb3YAAABsbXZoZAAAAAAAAAAAAAAAAAAAA+gAAAPoAAEAAAEAAAAAAAAAAAAA" +
  "AAABAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAJhdHJhawAA" +
  "AFx0a2hkAAAAAwAAAAAAAAAAAAAAAQAAAAAAAAPoAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAA" +
  "AAAAQAAAAABAAAAAJAAAAAAAJGVkdHMAAAAcZWxzdAAAAAAAAAABAAAD6AAAAAAAAQAAAAAB2W1kaWEAAAAgbWRoZAAAAAAAAAAA" +
  "AAAAAAAAKAAAACgAVcQAAAAAAC1oZGxyAAAAAAAAAAB2aWRlAAAAAAAAAAAAAAAAVmlkZW9IYW5kbGVyAAAAAYRtaW5mAAAAFHZt" +
  "aGQAAAABAAAAAAAAAAAAAAAkZGluZgAAABxkcmVmAAAAAAAAAAEAAAAMdXJsIAAAAAEAAAFEc3RibAAAALhzdHNkAAAAAAAAAAEA" +
  "AACoYXZjMQAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAABAACQASAAAAEgAAAAAAAAAARVMYXZjNTkuMzcuMTAwIGxpYngyNjQAAAAA" +
  "AAAAAAAAABj//wAAAC5hdmNDAULACv/hABdnQsAK2hH+fARAAAADAEAAAAMCg8SJqAEABGjOD8gAAAAQcGFzcAAAAAEAAAABAAAA" +
  "FGJ0cnQAAAAAAABToAAAU6AAAAAYc3R0cwAAAAAAAAABAAAABQAACAAAAAAUc3RzcwAAAAAAAAABAAAAAQAAABxzdHNjAAAAAAAA" +
  "AAEAAAABAAAABQAAAAEAAAAoc3RzegAAAAAAAAAAAAAABQAABqwAAAC/AAABCQAAAQ4AAADyAAAAFHN0Y28AAAAAAAAAAQAAADAA" +
  "AABidWR0YQAAAFptZXRhAAAAAAAAACFoZGxyAAAAAAAAAABtZGlyYXBwbAAAAAAAAAAAAAAAAC1pbHN0AAAAJal0b28AAAAdZGF0" +
  "YQAAAAEAAAAATGF2ZjU5LjI3LjEwMA==",
  "base64",
);

export async function run(): Promise<JourneyContext> {
  const { me, other, student } = await step("instructor: sign up, sign in, profile", async () => {
    const email = uniqueEmail("instructor");
    const bad = await api().POST("/api/v1/auth/instructors/register/", {
      body: { email: "not-an-email", password: PASSWORD, first_name: "Ada", last_name: "" },
    });
    expectStatus(bad, 400, "instructor register with bad input");
    expectFieldErrors(bad.error, ["email", "last_name"], "instructor register 400");

    const reg = await api().POST("/api/v1/auth/instructors/register/", {
      body: {
        email,
        password: PASSWORD,
        first_name: "Ada",
        last_name: "Journey",
        headline: "Teaches TypeScript",
        bio: "Writes typed clients.",
        expertise: "typescript, openapi",
      },
    });
    expectStatus(reg, 201, "instructor register");
    check(reg.data.user.role === "instructor", "a registered instructor has role instructor");

    const wrong = await api().POST("/api/v1/auth/instructors/login/", {
      body: { email, password: "wrong-password-1" },
    });
    expectStatus(wrong, 401, "instructor login with a wrong password");

    const signIn = await api().POST("/api/v1/auth/instructors/login/", { body: { email, password: PASSWORD } });
    expectStatus(signIn, 200, "instructor login");
    const me: Session = { access: signIn.data.access, refresh: signIn.data.refresh, user: signIn.data.user };
    const profile = await api(me).PATCH("/api/v1/auth/me/", { body: { headline: "Teaches typed API clients" } });
    expectStatus(profile, 200, "instructor profile PATCH");
    const read = await api(me).GET("/api/v1/auth/me/");
    expectStatus(read, 200, "instructor profile");
    check(read.data.role === "instructor", "role instructor");

    const student = await register("student");
    const other = await register("instructor");
    const studentAsInstructor = await api().POST("/api/v1/auth/instructors/login/", {
      body: { email: student.user.email, password: PASSWORD },
    });
    expectStatus(studentAsInstructor, 403, "instructor login for a student account");
    check(typeof studentAsInstructor.error?.detail === "string", "403 carries a detail");
    return { me, other, student };
  });

  const categoryId = await step("categories: an admin adds one, the instructor reads them", async () => {
    const admin = await adminSession();
    const created = await api(admin).POST("/api/v1/categories/", {
      body: { name: `Journey ${unique("cat")}`, slug: unique("journey") },
    });
    expectStatus(created, 201, "category create");
    const categoryId = created.data.id;

    const list = await api(me).GET("/api/v1/categories/", { params: { query: { page_size: 100 } } });
    expectStatus(list, 200, "categories list");
    const one = await api(me).GET("/api/v1/categories/{id}/", { params: { path: { id: categoryId } } });
    expectStatus(one, 200, "category retrieve");
    check(one.data.id === categoryId, "the category read back");
    const missing = await api(me).GET("/api/v1/categories/{id}/", { params: { path: { id: UNKNOWN_ID } } });
    expectStatus(missing, 404, "unknown category");
    return categoryId;
  });

  // The free course the student journey takes.
  const freeId = await step(
    "courses: create (400 on bad input, 403 for a student), update with PUT and PATCH",
    async () => {
      const bad = await api(me).POST("/api/v1/courses/", {
        body: { title: "", price: "-5.00", language: "English!" },
      });
      expectStatus(bad, 400, "course create with bad input");
      expectFieldErrors(bad.error, ["language", "price", "title"], "course create 400");

      const asStudent = await api(student).POST("/api/v1/courses/", { body: { title: "Not mine to make" } });
      expectStatus(asStudent, 403, "course create as a student");

      const created = await api(me).POST("/api/v1/courses/", {
        body: {
          title: `Typed clients ${unique("free")}`,
          subtitle: "From OpenAPI to TypeScript",
          description: "Generate, type-check and test a client.",
          category: categoryId,
          level: "beginner",
          language: "en",
          price: "0.00",
          currency: "USD",
        },
      });
      expectStatus(created, 201, "course create");
      check(created.data.status === "draft", "a new course is a draft");
      const freeId = created.data.id;

      const put = await api(me).PUT("/api/v1/courses/{id}/", {
        params: { path: { id: freeId } },
        body: {
          title: `Typed API clients ${unique("free")}`,
          subtitle: "From OpenAPI to TypeScript, checked in CI",
          description: "Generate, type-check and test a client against the served schema.",
          category: categoryId,
          level: "intermediate",
          language: "en",
          price: "0.00",
          currency: "USD",
        },
      });
      expectStatus(put, 200, "course update (PUT)");
      check(put.data.level === "intermediate", "PUT changed the level");

      const patch = await api(me).PATCH("/api/v1/courses/{id}/", {
        params: { path: { id: freeId } },
        body: { subtitle: "Typed end to end" },
      });
      expectStatus(patch, 200, "course update (PATCH)");
      check(patch.data.subtitle === "Typed end to end", "PATCH changed the subtitle");

      const badPatch = await api(me).PATCH("/api/v1/courses/{id}/", {
        params: { path: { id: freeId } },
        body: { title: "", price: "-1.00" },
      });
      expectStatus(badPatch, 400, "course PATCH with bad input");
      expectFieldErrors(badPatch.error, ["price", "title"], "course PATCH 400");

      const otherPatch = await api(other).PATCH("/api/v1/courses/{id}/", {
        params: { path: { id: freeId } },
        body: { title: "Taken over" },
      });
      // A draft is invisible to anyone but its owner and admins.
      expectStatus(otherPatch, 404, "another instructor's draft");

      const early = await api(me).POST("/api/v1/courses/{id}/publish/", { params: { path: { id: freeId } } });
      expectStatus(early, 400, "publish without a lesson");
      return freeId;
    },
  );

  // Curriculum of the free course: two sections (a third one is deleted).
  const { sectionId, otherSectionId } = await step(
    "sections: create, list, read, PUT, PATCH, reorder, delete; 400, 403, 404",
    async () => {
      const bad = await api(me).POST("/api/v1/courses/{id}/sections/", {
        params: { path: { id: freeId } },
        body: { title: "" },
      });
      expectStatus(bad, 400, "section create with bad input");
      expectFieldErrors(bad.error, ["title"], "section create 400");

      const sectionIn = async (title: string) => {
        const created = await api(me).POST("/api/v1/courses/{id}/sections/", {
          params: { path: { id: freeId } },
          body: { title },
        });
        expectStatus(created, 201, `section create (${title})`);
        return created.data.id;
      };
      const basics = await sectionIn("Basics");
      const generating = await sectionIn("Generating");
      const scrap = await sectionIn("Scrap");
      const ids = [basics, generating, scrap];

      const list = await api(me).GET("/api/v1/courses/{id}/sections/", { params: { path: { id: freeId } } });
      expectStatus(list, 200, "sections list");
      check(list.data.map((s) => s.id).join() === ids.join(), "sections listed in order");

      const one = await api(me).GET("/api/v1/sections/{id}/", { params: { path: { id: generating } } });
      expectStatus(one, 200, "section retrieve");
      const put = await api(me).PUT("/api/v1/sections/{id}/", {
        params: { path: { id: generating } },
        body: { title: "Generating the client" },
      });
      expectStatus(put, 200, "section update (PUT)");
      const patch = await api(me).PATCH("/api/v1/sections/{id}/", {
        params: { path: { id: generating } },
        body: { title: "Generating the typed client" },
      });
      expectStatus(patch, 200, "section update (PATCH)");
      check(patch.data.title === "Generating the typed client", "PATCH renamed the section");

      const reorder = await api(me).POST("/api/v1/courses/{id}/sections/reorder/", {
        params: { path: { id: freeId } },
        body: { order: [generating, basics, scrap] },
      });
      expectStatus(reorder, 200, "sections reorder");
      const badReorder = await api(me).POST("/api/v1/courses/{id}/sections/reorder/", {
        params: { path: { id: freeId } },
        body: { order: [basics] },
      });
      expectStatus(badReorder, 400, "sections reorder missing ids");
      expectCode(badReorder.error, "invalid_order", "sections reorder 400");

      const deleted = await api(me).DELETE("/api/v1/sections/{id}/", { params: { path: { id: scrap } } });
      expectStatus(deleted, 204, "section delete");
      const gone = await api(me).GET("/api/v1/sections/{id}/", { params: { path: { id: scrap } } });
      expectStatus(gone, 404, "deleted section");
      const foreign = await api(other).POST("/api/v1/courses/{id}/sections/", {
        params: { path: { id: freeId } },
        body: { title: "Not my course" },
      });
      expectStatus(foreign, 404, "section create on another instructor's draft");

      return { sectionId: basics, otherSectionId: generating };
    },
  );

  // Lessons: two in each section, the first one a free preview. Returns every lesson in curriculum order.
  const lessonIds = await step("lessons: create, list, read, PUT, PATCH, reorder, delete; 400, 404", async () => {
    const lessonIn = async (section: number, title: string, isPreview = false) => {
      const lesson = await api(me).POST("/api/v1/sections/{id}/lessons/", {
        params: { path: { id: section } },
        body: { title, content: `# ${title}\n\nRead, then try it.`, duration_seconds: 300, is_preview: isPreview },
      });
      expectStatus(lesson, 201, `lesson create (${title})`);
      return lesson.data.id;
    };
    const a = await lessonIn(sectionId, "What a schema promises", true);
    const b = await lessonIn(sectionId, "Reading the schema");
    await lessonIn(otherSectionId, "openapi-typescript");
    await lessonIn(otherSectionId, "openapi-fetch");
    const scrap = await lessonIn(sectionId, "Scrap lesson");
    expectStatus(
      await api(me).DELETE("/api/v1/lessons/{id}/", { params: { path: { id: scrap } } }),
      204,
      "lesson delete",
    );
    expectStatus(
      await api(me).GET("/api/v1/lessons/{id}/", { params: { path: { id: scrap } } }),
      404,
      "deleted lesson",
    );

    const list = await api(me).GET("/api/v1/sections/{id}/lessons/", { params: { path: { id: sectionId } } });
    expectStatus(list, 200, "lessons list");
    check(list.data.map((l) => l.id).join() === [a, b].join(), "lessons listed in order");

    const one = await api(me).GET("/api/v1/lessons/{id}/", { params: { path: { id: b } } });
    expectStatus(one, 200, "lesson retrieve");
    const put = await api(me).PUT("/api/v1/lessons/{id}/", {
      params: { path: { id: b } },
      body: {
        title: "Reading a schema",
        content: "Paths, operations, components.",
        video_url: "https://video.example.com/schema.mp4",
        duration_seconds: 420,
        is_preview: false,
      },
    });
    expectStatus(put, 200, "lesson update (PUT)");
    const patch = await api(me).PATCH("/api/v1/lessons/{id}/", {
      params: { path: { id: b } },
      body: { duration_seconds: 480 },
    });
    expectStatus(patch, 200, "lesson update (PATCH)");
    check(patch.data.duration_seconds === 480, "PATCH changed the duration");
    const bad = await api(me).PATCH("/api/v1/lessons/{id}/", {
      params: { path: { id: b } },
      body: { video_url: "not a url", duration_seconds: -1 },
    });
    expectStatus(bad, 400, "lesson PATCH with bad input");
    expectFieldErrors(bad.error, ["duration_seconds", "video_url"], "lesson PATCH 400");

    const reorder = await api(me).POST("/api/v1/sections/{id}/lessons/reorder/", {
      params: { path: { id: sectionId } },
      body: { order: [b, a] },
    });
    expectStatus(reorder, 200, "lessons reorder");
    const missing = await api(me).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: UNKNOWN_ID } },
      body: { title: "Nowhere" },
    });
    expectStatus(missing, 404, "lesson create in an unknown section");

    const course = await api(me).GET("/api/v1/courses/{id}/", { params: { path: { id: freeId } } });
    expectStatus(course, 200, "the course with its curriculum");
    const curriculum = course.data.sections.flatMap((section) => section.lessons.map((lesson) => lesson.id));
    check(curriculum.length === 4 && curriculum.indexOf(b) < curriculum.indexOf(a), "the curriculum in its new order");
    return curriculum;
  });

  await step("files: cover, video and attachment in three steps; 413, 415, 403, 400; attach; signed links; delete", async () => {
    // Sends a file's bytes as the upload step says (a PUT to this API with local storage, which CI runs).
    const send = async (id: string, bytes: Uint8Array, type: string) =>
      api(me).PUT("/api/v1/uploads/{id}/content/", {
        params: { path: { id } },
        body: "(bytes)",
        bodySerializer: () => bytes,
        headers: { "Content-Type": type },
      });
    const upload = async (purpose: "course_cover" | "lesson_video" | "lesson_attachment", name: string, type: string, bytes: Uint8Array) => {
      const asked = await api(me).POST("/api/v1/uploads/", {
        body: { purpose, filename: name, content_type: type, size: bytes.length },
      });
      expectStatus(asked, 201, `upload ask (${name})`);
      check(asked.data.status === "pending" && asked.data.upload.method === "PUT", "a pending upload, PUT to the API");
      expectStatus(await send(asked.data.id, bytes, type), 200, `upload bytes (${name})`);
      return asked.data.id;
    };

    const tooBig = await api(me).POST("/api/v1/uploads/", {
      body: { purpose: "course_cover", filename: "huge.png", content_type: "image/png", size: 50 * 1024 * 1024 },
    });
    expectStatus(tooBig, 413, "a cover over the size limit");
    expectCode(tooBig.error, "file_too_large", "413 code");
    const wrongType = await api(me).POST("/api/v1/uploads/", {
      body: { purpose: "course_cover", filename: "cover.pdf", content_type: "application/pdf", size: 1000 },
    });
    expectStatus(wrongType, 415, "a cover that is a PDF");
    expectCode(wrongType.error, "unsupported_type", "415 code");
    const byStudent = await api(student).POST("/api/v1/uploads/", {
      body: { purpose: "course_cover", filename: "c.png", content_type: "image/png", size: PNG.length },
    });
    expectStatus(byStudent, 403, "a student uploading course material");

    const coverId = await upload("course_cover", "cover.png", "image/png", PNG);
    const done = await api(me).POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: coverId } } });
    expectStatus(done, 200, "cover complete");
    check(done.data.status === "ready" && done.data.width === 64 && done.data.height === 36, "the cover was checked");
    const again = await api(me).POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: coverId } } });
    expectStatus(again, 200, "complete again: the same upload");
    const read = await api(me).GET("/api/v1/uploads/{id}/", { params: { path: { id: coverId } } });
    expectStatus(read, 200, "upload read");
    const notTheirs = await api(other).GET("/api/v1/uploads/{id}/", { params: { path: { id: coverId } } });
    expectStatus(notTheirs, 404, "another instructor's upload");

    const withCover = await api(me).PATCH("/api/v1/courses/{id}/", {
      params: { path: { id: freeId } },
      body: { cover: coverId },
    });
    expectStatus(withCover, 200, "attach the cover");
    const cover = withCover.data.cover;
    check(cover !== null && cover.width === 64, "the course shows its cover");
    const image = await fetch(cover.url);
    check(image.status === 200 && (image.headers.get("Cache-Control") ?? "").includes("immutable"), "the cover is public and immutable");
    const inUse = await api(me).DELETE("/api/v1/uploads/{id}/", { params: { path: { id: coverId } } });
    expectStatus(inUse, 409, "deleting a cover in use");
    expectCode(inUse.error, "upload_in_use", "409 code");

    const junkId = await upload("course_cover", "junk.png", "image/png", new TextEncoder().encode("not a picture at all"));
    const junk = await api(me).POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: junkId } } });
    expectStatus(junk, 400, "a renamed text file as a cover");
    expectCode(junk.error, "upload_rejected", "400 code");
    expectStatus(
      await api(me).DELETE("/api/v1/uploads/{id}/", { params: { path: { id: junkId } } }),
      204,
      "delete an unused upload",
    );

    const videoId = await upload("lesson_video", "intro.mp4", "video/mp4", MP4);
    const video = await api(me).POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: videoId } } });
    expectStatus(video, 200, "video complete");
    check(video.data.duration_seconds === 1 && video.data.codec === "h264", "ffprobe read the video");
    const notesId = await upload("lesson_attachment", "notes.txt", "text/plain", new TextEncoder().encode("Read the schema first.\n"));
    expectStatus(
      await api(me).POST("/api/v1/uploads/{id}/complete/", { params: { path: { id: notesId } } }),
      200,
      "attachment complete",
    );
    const lessonId = first(lessonIds, "a lesson");
    const lesson = await api(me).PATCH("/api/v1/lessons/{id}/", {
      params: { path: { id: lessonId } },
      body: { video: videoId, attachments: [notesId] },
    });
    expectStatus(lesson, 200, "attach a video and an attachment");
    const signedVideo = lesson.data.video;
    check(signedVideo !== null && signedVideo.duration_seconds === 1, "the lesson shows its video");
    check(lesson.data.attachments.map((a) => a.id).join() === notesId, "the lesson lists its attachment");
    const ranged = await fetch(signedVideo.url, { headers: { Range: "bytes=0-99" } });
    check(ranged.status === 206 && (await ranged.arrayBuffer()).byteLength === 100, "the video streams by ranges");
    const tampered = await fetch(`${signedVideo.url.replace(/\/$/, "")}x/`);
    check(tampered.status === 403, "a tampered link is refused");
  });

  // The quiz the student journey passes: one question of each type, answers known.
  const quizId = await step("quizzes: create, list, read, PUT, PATCH, delete; 400, 404", async () => {
    const bad = await api(me).POST("/api/v1/courses/{course_id}/quizzes/", {
      params: { path: { course_id: freeId } },
      body: { title: "Too strict", passing_score: 101, time_limit_seconds: 1 },
    });
    expectStatus(bad, 400, "quiz create with bad input");
    expectFieldErrors(bad.error, ["passing_score", "time_limit_seconds"], "quiz create 400");

    const created = await api(me).POST("/api/v1/courses/{course_id}/quizzes/", {
      params: { path: { course_id: freeId } },
      body: {
        title: "Typed client check",
        description: "Five questions.",
        section: sectionId,
        passing_score: 60,
        max_attempts: 3,
      },
    });
    expectStatus(created, 201, "quiz create");
    const quizId = created.data.id;

    const put = await api(me).PUT("/api/v1/quizzes/{id}/", {
      params: { path: { id: quizId } },
      body: {
        title: "Typed client check",
        description: "One question of each type.",
        section: sectionId,
        passing_score: 60,
        time_limit_seconds: null,
        max_attempts: 3,
        shuffle_questions: false,
        show_correct_answers: "after_submit",
        is_required: true,
      },
    });
    expectStatus(put, 200, "quiz update (PUT)");
    const patch = await api(me).PATCH("/api/v1/quizzes/{id}/", {
      params: { path: { id: quizId } },
      body: { time_limit_seconds: 1800 },
    });
    expectStatus(patch, 200, "quiz update (PATCH)");
    check(patch.data.time_limit_seconds === 1800, "PATCH set the time limit");

    const scrap = await api(me).POST("/api/v1/courses/{course_id}/quizzes/", {
      params: { path: { course_id: freeId } },
      body: { title: "Scrap quiz" },
    });
    expectStatus(scrap, 201, "quiz create (scrap)");
    const del = await api(me).DELETE("/api/v1/quizzes/{id}/", { params: { path: { id: scrap.data.id } } });
    expectStatus(del, 204, "quiz delete");
    const gone = await api(me).GET("/api/v1/quizzes/{id}/", { params: { path: { id: scrap.data.id } } });
    expectStatus(gone, 404, "deleted quiz");

    const list = await api(me).GET("/api/v1/courses/{course_id}/quizzes/", { params: { path: { course_id: freeId } } });
    expectStatus(list, 200, "quizzes list");
    check(
      list.data.some((q) => q.id === quizId),
      "the quiz is listed",
    );
    return quizId;
  });

  const answers = await step("questions: each type, list, read, PUT, PATCH, reorder, delete; 400", async () => {
    const path = { params: { path: { id: quizId } } };
    const bad = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "single_choice",
        text: "Two right answers?",
        choices: [
          { text: "a", is_correct: true },
          { text: "b", is_correct: true },
        ],
      },
    });
    expectStatus(bad, 400, "single-choice question with two correct choices");
    expectFieldErrors(bad.error, ["choices"], "question create 400");
    const badNested = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "multiple_choice",
        text: "Empty choice?",
        choices: [
          { text: "", is_correct: true },
          { text: "b", is_correct: false },
        ],
      },
    });
    expectStatus(badNested, 400, "question with an empty choice text");
    expectFieldErrors(badNested.error, ["choices.0.text"], "question create 400 (nested)");

    const single = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "single_choice",
        text: "Which tool turns a schema into TypeScript types?",
        points: 2,
        explanation: "openapi-fetch is the runtime half.",
        choices: [
          { text: "openapi-typescript", is_correct: true },
          { text: "openapi-fetch", is_correct: false },
          { text: "ajv", is_correct: false },
        ],
      },
    });
    expectStatus(single, 201, "question create (single_choice)");
    const multiple = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "multiple_choice",
        text: "Which statuses are errors?",
        choices: [
          { text: "400", is_correct: true },
          { text: "404", is_correct: true },
          { text: "204", is_correct: false },
        ],
      },
    });
    expectStatus(multiple, 201, "question create (multiple_choice)");
    const trueFalse = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "true_false",
        text: "A 401 on a public read means the token is bad.",
        choices: [
          { text: "True", is_correct: true },
          { text: "False", is_correct: false },
        ],
      },
    });
    expectStatus(trueFalse, 201, "question create (true_false)");
    const short = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: {
        type: "short_answer",
        text: "The HTTP method that updates part of a resource?",
        accepted_answers: ["PATCH"],
      },
    });
    expectStatus(short, 201, "question create (short_answer)");
    const numeric = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: { type: "numeric", text: "The largest page_size?", numeric_answer: "100", tolerance: "0" },
    });
    expectStatus(numeric, 201, "question create (numeric)");
    const scrap = await api(me).POST("/api/v1/quizzes/{id}/questions/", {
      ...path,
      body: { type: "short_answer", text: "Scrap?", accepted_answers: ["scrap"] },
    });
    expectStatus(scrap, 201, "question create (scrap)");

    const put = await api(me).PUT("/api/v1/questions/{id}/", {
      params: { path: { id: short.data.id } },
      body: {
        type: "short_answer",
        text: "Which HTTP method updates part of a resource?",
        points: 1,
        accepted_answers: ["PATCH", "patch method"],
      },
    });
    expectStatus(put, 200, "question update (PUT)");
    const patch = await api(me).PATCH("/api/v1/questions/{id}/", {
      params: { path: { id: numeric.data.id } },
      body: { tolerance: "0.5" },
    });
    expectStatus(patch, 200, "question update (PATCH)");
    const badPatch = await api(me).PATCH("/api/v1/questions/{id}/", {
      params: { path: { id: numeric.data.id } },
      body: { numeric_answer: null },
    });
    expectStatus(badPatch, 400, "numeric question without an answer");
    expectFieldErrors(badPatch.error, ["numeric_answer"], "question PATCH 400");
    const read = await api(me).GET("/api/v1/questions/{id}/", { params: { path: { id: single.data.id } } });
    expectStatus(read, 200, "question retrieve");

    const del = await api(me).DELETE("/api/v1/questions/{id}/", { params: { path: { id: scrap.data.id } } });
    expectStatus(del, 204, "question delete");
    const ids = [numeric, short, trueFalse, multiple, single].map((q) => q.data.id);
    const reorder = await api(me).POST("/api/v1/quizzes/{id}/questions/reorder/", { ...path, body: { order: ids } });
    expectStatus(reorder, 200, "questions reorder");
    const list = await api(me).GET("/api/v1/quizzes/{id}/questions/", path);
    expectStatus(list, 200, "questions list");
    check(list.data.map((q) => q.id).join() === ids.join(), "questions listed in the new order");

    const correct = (q: { data: { choices: { id: number; is_correct: boolean }[] } }) =>
      q.data.choices.filter((c) => c.is_correct).map((c) => c.id);
    const answers: QuizAnswer[] = [
      { question: single.data.id, choice_ids: correct(single) },
      { question: multiple.data.id, choice_ids: correct(multiple) },
      { question: trueFalse.data.id, choice_ids: correct(trueFalse) },
      { question: short.data.id, text: "  patch " },
      { question: numeric.data.id, number: "100.4" },
    ];
    return answers;
  });

  await step("publish, unpublish and publish again", async () => {
    const publish = await api(me).POST("/api/v1/courses/{id}/publish/", { params: { path: { id: freeId } } });
    expectStatus(publish, 200, "publish");
    check(publish.data.status === "published", "the course is published");
    const unpublish = await api(me).POST("/api/v1/courses/{id}/unpublish/", { params: { path: { id: freeId } } });
    expectStatus(unpublish, 200, "unpublish");
    check(unpublish.data.status === "draft", "unpublished goes back to draft");
    const again = await api(me).POST("/api/v1/courses/{id}/publish/", { params: { path: { id: freeId } } });
    expectStatus(again, 200, "publish again");
  });

  await step("another instructor: 403 on every family of a published course, 404 on unknown ids", async () => {
    const them = api(other);
    const id = { params: { path: { id: freeId } } };
    const lessonId = first(lessonIds, "lesson");
    const question = first(answers, "question");
    expectStatus(
      await them.PATCH("/api/v1/courses/{id}/", { ...id, body: { title: "Taken over" } }),
      403,
      "PATCH another's course",
    );
    expectStatus(await them.DELETE("/api/v1/courses/{id}/", id), 403, "DELETE another's course");
    expectStatus(await them.POST("/api/v1/courses/{id}/unpublish/", id), 403, "unpublish another's course");
    expectStatus(
      await them.POST("/api/v1/courses/{id}/sections/", { ...id, body: { title: "Mine now" } }),
      403,
      "section on another's course",
    );
    expectStatus(
      await them.PATCH("/api/v1/sections/{id}/", { params: { path: { id: sectionId } }, body: { title: "Mine now" } }),
      403,
      "PATCH another's section",
    );
    expectStatus(
      await them.PATCH("/api/v1/lessons/{id}/", { params: { path: { id: lessonId } }, body: { title: "Mine now" } }),
      403,
      "PATCH another's lesson",
    );
    expectStatus(
      await them.POST("/api/v1/courses/{course_id}/quizzes/", {
        params: { path: { course_id: freeId } },
        body: { title: "Mine now" },
      }),
      403,
      "quiz on another's course",
    );
    expectStatus(
      await them.GET("/api/v1/questions/{id}/", { params: { path: { id: question.question } } }),
      403,
      "read another's question (with its answers)",
    );
    expectStatus(
      await them.GET("/api/v1/quizzes/{id}/results/", { params: { path: { id: quizId } } }),
      403,
      "another's quiz results",
    );
    expectStatus(
      await them.GET("/api/v1/courses/{course_id}/coupons/", { params: { path: { course_id: freeId } } }),
      403,
      "another's coupons",
    );
    expectStatus(
      await them.POST("/api/v1/courses/{course_id}/announcements/", {
        params: { path: { course_id: freeId } },
        body: { title: "Hi", body: "Not my students." },
      }),
      403,
      "announce on another's course",
    );

    const mine = api(me);
    const unknown = { params: { path: { id: UNKNOWN_ID } } };
    expectStatus(await mine.GET("/api/v1/courses/{id}/", unknown), 404, "unknown course");
    expectStatus(await mine.GET("/api/v1/sections/{id}/", unknown), 404, "unknown section");
    expectStatus(await mine.GET("/api/v1/lessons/{id}/", unknown), 404, "unknown lesson");
    expectStatus(await mine.GET("/api/v1/quizzes/{id}/", unknown), 404, "unknown quiz");
    expectStatus(await mine.GET("/api/v1/questions/{id}/", unknown), 404, "unknown question");
    expectStatus(await mine.GET("/api/v1/coupons/{id}/", unknown), 404, "unknown coupon");
    expectStatus(await mine.POST("/api/v1/forum/posts/{id}/pin/", unknown), 404, "unknown forum post");
    expectStatus(
      await mine.POST("/api/v1/reviews/{id}/reply/", { ...unknown, body: { body: "?" } }),
      404,
      "unknown review",
    );
  });

  // The assignment the student journey submits to (and has graded): a two-criterion rubric.
  const assignment = await step(
    "assignments: create with a rubric, list, read, PUT, PATCH, delete; 400, 403, 404",
    async () => {
      const inSection = { params: { path: { section_id: sectionId } } };
      const day = 86_400_000;
      const dueAt = new Date(Date.now() + 7 * day).toISOString();
      const badCutoff = await api(me).POST("/api/v1/sections/{section_id}/assignments/", {
        ...inSection,
        body: {
          title: "Cut off too soon",
          due_at: dueAt,
          late_policy: { accept_late: true, cutoff_at: new Date(Date.now() + day).toISOString() },
        },
      });
      expectStatus(badCutoff, 400, "assignment with a cutoff before its due date");
      expectErrorField(badCutoff.error, "cutoff_at", "assignment create 400 (cutoff)");
      const noTypes = await api(me).POST("/api/v1/sections/{section_id}/assignments/", {
        ...inSection,
        body: { title: "", submission_types: [] },
      });
      expectStatus(noTypes, 400, "assignment without a title or submission types");
      expectFieldErrors(noTypes.error, ["submission_types", "title"], "assignment create 400");
      const zeroCriterion = await api(me).POST("/api/v1/sections/{section_id}/assignments/", {
        ...inSection,
        body: { title: "Zero points", rubric: [{ title: "Nothing", points: 0 }] },
      });
      expectStatus(zeroCriterion, 400, "a rubric criterion worth 0 points");
      expectFieldErrors(zeroCriterion.error, ["rubric.0.points"], "assignment create 400 (nested)");
      expectStatus(
        await api(other).POST("/api/v1/sections/{section_id}/assignments/", {
          ...inSection,
          body: { title: "On another's course" },
        }),
        403,
        "assignment on another instructor's course",
      );
      expectStatus(
        await api(student).POST("/api/v1/sections/{section_id}/assignments/", {
          ...inSection,
          body: { title: "Homework for the teacher" },
        }),
        403,
        "assignment created by a student",
      );

      const created = await api(me).POST("/api/v1/sections/{section_id}/assignments/", {
        ...inSection,
        body: {
          title: "Build a typed client",
          instructions: "Generate a client from the schema and call three operations.",
          points: 100,
          due_at: dueAt,
          submission_types: ["text", "file"],
          allowed_file_types: ["application/pdf"],
          max_files: 2,
          max_attempts: 3,
          pass_percent: 60,
          late_policy: {
            accept_late: true,
            penalty_percent_per_day: "10.00",
            cutoff_at: new Date(Date.now() + 14 * day).toISOString(),
          },
          rubric: [
            { title: "Correctness", description: "The calls are typed and work.", points: 60 },
            { title: "Style", points: 40 },
          ],
        },
      });
      expectStatus(created, 201, "assignment create");
      const id = created.data.id;
      check(created.data.section === sectionId && created.data.course === freeId, "in the section and its course");
      check(created.data.rubric.map((c) => c.points).join() === "60,40", "the rubric has both criteria");
      check(created.data.max_attempts === 3 && !created.data.is_required, "3 attempts, not required");
      check(Number(created.data.late_policy.penalty_percent_per_day) === 10, "the late policy is kept");
      const path = { params: { path: { id } } };

      const put = await api(me).PUT("/api/v1/assignments/{id}/", {
        ...path,
        body: {
          title: "Build and test a typed client",
          instructions: "Generate a client from the schema, call three operations, test them.",
          points: 100,
          due_at: dueAt,
          submission_types: ["text", "file"],
          allowed_file_types: ["application/pdf"],
          max_files: 2,
          max_attempts: null,
          is_required: false,
          pass_percent: 60,
          late_policy: { accept_late: true, penalty_percent_per_day: "10.00", cutoff_at: null },
          rubric: [
            { title: "Correctness", description: "The calls are typed and work.", points: 60 },
            { title: "Tests and style", points: 40 },
          ],
        },
      });
      expectStatus(put, 200, "assignment update (PUT)");
      check(put.data.max_attempts === null, "PUT lifted the attempt limit");
      check(put.data.late_policy.cutoff_at === null, "PUT removed the cutoff");
      check(put.data.rubric.map((c) => c.title).join() === "Correctness,Tests and style", "PUT replaced the rubric");
      const patch = await api(me).PATCH("/api/v1/assignments/{id}/", { ...path, body: { pass_percent: 70 } });
      expectStatus(patch, 200, "assignment update (PATCH)");
      check(patch.data.pass_percent === 70 && patch.data.title === put.data.title, "PATCH changed only pass_percent");
      const badPatch = await api(me).PATCH("/api/v1/assignments/{id}/", {
        ...path,
        body: { late_policy: { cutoff_at: new Date(Date.now() + day).toISOString() } },
      });
      expectStatus(badPatch, 400, "PATCH a cutoff before the due date");
      expectErrorField(badPatch.error, "cutoff_at", "assignment PATCH 400");
      expectStatus(
        await api(other).PATCH("/api/v1/assignments/{id}/", { ...path, body: { points: 1 } }),
        403,
        "PATCH another's assignment",
      );

      const scrap = await api(me).POST("/api/v1/sections/{section_id}/assignments/", {
        ...inSection,
        body: { title: "Scrap assignment" },
      });
      expectStatus(scrap, 201, "assignment create (scrap)");
      check(scrap.data.submission_types.join() === "text" && scrap.data.rubric.length === 0, "defaults: text, no rubric");
      const list = await api(me).GET("/api/v1/sections/{section_id}/assignments/", inSection);
      expectStatus(list, 200, "assignments list");
      check(list.data.map((a) => a.id).join() === [id, scrap.data.id].join(), "assignments listed in order");
      const scrapPath = { params: { path: { id: scrap.data.id } } };
      expectStatus(await api(me).DELETE("/api/v1/assignments/{id}/", scrapPath), 204, "assignment delete");
      expectStatus(await api(me).GET("/api/v1/assignments/{id}/", scrapPath), 404, "deleted assignment");

      const read = await api(me).GET("/api/v1/assignments/{id}/", path);
      expectStatus(read, 200, "assignment retrieve");
      check(read.data.pass_percent === 70 && read.data.rubric.length === 2, "read back as changed");
      const notEnrolled = await api(other).GET("/api/v1/assignments/{id}/", path);
      expectStatus(notEnrolled, 403, "another instructor (not enrolled) reads the assignment");
      expectCode(notEnrolled.error, "not_enrolled", "assignment read 403");
      expectStatus(
        await api(me).GET("/api/v1/assignments/{id}/", { params: { path: { id: UNKNOWN_ID } } }),
        404,
        "unknown assignment",
      );
      expectStatus(
        await api(me).GET("/api/v1/sections/{section_id}/assignments/", {
          params: { path: { section_id: UNKNOWN_ID } },
        }),
        404,
        "assignments of an unknown section",
      );
      const none = await api(me).GET("/api/v1/assignments/{id}/next-ungraded/", path);
      expectStatus(none, 204, "nothing to grade yet");
      return {
        id,
        sectionId,
        points: read.data.points,
        criteria: read.data.rubric.map((c) => ({ id: c.id, points: c.points })),
      };
    },
  );

  // The paid course the student journey buys, with a coupon.
  const paidCourse = await step("paid course: create, curriculum, publish; coupons CRUD; 400, 403", async () => {
    const created = await api(me).POST("/api/v1/courses/", {
      body: {
        title: `Typed clients in production ${unique("paid")}`,
        subtitle: "Refresh, retries, errors",
        description: "Everything after the first request.",
        category: categoryId,
        level: "advanced",
        language: "en",
        price: "49.00",
        currency: "USD",
      },
    });
    expectStatus(created, 201, "paid course create");
    const paidId = created.data.id;
    const section = await api(me).POST("/api/v1/courses/{id}/sections/", {
      params: { path: { id: paidId } },
      body: { title: "Production" },
    });
    expectStatus(section, 201, "paid course section");
    const lesson = await api(me).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: section.data.id } },
      body: { title: "Refresh on 401", content: "Refresh once, then retry.", is_preview: true },
    });
    expectStatus(lesson, 201, "paid course lesson");
    expectStatus(
      await api(me).POST("/api/v1/courses/{id}/publish/", { params: { path: { id: paidId } } }),
      200,
      "paid course publish",
    );

    const coupons = { params: { path: { course_id: paidId } } };
    const bad = await api(me).POST("/api/v1/courses/{course_id}/coupons/", {
      ...coupons,
      body: { code: "x", percent_off: 120 },
    });
    expectStatus(bad, 400, "coupon with bad input");
    expectFieldErrors(bad.error, ["code", "percent_off"], "coupon create 400");
    const couponCode = unique("SAVE20")
      .toUpperCase()
      .replace(/[^A-Z0-9_-]/g, "")
      .slice(0, 40);
    const coupon = await api(me).POST("/api/v1/courses/{course_id}/coupons/", {
      ...coupons,
      body: { code: couponCode, percent_off: 20, max_redemptions: 100 },
    });
    expectStatus(coupon, 201, "coupon create");
    const scrap = await api(me).POST("/api/v1/courses/{course_id}/coupons/", {
      ...coupons,
      body: {
        code: unique("TENOFF").toUpperCase().slice(0, 40),
        amount_off: "10.00",
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expectStatus(scrap, 201, "coupon create (amount off)");

    const list = await api(me).GET("/api/v1/courses/{course_id}/coupons/", coupons);
    expectStatus(list, 200, "coupons list");
    check(
      list.data.some((c) => c.code === couponCode),
      "the coupon is listed",
    );
    const read = await api(me).GET("/api/v1/coupons/{id}/", { params: { path: { id: coupon.data.id } } });
    expectStatus(read, 200, "coupon retrieve");
    const patch = await api(me).PATCH("/api/v1/coupons/{id}/", {
      params: { path: { id: scrap.data.id } },
      body: { active: false },
    });
    expectStatus(patch, 200, "coupon PATCH");
    check(!patch.data.active, "the coupon is inactive");
    const foreign = await api(other).PATCH("/api/v1/coupons/{id}/", {
      params: { path: { id: coupon.data.id } },
      body: { active: false },
    });
    expectStatus(foreign, 403, "PATCH another's coupon");
    const del = await api(me).DELETE("/api/v1/coupons/{id}/", { params: { path: { id: scrap.data.id } } });
    expectStatus(del, 204, "coupon delete");
    return { id: paidId, price: created.data.price, currency: created.data.currency, couponCode };
  });

  await step("announcements: list and send (400 on bad input)", async () => {
    const path = { params: { path: { course_id: freeId } } };
    const bad = await api(me).POST("/api/v1/courses/{course_id}/announcements/", {
      ...path,
      body: { title: "", body: "" },
    });
    expectStatus(bad, 400, "announcement with bad input");
    expectFieldErrors(bad.error, ["body", "title"], "announcement 400");
    const sent = await api(me).POST("/api/v1/courses/{course_id}/announcements/", {
      ...path,
      body: { title: "Welcome", body: "The typed client course is open." },
    });
    expectStatus(sent, 202, "announcement create");
    const list = await api(me).GET("/api/v1/courses/{course_id}/announcements/", path);
    expectStatus(list, 200, "announcements list");
    check(
      list.data.results.some((a) => a.id === sent.data.id),
      "the announcement is listed",
    );
  });

  // A helper student joins the free course: a forum thread to moderate, a review to answer, an attempt.
  await step("forum moderation: pin, unpin, lock, unlock; reports list and resolve; moderation log", async () => {
    expectStatus(
      await api(student).POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: freeId } } }),
      201,
      "helper enrolls",
    );
    const post = await api(student).POST("/api/v1/courses/{course_id}/forum/posts/", {
      params: { path: { course_id: freeId } },
      body: { title: "Where is the schema?", body: "Which URL serves it?" },
    });
    expectStatus(post, 201, "helper posts");
    const id = { params: { path: { id: post.data.id } } };
    expectStatus(await api(student).POST("/api/v1/forum/posts/{id}/pin/", id), 403, "a student pins");
    expectStatus(await api(other).POST("/api/v1/forum/posts/{id}/lock/", id), 403, "another instructor locks");

    const pin = await api(me).POST("/api/v1/forum/posts/{id}/pin/", id);
    expectStatus(pin, 200, "pin");
    check(pin.data.is_pinned, "pinned");
    const unpin = await api(me).POST("/api/v1/forum/posts/{id}/unpin/", id);
    expectStatus(unpin, 200, "unpin");
    check(!unpin.data.is_pinned, "unpinned");
    const lock = await api(me).POST("/api/v1/forum/posts/{id}/lock/", id);
    expectStatus(lock, 200, "lock");
    check(lock.data.is_locked, "locked");
    const unlock = await api(me).POST("/api/v1/forum/posts/{id}/unlock/", id);
    expectStatus(unlock, 200, "unlock");
    check(!unlock.data.is_locked, "unlocked");

    const reporter = await register("student");
    expectStatus(
      await api(reporter).POST("/api/v1/courses/{id}/enroll/", { params: { path: { id: freeId } } }),
      201,
      "reporter enrolls",
    );
    const reported = await api(reporter).POST("/api/v1/forum/posts/{id}/report/", {
      ...id,
      body: { reason: "Testing the moderation queue." },
    });
    expectStatus(reported, 201, "a classmate reports the thread");
    const reports = await api(me).GET("/api/v1/forum/reports/", {
      params: { query: { course: freeId, status: "open" } },
    });
    expectStatus(reports, 200, "reports list");
    check(
      reports.data.results.some((r) => r.id === reported.data.id),
      "the report is listed",
    );
    expectStatus(await api(student).GET("/api/v1/forum/reports/"), 403, "a student lists reports");
    const resolved = await api(me).POST("/api/v1/forum/reports/{id}/resolve/", {
      params: { path: { id: reported.data.id } },
      body: { action: "dismiss" },
    });
    expectStatus(resolved, 200, "resolve (dismiss)");
    check(resolved.data.status === "resolved", "the report is resolved");

    const offTopic = await api(reporter).POST("/api/v1/courses/{course_id}/forum/posts/", {
      params: { path: { course_id: freeId } },
      body: { title: "Selling my notes", body: "Cheap." },
    });
    expectStatus(offTopic, 201, "an off-topic thread");
    expectStatus(
      await api(me).DELETE("/api/v1/forum/posts/{id}/", { params: { path: { id: offTopic.data.id } } }),
      204,
      "the instructor deletes it",
    );

    const log = await api(me).GET("/api/v1/forum/moderation-log/", { params: { query: { course: freeId } } });
    expectStatus(log, 200, "moderation log");
    const actions = log.data.results.map((e) => e.action);
    for (const action of ["pin", "unpin", "lock", "unlock", "dismiss", "delete"] as const)
      check(actions.includes(action), `${action} is in the moderation log`);
  });

  await step("review replies: create, 409 on a second, PATCH, delete", async () => {
    const review = await api(student).POST("/api/v1/courses/{course_id}/reviews/", {
      params: { path: { course_id: freeId } },
      body: { rating: 4, comment: "Clear, typed, tested." },
    });
    expectStatus(review, 201, "helper reviews");
    const id = { params: { path: { id: review.data.id } } };
    const bad = await api(me).POST("/api/v1/reviews/{id}/reply/", { ...id, body: { body: "" } });
    expectStatus(bad, 400, "empty reply");
    expectFieldErrors(bad.error, ["body"], "reply 400");
    expectStatus(
      await api(other).POST("/api/v1/reviews/{id}/reply/", { ...id, body: { body: "Not my course." } }),
      403,
      "reply on another's course",
    );
    const reply = await api(me).POST("/api/v1/reviews/{id}/reply/", { ...id, body: { body: "Thank you!" } });
    expectStatus(reply, 201, "reply");
    const again = await api(me).POST("/api/v1/reviews/{id}/reply/", { ...id, body: { body: "Thanks again!" } });
    expectStatus(again, 409, "second reply");
    expectCode(again.error, "already_replied", "second reply 409");
    const patch = await api(me).PATCH("/api/v1/reviews/{id}/reply/", {
      ...id,
      body: { body: "Thank you, glad it helped." },
    });
    expectStatus(patch, 200, "reply PATCH");
    expectStatus(await api(me).DELETE("/api/v1/reviews/{id}/reply/", id), 204, "reply delete");
    expectStatus(
      await api(me).POST("/api/v1/reviews/{id}/reply/", { ...id, body: { body: "Thank you!" } }),
      201,
      "reply again",
    );
  });

  await step("quiz results; 409 on deleting a quiz with attempts", async () => {
    const attempt = await api(student).POST("/api/v1/quizzes/{id}/attempts/", { params: { path: { id: quizId } } });
    expectStatus(attempt, 201, "helper starts an attempt");
    const submit = await api(student).POST("/api/v1/attempts/{id}/submit/", {
      params: { path: { id: attempt.data.id } },
      body: { answers },
    });
    expectStatus(submit, 200, "helper submits the known answers");
    check(submit.data.passed === true, "the known answers pass");
    const results = await api(me).GET("/api/v1/quizzes/{id}/results/", { params: { path: { id: quizId } } });
    expectStatus(results, 200, "quiz results");
    check(results.data.attempt_count === 1 && results.data.pass_rate === 1, "one attempt, passed");
    const del = await api(me).DELETE("/api/v1/quizzes/{id}/", { params: { path: { id: quizId } } });
    expectStatus(del, 409, "delete a quiz with attempts");
    expectCode(del.error, "quiz_has_attempts", "quiz delete 409");
  });

  await step("instructor lists, reports (JSON and CSV), dashboard; 403 for a student", async () => {
    const courses = await api(me).GET("/api/v1/instructor/courses/");
    expectStatus(courses, 200, "instructor courses");
    check(courses.data.results.length === 2, "both courses listed");
    const reviews = await api(me).GET("/api/v1/instructor/reviews/", {
      params: { query: { course: freeId, ordering: ["-rating", "created_at"] } },
    });
    expectStatus(reviews, 200, "instructor reviews");
    check(reviews.data.count === 1, "the helper's review");

    const report = await api(me).GET("/api/v1/instructor/reports/{name}/", {
      params: { path: { name: "enrollments" }, query: { interval: "week" } },
    });
    expectStatus(report, 200, "instructor report (JSON)");
    check(typeof report.data === "object" && report.data.name === "enrollments", "the JSON report, named");
    const csv = await api(me).GET("/api/v1/instructor/reports/{name}/", {
      params: { path: { name: "quiz-attempts" }, query: { format: "csv" } },
      parseAs: "text",
    });
    expectStatus(csv, 200, "instructor report (CSV)");
    check(csv.response.headers.get("content-type")?.startsWith("text/csv") === true, "a CSV download");
    check(csv.data.split(/\r?\n/)[0] === "period,value", "a CSV header");
    const badRange = await api(me).GET("/api/v1/instructor/reports/{name}/", {
      params: { path: { name: "revenue" }, query: { from: "2026-02-01", to: "2026-01-01" } },
    });
    expectStatus(badRange, 400, "report with from after to");

    const dashboard = await api(me).GET("/api/v1/dashboard/instructor/");
    expectStatus(dashboard, 200, "instructor dashboard");
    check(dashboard.data.courses.length === 2, "both courses on the dashboard");
    expectStatus(await api(student).GET("/api/v1/dashboard/instructor/"), 403, "a student's instructor dashboard");
    expectStatus(await api(student).GET("/api/v1/instructor/courses/"), 403, "a student's instructor courses");
  });

  await step("cohorts: CRUD (400 on bad dates); prerequisites 409; enroll into a cohort, 409 cohort_full, 202 waitlisted", async () => {
    const made = await api(me).POST("/api/v1/courses/", {
      body: { title: `Cohort course ${unique("cohort")}`, prerequisites: [freeId] },
    });
    expectStatus(made, 201, "cohort course create");
    check(made.data.prerequisites.join() === String(freeId), "created with the free course as a prerequisite");
    const id = { params: { path: { id: made.data.id } } };
    const section = await api(me).POST("/api/v1/courses/{id}/sections/", { ...id, body: { title: "Week 1" } });
    expectStatus(section, 201, "its section");
    const lesson = await api(me).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: section.data.id } },
      body: { title: "Kick-off" },
    });
    expectStatus(lesson, 201, "its lesson");
    expectStatus(await api(me).POST("/api/v1/courses/{id}/publish/", id), 200, "its publish");

    const course = { params: { path: { course_id: made.data.id } } };
    const starts = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const ends = new Date(Date.now() + 67 * 86_400_000).toISOString();
    const backwards = await api(me).POST("/api/v1/courses/{course_id}/cohorts/", {
      ...course,
      body: { name: "Backwards", starts_at: ends, ends_at: starts },
    });
    expectStatus(backwards, 400, "a cohort that ends before it starts");
    const cohort = await api(me).POST("/api/v1/courses/{course_id}/cohorts/", {
      ...course,
      body: { name: "Spring", starts_at: starts, ends_at: ends, capacity: 2 },
    });
    expectStatus(cohort, 201, "cohort create");
    check(cohort.data.seats_taken === 0 && cohort.data.waitlist_count === 0, "no seats taken yet");
    const scrap = await api(me).POST("/api/v1/courses/{course_id}/cohorts/", {
      ...course,
      body: { name: "Scrap", starts_at: starts, ends_at: ends },
    });
    expectStatus(scrap, 201, "a second cohort");
    const listed = await api().GET("/api/v1/courses/{course_id}/cohorts/", course);
    expectStatus(listed, 200, "the cohorts, anonymously");
    check(listed.data.length === 2, "both cohorts listed");
    const cohortPath = { params: { path: { id: cohort.data.id } } };
    expectStatus(await api(student).GET("/api/v1/cohorts/{id}/", cohortPath), 200, "a cohort, as a student");
    const replaced = await api(me).PUT("/api/v1/cohorts/{id}/", {
      ...cohortPath,
      body: { name: "Spring 2027", starts_at: starts, ends_at: ends, capacity: 2 },
    });
    expectStatus(replaced, 200, "cohort PUT");
    const patched = await api(me).PATCH("/api/v1/cohorts/{id}/", { ...cohortPath, body: { capacity: 1 } });
    expectStatus(patched, 200, "cohort PATCH");
    check(patched.data.name === "Spring 2027" && patched.data.capacity === 1, "renamed, one seat");
    expectStatus(await api(student).PATCH("/api/v1/cohorts/{id}/", { ...cohortPath, body: { capacity: 9 } }), 403, "a student changes a cohort");
    expectStatus(
      await api(me).DELETE("/api/v1/cohorts/{id}/", { params: { path: { id: scrap.data.id } } }),
      204,
      "cohort delete",
    );

    const blocked = await api(student).POST("/api/v1/courses/{id}/enroll/", { ...id, body: { cohort: cohort.data.id } });
    expectStatus(blocked, 409, "enroll before completing the prerequisite");
    expectCode(blocked.error, "prerequisites_not_met", "enroll 409 (prerequisites)");
    const cleared = await api(me).PATCH("/api/v1/courses/{id}/", { ...id, body: { prerequisites: [] } });
    expectStatus(cleared, 200, "prerequisites removed");
    const noCohort = await api(student).POST("/api/v1/courses/{id}/enroll/", id);
    expectStatus(noCohort, 400, "enroll in a course taught in cohorts without naming one");
    const seated = await api(student).POST("/api/v1/courses/{id}/enroll/", { ...id, body: { cohort: cohort.data.id } });
    expectStatus(seated, 201, "enroll into the cohort");
    const second = await register("student");
    const full = await api(second).POST("/api/v1/courses/{id}/enroll/", { ...id, body: { cohort: cohort.data.id } });
    expectStatus(full, 409, "a full cohort");
    expectCode(full.error, "cohort_full", "enroll 409 (full)");
    const waiting = await api(second).POST("/api/v1/courses/{id}/enroll/", {
      ...id,
      body: { cohort: cohort.data.id, waitlist: true },
    });
    expectStatus(waiting, 202, "join the waitlist");
    if (!("position" in waiting.data)) throw new Error("a waitlist place (202), not an enrollment");
    check(waiting.data.waitlisted && waiting.data.position === 1, `first in line: ${JSON.stringify(waiting.data)}`);
    const after = await api().GET("/api/v1/cohorts/{id}/", cohortPath);
    expectStatus(after, 200, "the cohort after");
    check(after.data.seats_taken === 1 && after.data.waitlist_count === 1, "one seat taken, one waiting");
  });

  await step("delete: a draft goes, a course with enrollments is archived", async () => {
    const draft = await api(me).POST("/api/v1/courses/", { body: { title: `Scrap ${unique("draft")}` } });
    expectStatus(draft, 201, "scrap course create");
    expectStatus(
      await api(me).DELETE("/api/v1/courses/{id}/", { params: { path: { id: draft.data.id } } }),
      204,
      "course delete",
    );
    expectStatus(
      await api(me).GET("/api/v1/courses/{id}/", { params: { path: { id: draft.data.id } } }),
      404,
      "deleted course",
    );

    const taken = await api(me).POST("/api/v1/courses/", { body: { title: `Retired ${unique("course")}` } });
    expectStatus(taken, 201, "course to retire");
    const id = { params: { path: { id: taken.data.id } } };
    const section = await api(me).POST("/api/v1/courses/{id}/sections/", { ...id, body: { title: "Only section" } });
    expectStatus(section, 201, "its section");
    const lesson = await api(me).POST("/api/v1/sections/{id}/lessons/", {
      params: { path: { id: section.data.id } },
      body: { title: "Only lesson" },
    });
    expectStatus(lesson, 201, "its lesson");
    expectStatus(await api(me).POST("/api/v1/courses/{id}/publish/", id), 200, "its publish");
    expectStatus(await api(student).POST("/api/v1/courses/{id}/enroll/", id), 201, "helper enrolls");
    expectStatus(await api(me).DELETE("/api/v1/courses/{id}/", id), 204, "delete a course with a student");
    const archived = await api(me).GET("/api/v1/courses/{id}/", id);
    expectStatus(archived, 200, "the owner still reads it");
    check(archived.data.status === "archived", "a course with enrollments is archived, not deleted");
  });

  return { instructor: me, freeCourse: { id: freeId, lessonIds, quizId, answers, assignment }, paidCourse };
}
