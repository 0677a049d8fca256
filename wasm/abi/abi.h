/* abi.h: the C interface the Worker calls, the only surface of the Wasm module.
 *
 * Rules for callers (the JS shim in worker/core.js is the reference caller):
 * - Call the module's `_initialize` export once after instantiation, before anything else.
 * - Memory: ph_alloc() returns a buffer the caller owns until it passes it to ph_free(); the
 *   core never keeps a pointer into it past the call that received it. Any call may grow the
 *   memory, which detaches JS views: make new views after every call.
 * - Results: ph_ingest() writes its result into a buffer the core owns. ph_result_ptr() and
 *   ph_result_len() describe it; it stays valid until the next ph_ingest() call.
 * - Nothing here throws or aborts on any input. A trap means a bug: throw the instance away.
 *
 * Result layout (little-endian uint32 words at ph_result_ptr(), then the texts they point to):
 *   [0] outcome                the request's status code (same as ph_ingest's return value)
 *   [1] event_count            events found in the body
 *   [2] row_count              rows to store
 *   [3] rows_offset  [4] rows_length          JSON arrays of row objects, back to back (empty if
 *                                             no rows), each to be bound as one SQL parameter
 *   [5] response_offset  [6] response_length  the response body, JSON
 *   [7] accepted_offsets_offset               row_count uint32 offsets, into the response,
 *                                             of each row's `"accepted" ` token (11 bytes),
 *                                             which the caller may overwrite with `"duplicate"`
 *   [8] chunk_count  [9] chunks_offset        chunk_count triples of uint32: offset and length of
 *                                             one JSON array within the result, and the index of
 *                                             its first row
 *   [10] rejections_offset  [11] rejections_length   JSON array of rejection counts by product,
 *                                             event, code and version (no event data)
 *   [12] row_installs_offset  [13] row_installs_length     JSON array, per stored row in order,
 *                                             of ["event_id", "install key" or null]
 *   [14] install_counts_offset  [15] install_counts_length JSON object of stored rows per
 *                                             install key (src/install_key.h)
 * Offsets count bytes from ph_result_ptr().
 */
#ifndef PHONEHOME_ABI_H
#define PHONEHOME_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; bumped whenever a signature or the result layout changes. */
#define PH_ABI_VERSION 4
uint32_t ph_abi_version(void);

uint8_t* ph_alloc(uint32_t size);
void ph_free(uint8_t* pointer);

/* ph_load_catalogue() reads the compiled catalogue (the JSON document `phonehome build` writes,
 * UTF-8 in memory the caller owns), checks it completely and builds the tables ph_ingest() uses.
 * Returns 0 when it is loaded, replacing any earlier one. Otherwise returns 1 and the module holds
 * no catalogue: ph_ingest() answers `misconfigured` until a load succeeds, and
 * ph_catalogue_error() is a NUL-terminated message naming the first problem and its place
 * ("products[1] (axon).events[0] (heartbeat).fields[3] (tasks).max_items: …"). Call it once per
 * instance, after _initialize. */
int32_t ph_load_catalogue(const uint8_t* json, uint32_t length);
const char* ph_catalogue_error(void);

/* ph_ingest() processes one request. product, event, body and sent_at are UTF-8 byte ranges in
 * memory the caller owns (sent_at: the client's X-Sent-At header, length 0 when absent);
 * received_at_ms is the server receive time in UTC milliseconds; nonce_high and nonce_low are a
 * random 64-bit value per request. flags: PH_VALUES_ARE_TEXT when the body is a query string read
 * as an object (every value a string, read as its field's kind). Returns the outcome status code. */
#define PH_VALUES_ARE_TEXT 1u
int32_t ph_ingest(const uint8_t* product, uint32_t product_length, const uint8_t* event,
                  uint32_t event_length, const uint8_t* body, uint32_t body_length,
                  const uint8_t* sent_at, uint32_t sent_at_length, double received_at_ms,
                  uint32_t nonce_high, uint32_t nonce_low, uint32_t flags);

const uint8_t* ph_result_ptr(void);
uint32_t ph_result_len(void);

/* ph_status_count() and ph_status_name() list the status codes: the name of code i is the NUL-
 * terminated string at ph_status_name(i); ph_status_is_request(i) is 1 for request outcomes. */
uint32_t ph_status_count(void);
const char* ph_status_name(uint32_t code);
uint32_t ph_status_is_request(uint32_t code);

/* ph_limits_json() is a NUL-terminated JSON object of the limits the core enforces. */
const char* ph_limits_json(void);

#ifdef __cplusplus
}
#endif

#endif /* PHONEHOME_ABI_H */
