// Runs every server audit of graphql-http (the GraphQL-over-HTTP conformance suite) against a
// running server, one at a time, and prints one line per audit and a closing "N passed, N failed"
// line. Exits 1 when any audit ends in an error (a MUST) or a warning (a SHOULD); notices (failed
// MAYs) are shown but do not fail the run.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

// A hung request must fail the run, not stall it.
const fetchFn = (input, init = {}) => fetch(input, { ...init, signal: AbortSignal.timeout(10_000) });

let passed = 0;
let failed = 0;
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    // graphql-http throws (instead of returning a result) only on fatal problems, such as a
    // connection refused or a timeout.
    result = { status: 'error', reason: `fatal: ${err?.cause?.message ?? err?.message ?? err}` };
  }
  if (result.status === 'error' || result.status === 'warn') {
    failed++;
  } else {
    passed++;
  }
  const detail = result.status === 'ok' ? '' : ` - ${result.reason}${await describe(result.response)}`;
  console.log(`${result.status.padEnd(6)} ${id} ${name}${detail}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

// describe summarises a failing response: status, content type and the start of its body.
async function describe(res) {
  if (!res) return '';
  let body = '';
  try {
    body = (await res.text()).slice(0, 200);
  } catch {
    // the audit may have read the body already
  }
  return ` (got ${res.status} ${res.headers.get('content-type') ?? 'no content-type'}${body ? `: ${body}` : ''})`;
}
