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
 * Layouts are C structs (struct ph_request, struct ph_result, struct ph_chunk below). The module
 * describes them itself: ph_layout_json() gives each struct's size and each field's name, byte
 * offset, size and type, computed with sizeof/offsetof, and the JS loader reads fields by name
 * through it. Every field is little-endian; pointers and lengths are 32-bit in Wasm.
 *
 * Result: a struct ph_result at ph_result_ptr(), then the texts and tables its offsets point to.
 * Offsets count bytes from ph_result_ptr().
 */
#ifndef PHONEHOME_ABI_H
#define PHONEHOME_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; bumped whenever a signature or a layout changes. */
#define PH_ABI_VERSION 7
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

/* struct ph_request is one request, in memory the caller owns (the struct and every range it points
 * to), read during the ph_ingest() call only. */
#define PH_VALUES_ARE_TEXT 1u
struct ph_request {
  const uint8_t* product;  /* UTF-8, from the URL path; length 0 for POST /v1/batch */
  uint32_t product_length;
  const uint8_t* event;    /* UTF-8, from the URL path */
  uint32_t event_length;
  const uint8_t* body;     /* the request body, already decompressed */
  uint32_t body_length;
  const uint8_t* sent_at;  /* the client's X-Sent-At header; length 0 when absent */
  uint32_t sent_at_length;
  double received_at_ms;   /* the server receive time, UTC milliseconds */
  uint64_t nonce;          /* random per request: names events that declare no dedup key */
  uint32_t flags;          /* PH_VALUES_ARE_TEXT: the body is a query string read as an object
                              (every value a string, read as its field's kind) */
};

/* struct ph_result heads the result buffer. */
struct ph_result {
  uint32_t outcome;                 /* the request's status code (same as ph_ingest's return value) */
  uint32_t event_count;             /* events found in the body */
  uint32_t row_count;               /* rows to store */
  uint32_t rows_offset;             /* JSON arrays of row objects, back to back (empty if no */
  uint32_t rows_length;             /*   rows), each to be bound as one SQL parameter */
  uint32_t response_offset;         /* the response body, JSON */
  uint32_t response_length;
  uint32_t accepted_offsets_offset; /* row_count uint32 offsets, into the response, of each row's
                                       `"accepted" ` token (11 bytes), which the caller may
                                       overwrite with `"duplicate"` */
  uint32_t chunk_count;             /* chunk_count struct ph_chunk, back to back */
  uint32_t chunks_offset;
  uint32_t rejections_offset;       /* JSON array of rejection counts by product, event, code and */
  uint32_t rejections_length;       /*   version (no event data) */
  uint32_t row_installs_offset;     /* JSON array, per stored row in order, of */
  uint32_t row_installs_length;     /*   ["event_id", "install key" or null] */
  uint32_t install_counts_offset;   /* JSON object of stored rows per install key */
  uint32_t install_counts_length;   /*   (src/install_key.h) */
};

/* struct ph_chunk is one JSON array of rows within the result. */
struct ph_chunk {
  uint32_t offset;     /* from ph_result_ptr() */
  uint32_t length;
  uint32_t first_row;  /* the index of its first row in the request */
};

/* ph_ingest() processes one request and returns its outcome status code. The result is written
 * into a buffer the core owns: ph_result_ptr() and ph_result_len() describe it; it stays valid
 * until the next ph_ingest() call. */
int32_t ph_ingest(const struct ph_request* request);

const uint8_t* ph_result_ptr(void);
uint32_t ph_result_len(void);

/* ph_forget() reads the body of POST /v1/forget (UTF-8, in memory the caller owns, read during
 * the call only) and answers, as NUL-terminated JSON, every spelling under which the loaded
 * catalogue's install_id fields would store the id it names, each with the key of its daily
 * counter (src/install_key.h), without repeats (src/forget.h says what is accepted):
 *   {"forms":[{"install_id":"0b7e6a52-…","install_key":"<16 hex digits>"},…]}  (may be empty)
 *   {"error":"invalid_forget_request"}  the body is not {"install_id": "<id>"}
 *   {"error":"misconfigured"}           no catalogue is loaded
 * The string is the core's: valid until the next ph_forget() call. */
const char* ph_forget(const uint8_t* body, uint32_t length);

/* ph_version() (ABI 7) is the core's reading of a version string (UTF-8, read during the call only)
 * as a `version` field stores it: the NUL-terminated normalized version, or "" when the core would
 * refuse it (not a version, or one that reads as an address, a phone number, a key). The Worker
 * counts version checks and client reports under versions only in this form, so a count can hold
 * nothing an event could not. The string is the core's: valid until the next ph_version() call. */
const char* ph_version(const uint8_t* text, uint32_t length);

/* ph_status_count() and ph_status_name() list the status codes: the name of code i is the NUL-
 * terminated string at ph_status_name(i); ph_status_is_request(i) is 1 for request outcomes. */
uint32_t ph_status_count(void);
const char* ph_status_name(uint32_t code);
uint32_t ph_status_is_request(uint32_t code);

/* ph_limits_json() is a NUL-terminated JSON object of the limits the core enforces (the same
 * object as ph_describe_json()'s "limits"). */
const char* ph_limits_json(void);

/* ph_layout_json() is a NUL-terminated JSON object describing the structs above, from sizeof and
 * offsetof: {"ph_result":{"size":64,"fields":{"outcome":{"offset":0,"size":4,"type":"u32"},…}},…}.
 * Types: u32, u64, f64, ptr (a pointer: 4 bytes in Wasm). */
const char* ph_layout_json(void);

/* ph_describe_json() is a NUL-terminated JSON object of the facts the core declares once and the
 * shim needs: {"abi_version", "statuses": [{"code","name","scope","http","meaning"}, …] in code
 * order, "row_columns": […], "field_kinds": […], "max_row_chunk_bytes", "limits": {…}}. Both
 * strings are static: valid for the life of the instance. */
const char* ph_describe_json(void);

#ifdef __cplusplus
}
#endif

#endif /* PHONEHOME_ABI_H */
