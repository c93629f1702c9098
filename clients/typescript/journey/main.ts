/**
 * The typed journeys, in order, against LMS_URL (default http://127.0.0.1:8000):
 *
 *   1. instructor.ts  signs up an instructor who builds and publishes a free course (lessons and a
 *                     quiz whose answers it knows) and a paid one with a coupon, and drives every
 *                     instructor operation; it returns the JourneyContext the others use.
 *   2. student.ts     a new student finds, joins, buys, learns, passes, discusses, reviews and gets
 *                     the certificate of those courses; it returns the student's session.
 *   3. admin.ts       the admin operations, last, so its lists, reports and activity see the data
 *                     the others made (it deletes only what it creates itself).
 *
 * Every response is validated against openapi.json (lib.ts). The run fails on the first failing
 * step, on any schema mismatch, and on any operation of the schema that no journey called.
 *
 *   npm run build && LMS_ADMIN_EMAIL=... LMS_ADMIN_PASSWORD=... npm run journey
 */
import * as admin from "./admin.js";
import * as instructor from "./instructor.js";
import { BASE_URL, report } from "./lib.js";
import * as student from "./student.js";

async function main(): Promise<boolean> {
  console.log(`typed journeys against ${BASE_URL}`);
  let failure: unknown = null;
  try {
    console.log("\n== instructor journey");
    const ctx = await instructor.run();
    console.log("\n== student journey");
    const learner = await student.run(ctx);
    console.log("\n== admin journey");
    await admin.run(ctx, learner);
  } catch (error) {
    failure = error;
    console.log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  return report(failure);
}

process.exitCode = (await main()) ? 0 : 1;
