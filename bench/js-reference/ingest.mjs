// ingest.mjs: the core's ingest (wasm/src/ingest.cpp) as plain JavaScript, the way a Workers
// developer would write it without Wasm: JSON.parse, ajv validators compiled at build time,
// normalization in JS, JSON.stringify. It exists so the Wasm core can be benchmarked against an
// implementation doing the same work, and produces the same rows and verdicts for the same
// request. It covers POST /v1/{product}/{event}: no /v1/batch envelope, no X-Sent-At, no D1.
//
//   const reference = createReference(catalogue, validators);
//   const { outcome, rowCount, rowsJson, response } = reference.ingest({ product, event, body, receivedAt, nonce });
import { EventIdHasher } from './event-id.mjs';
import { DAY_MS } from './normalize.mjs';
import { compilePlans } from './plan.mjs';
import { EventNotes, noteDroppedBefore, propertiesOf, readObject } from './read-event.mjs';
import { Rejection, rejectionFromSchema, schemaErrorPath } from './rejection.mjs';
import { utf8Length } from './text.mjs';
import * as verdict from './verdicts.mjs';

export const MAX_EVENTS = 1000;
export const MAX_ROW_BYTES = 32768;
// An event time more than this far ahead of the server's clock is replaced by the receive time
// (times before 2000 were refused when read; without X-Sent-At no correction moves them there).
const MAX_FUTURE_MS = 23 * 3600 * 1000;

const NOT_AN_OBJECT = new Rejection('not_an_object', '', 'is not a JSON object');
const TOO_LARGE = new Rejection('event_too_large', '', `the event is larger than ${MAX_ROW_BYTES} bytes once normalized`);

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

// A row column's value: the field feeding it, else the value the product fixes, else null.
function columnValue({ slot, fixed }, values) {
  return slot >= 0 && values[slot] !== undefined ? values[slot] : fixed;
}

// The request as one failure: nothing stored, an error body.
const failure = (code, message) => ({ outcome: code, rowCount: 0, rowsJson: '[]', response: verdict.error(code, message) });

// createReference() compiles the catalogue (its public JSON form) once; `validators` maps
// "product/event" to the ajv standalone validators of generated/validators.mjs.
export function createReference(catalogue, validators) {
  const { plans, products } = compilePlans(catalogue, validators);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const hasher = new EventIdHasher();
  const notes = new EventNotes();
  const ids = new Set(); // event ids of the request: a second copy is a duplicate

  // parseBody() returns the events of the body, or the failure of the whole request.
  function parseBody(body) {
    let parsed;
    try {
      parsed = JSON.parse(decoder.decode(body));
    } catch (error) {
      return error instanceof SyntaxError
        ? failure('malformed_json', 'the body is not valid JSON')
        : failure('invalid_utf8', 'the body holds a string that is not valid UTF-8');
    }
    if (isObject(parsed)) return [parsed];
    if (!Array.isArray(parsed)) return failure('wrong_body_type', 'the body must be a JSON object or an array of objects');
    if (parsed.length === 0) return failure('empty_batch', 'the request holds no events: send at least one');
    if (parsed.length > MAX_EVENTS) return failure('too_many_events', `a request may carry at most ${MAX_EVENTS} events`);
    return parsed;
  }

  // eventId() hashes what makes the event itself: its dedup values, or for events without any,
  // the request (nonce and receive time) and the event's 1-based position in it.
  function eventId(plan, values, index, request, dayTime) {
    hasher.start(plan.idPrefix);
    if (plan.dedupSlots === null) {
      hasher.addUint32Pair(request.nonce[1], request.nonce[0]);
      hasher.addUint(request.receivedAt);
      hasher.addUint(index + 1);
    } else {
      for (const slot of plan.dedupSlots) hasher.addJson(values[slot]);
    }
    if (plan.perDay) hasher.addUint(Math.floor(dayTime / DAY_MS));
    return hasher.hex();
  }

  // ingestEvent() reads one event, stores its row in `rows` unless the request already holds
  // it, and returns its verdict. Like the core, it builds the row of a duplicate too: a row too
  // large is refused first.
  function ingestEvent(plan, raw, index, request, rows) {
    if (!isObject(raw)) throw NOT_AN_OBJECT;
    if (!plan.validate(raw)) {
      const [error] = plan.validate.errors;
      // A missing top-level field is reported once every value passed the schema: reading the
      // event then finds what the core finds, an earlier fault or the missing field, with the
      // same notes.
      if (error.keyword === 'required' && error.instancePath === '') readObject(plan.object, raw, notes);
      noteDroppedBefore(plan.object, raw, schemaErrorPath(error), notes);
      throw rejectionFromSchema(plan.object, error);
    }
    const values = readObject(plan.object, raw, notes);
    const { receivedAt } = request;
    const clientTime = notes.occurredAt;
    const fromClient = clientTime !== undefined && clientTime <= receivedAt + MAX_FUTURE_MS;
    const occurredAt = fromClient ? clientTime : receivedAt;
    // A retry sent later, with another clock, must fall on the same day: the client's own time.
    const id = eventId(plan, values, index, request, clientTime ?? occurredAt);
    const { columns } = plan;
    const json = JSON.stringify({
      event_id: id,
      product: plan.product,
      event: plan.event,
      install_id: columnValue(columns.install_id, values),
      session_id: columnValue(columns.session_id, values),
      version: columnValue(columns.version, values),
      os: columnValue(columns.os, values),
      arch: columnValue(columns.arch, values),
      runtime: columnValue(columns.runtime, values),
      runtime_version: columnValue(columns.runtime_version, values),
      occurred_at: occurredAt,
      received_at: receivedAt,
      time_source: fromClient ? 'client' : 'server',
      properties: propertiesOf(plan.object, values, true),
      // The reference products declare no ci field and no remote settings.
      ci: null,
      sample_rate: null,
    });
    if (json.length * 3 > MAX_ROW_BYTES && utf8Length(json) > MAX_ROW_BYTES) throw TOO_LARGE;
    const tail = verdict.notes(notes);
    if (ids.has(id)) return verdict.duplicate(index, tail);
    ids.add(id);
    rows.push(json);
    return verdict.accepted(index, tail);
  }

  // ingest() answers one request: a Uint8Array body, the receive time in UTC milliseconds and
  // the request's nonce as two uint32 [high, low].
  function ingest(request) {
    const { product, event, body } = request;
    const plan = plans.get(`${product}/${event}`);
    if (plan === undefined) {
      return products.has(product)
        ? failure('unknown_event', 'the product declares no event of that name')
        : failure('unknown_product', 'no product of that name is declared in the catalogue');
    }
    const events = parseBody(body);
    if (!Array.isArray(events)) return events;

    ids.clear();
    const rows = [];
    const verdicts = new Array(events.length);
    for (let index = 0; index < events.length; index++) {
      notes.reset();
      try {
        verdicts[index] = ingestEvent(plan, events[index], index, request, rows);
      } catch (error) {
        if (!(error instanceof Rejection)) throw error;
        verdicts[index] = verdict.rejected(index, error, verdict.notes(notes));
      }
    }
    // A duplicate within the request follows its accepted first copy: rows tell it all.
    const storedAny = rows.length > 0;
    return {
      outcome: storedAny ? 'ok' : 'all_rejected',
      rowCount: rows.length,
      rowsJson: `[${rows.join(',')}]`,
      response: verdict.results(verdicts, storedAny),
    };
  }

  return { ingest };
}
