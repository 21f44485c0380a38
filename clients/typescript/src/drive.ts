// An integrator's program: the types generated from openapi/openapi.json by openapi-typescript,
// the requests sent by openapi-fetch. It drives a running service through one document's life and
// exits non-zero, naming the step, at the first answer that is not what the API promises.
//
//   npm ci && npm run generate && npm run build
//   BASE_URL=http://127.0.0.1:8000 POLICY_OFFICER_KEY=... AUTHOR_KEY=... APPROVER_KEY=... \
//     AUTHOR_ID=... APPROVER_ID=... READER_ID=... node dist/drive.js
//
// The keys are bearer API keys of one organisation; the ids are the people they act for (the
// approver owns the documents and decides their sign-off, the reader is consulted).
//
// openapi-typescript (by default) makes a field with a default required in a component schema,
// request bodies included, so the bodies below spell out defaults the API would fill in itself
// (status "draft", is_alternative false...).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Problem = components["schemas"]["Problem"];
type Document = components["schemas"]["Document"];

class Mismatch extends Error {}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Mismatch(`set ${name}`);
  return value;
}

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Mismatch(what);
}

/** The data of a successful answer, or a Mismatch naming the step, the status and the problem. */
function expectData<T>(
  step: string,
  result: { data?: T; error?: unknown; response: Response },
  status: number,
): T {
  const { data, error, response } = result;
  if (response.status !== status || data === undefined) {
    throw new Mismatch(
      `${step}: expected ${status}, got ${response.status} ${JSON.stringify(error ?? data)}`,
    );
  }
  return data;
}

/** The problem of a refused request: status and type as promised, with a title. */
function expectProblem(
  step: string,
  result: { error?: Problem; response: Response },
  status: number,
  type: string,
): Problem {
  const { error, response } = result;
  check(response.status === status, `${step}: expected ${status}, got ${response.status}`);
  check(error !== undefined, `${step}: ${status} without a problem document`);
  check(
    (response.headers.get("content-type") ?? "").startsWith("application/problem+json"),
    `${step}: problem served as ${response.headers.get("content-type")}`,
  );
  check(error.status === status, `${step}: problem status ${error.status}, not ${status}`);
  check(error.type === type, `${step}: problem type ${error.type}, not ${type}`);
  check(error.title.length > 0, `${step}: problem without a title`);
  return error;
}

function step(name: string, detail: string): void {
  console.log(`ok ${name}: ${detail}`);
}

