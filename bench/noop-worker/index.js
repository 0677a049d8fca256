// The baseline for bench/e2e.mjs: reads the request body, as any collector must, and answers 200
// with a fixed acknowledgement, doing nothing else. The gap between it and phonehome is the cost
// of validating, normalizing and storing.
const ACK = JSON.stringify({ results: [] });

export default {
  async fetch(request) {
    if (request.method === 'POST') await request.arrayBuffer();
    return new Response(ACK, { status: 200, headers: { 'content-type': 'application/json' } });
  },
};