async function main(): Promise<void> {
  const baseUrl = env("BASE_URL");
  const as = (key: string) =>
    createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });
  const officer = as(env("POLICY_OFFICER_KEY"));
  const author = as(env("AUTHOR_KEY"));
  const approver = as(env("APPROVER_KEY"));
  const authorId = env("AUTHOR_ID");
  const approverId = env("APPROVER_ID");
  const readerId = env("READER_ID");

  // Unique to this run, so the lists and the search below see only what it made.
  const run = Date.now().toString(36).toUpperCase();
  const serviceArea = `Client drive ${run}`;

  // create: three procedures owned by the approver, written by the author.
  const titles = ["Lone working", "Home visits", "Lighthouse keeping"];
  const created: Document[] = [];
  for (const [i, title] of titles.entries()) {
    const document = expectData(
      "create",
      await officer.POST("/v1/documents", {
        body: {
          reference: `TS-${run}-${i + 1}`,
          title,
          summary: `How we go about ${title.toLowerCase()}.`,
          kind: "procedure",
          status: "draft",
          service_area: serviceArea,
          owner_id: approverId,
          author_id: authorId,
          responsible_officer_id: authorId,
          review_interval_months: 12,
        },
      }),
      201,
    );
    check(document.reference === `TS-${run}-${i + 1}`, `create: reference ${document.reference}`);
    check(document.status === "draft", `create: status ${document.status}`);
    created.push(document);
  }
  step("create", `${created.length} documents ${created.map((d) => d.reference).join(" ")}`);

  // list and follow cursors: two a page until next_cursor is null.
  const seen: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page: components["schemas"]["DocumentPage"] = expectData(
      "cursors",
      await officer.GET("/v1/documents", {
        params: { query: { service_area: serviceArea, limit: 2, cursor } },
      }),
      200,
    );
    pages += 1;
    check(page.items.length <= 2, `cursors: page ${pages} has ${page.items.length} items`);
    seen.push(...page.items.map((d) => d.id));
    cursor = page.next_cursor;
    check(pages <= 10, "cursors: next_cursor never became null");
  } while (cursor !== null);
  const expected = created.map((d) => d.id).sort();
  check(
    JSON.stringify([...seen].sort()) === JSON.stringify(expected),
    `cursors: saw ${seen.join(",")}, made ${expected.join(",")}`,
  );
  check(pages === 2, `cursors: ${pages} pages for 3 documents at 2 a page`);
  step("cursors", `${seen.length} documents in ${pages} pages`);

  // search: full text finds the one procedure about lighthouses.
  const found = expectData(
    "search",
    await officer.GET("/v1/documents", {
      params: { query: { q: "lighthouse", service_area: serviceArea } },
    }),
    200,
  );
  const lighthouse = created[2];
  check(
    found.items.length === 1 && found.items[0].id === lighthouse.id,
    `search: found ${found.items.map((d) => d.title).join(", ") || "nothing"}`,
  );
  step("search", `q=lighthouse found ${found.items[0].reference}`);

  // upload a version: a multipart form with the file as a Blob.
  const [first, second] = created;
  const upload = async (documentId: string, text: string) =>
    expectData(
      "upload",
      await author.POST("/v1/documents/{document_id}/versions", {
        params: { path: { document_id: documentId } },
        body: { file: text, change_summary: "First draft.", issued: false },
        bodySerializer(body) {
          const form = new FormData();
          form.append("file", new Blob([body.file], { type: "text/plain" }), "draft.txt");
          form.append("change_summary", body.change_summary);
          form.append("issued", String(body.issued));
          return form;
        },
      }),
      201,
    );
  const draft = await upload(first.id, "Never work alone without telling someone where you are.");
  check(draft.number === "0.1", `upload: version ${draft.number}, not 0.1`);
  check(draft.media_type.startsWith("text/plain"), `upload: media type ${draft.media_type}`);
  check(!draft.is_issued, "upload: a draft came back issued");
  step("upload", `version ${draft.number} of ${first.reference} (${draft.size_bytes} bytes)`);

  // ETag/If-Match: a change with the ETag last read is taken; a stale one is refused (412), and
  // so is a change without If-Match (428).
  const read = await officer.GET("/v1/documents/{document_id}", {
    params: { path: { document_id: first.id } },
  });
  expectData("etag", read, 200);
  const etag = read.response.headers.get("ETag");
  check(etag !== null, "etag: GET of a document sent no ETag");
  const patched = await officer.PATCH("/v1/documents/{document_id}", {
    params: { path: { document_id: first.id }, header: { "If-Match": etag } },
    body: { summary: "Keeping lone workers safe." },
  });
  const changed = expectData("etag", patched, 200);
  check(changed.summary === "Keeping lone workers safe.", `etag: summary ${changed.summary}`);
  const newEtag = patched.response.headers.get("ETag");
  check(newEtag !== null && newEtag !== etag, `etag: ETag after the change ${newEtag}`);
  const stale = await officer.PATCH("/v1/documents/{document_id}", {
    params: { path: { document_id: first.id }, header: { "If-Match": etag } },
    body: { summary: "Written over a change I never saw." },
  });
  expectProblem("etag stale", stale, 412, "/problems/precondition-failed");
  const blind = await officer.PATCH("/v1/documents/{document_id}", {
    // @ts-expect-error The spec makes If-Match required: leaving it out must not compile.
    params: { path: { document_id: first.id } },
    body: { summary: "Written blind." },
  });
  expectProblem("etag missing", blind, 428, "/problems/precondition-required");
  step("etag", `${etag} -> ${newEtag}; stale 412, without If-Match 428`);

  // a typed problem: error is the Problem schema, read like any other typed answer.
  const missing = await officer.GET("/v1/documents/{document_id}", {
    params: { path: { document_id: "00000000-0000-4000-8000-000000000000" } },
  });
  const problem = expectProblem("problem", missing, 404, "/problems/not-found");
  step("problem", `${problem.status} ${problem.type} "${problem.title}"`);

  // open a consultation of the reader on the draft.
  const closesAt = new Date(Date.now() + 14 * 24 * 3600 * 1000).toISOString();
  const consultation = expectData(
    "consultation",
    await author.POST("/v1/consultations", {
      body: {
        document_id: first.id,
        version_id: draft.id,
        kind: "internal",
        description: "Does this keep you safe when you work alone?",
        audience: { people: [readerId] },
        closes_at: closesAt,
      },
    }),
    201,
  );
  check(consultation.status === "open", `consultation: status ${consultation.status}`);
  check(consultation.version_id === draft.id, "consultation: on another version");
  step("consultation", `${consultation.status} until ${consultation.closes_at}`);

  // decide a sign-off stage: a route whose one stage the document's owner decides, the author
  // submits the second procedure's draft, the owner approves it and the document is issued.
  expectData(
    "sign-off route",
    await officer.POST("/v1/routes", {
      body: {
        key: `drive_${run.toLowerCase()}`,
        name: "Owner approves",
        description: "",
        is_alternative: false,
        kinds: ["procedure"],
        definition: {
          allow_self_approval: false,
          deemed_agreement: false,
          stages: [
            {
              key: "rsm",
              name: "Responsible senior manager",
              decider: { kind: "document_role", role: "owner" },
              purpose: "approval",
              after_issue: false,
            },
          ],
        },
      },
    }),
    201,
  );
  const secondDraft = await upload(second.id, "Two people go on every first home visit.");
  const submitted = expectData(
    "sign-off submit",
    await author.POST("/v1/sign-offs", {
      body: { document_id: second.id, version_id: secondDraft.id },
    }),
    201,
  );
  const stage = submitted.stages.find((s) => s.key === "rsm");
  check(stage?.status === "active", `sign-off: stage rsm is ${stage?.status}`);
  check(
    stage.participants.includes(approverId),
    `sign-off: rsm stage asks ${stage.participants.join(", ")}`,
  );
  const decided = expectData(
    "sign-off decide",
    await approver.POST("/v1/sign-offs/{sign_off_id}/decisions", {
      params: { path: { sign_off_id: submitted.id } },
      body: {
        version_id: submitted.version_id,
        outcome: "approved",
        reasons: "Safe and clear.",
        see_again: false,
      },
    }),
    201,
  );
  check(decided.status === "completed", `sign-off: status ${decided.status} after approval`);
  const decision = decided.decisions[0];
  check(decision?.decided_by_id === approverId, "sign-off: decided by someone else");
  const issued = expectData(
    "sign-off issued",
    await approver.GET("/v1/documents/{document_id}", {
      params: { path: { document_id: second.id } },
    }),
    200,
  );
  check(issued.issued_version === "1.0", `sign-off: issued version ${issued.issued_version}`);
  step("sign-off", `stage rsm ${decision.outcome}; ${issued.reference} issued as 1.0`);
}

main().catch((failure: unknown) => {
  const message = failure instanceof Error ? failure.message : String(failure);
  console.error(failure instanceof Mismatch ? `FAILED ${message}` : `ERROR ${message}`);
  process.exitCode = 1;
});
