// posthog-node.test.mjs: a real PostHog client no one here wrote (posthog-node from npm, pinned in
// package.json), pointed at the Worker in workerd with D1, captures Axolotl's events as Axolotl
// names them, and Kelos's (formerly Axon) flat report, and flushes. The client must see success at the first try (no retry, no error), and
// D1 must hold the rows the catalogue maps them to.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { PostHog } from 'posthog-node';
import { startWorker, testCatalogue } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const catalogue = testCatalogue();
const axolotl = catalogue.products.find((p) => p.product === 'axolotl');
const axon = catalogue.products.find((p) => p.product === 'axon');
const RUN = '01275463-aa39-482d-8cb2-11034e86f324';

describe('posthog-node against the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });

  // client() is a posthog-node client on the worker; `calls` records every request it makes and
  // the status it got, `errors` everything it reported.
  function client(apiKey, options = {}) {
    const calls = [];
    const errors = [];
    const posthog = new PostHog(apiKey, {
      host: worker.url.href.replace(/\/$/, ''), flushAt: 100, flushInterval: 0, ...options,
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        calls.push({ path: new URL(url).pathname, status: response.status, encoding: init.headers?.['Content-Encoding'] });
        return response;
      },
    });
    posthog.on('error', (error) => errors.push(error));
    return { posthog, calls, errors };
  }

  test('Axolotl\'s events by its project key: stored once each, success at the first try', async () => {
    await worker.clear();
    const { posthog, calls, errors } = client(axolotl.posthog.api_keys[0]);
    posthog.capture({ distinctId: RUN, event: 'system-info', properties: { os: 'Linux', python_version: '3.11.7', cpu_count: 32, memory_total: 270054051840, accelerator_count: 2, accelerator_type: 'cuda', axolotl_version: '0.13.0', torch_version: '2.8.0' } });
    posthog.capture({ distinctId: RUN, event: 'train-progress', properties: { step: 1, loss: 1.83, progress: 0.004, elapsed_time: 2.31, memory: { cpu_memory_bytes: 5368709120 } } });
    posthog.capture({ distinctId: RUN, event: 'axolotl.train.train-error', properties: { exception: 'CUDA out of memory at /home/alice/run.py', stack_trace: 'Traceback …' } });
    await posthog.shutdown();
    assert.deepEqual(errors, []);
    assert.ok(calls.length >= 1, 'the client sent something');
    assert.ok(calls.every((c) => c.status === 200 && c.path === '/batch/'), JSON.stringify(calls));
    assert.ok(calls.some((c) => c.encoding === 'gzip'), 'posthog-node gzips by default, and that is read');

    const rows = await worker.rows('SELECT event, session_id, version, os, time_source, properties FROM events ORDER BY event');
    assert.deepEqual(rows.map((r) => r.event), ['error', 'runtime_metrics', 'system_info']);
    assert.ok(rows.every((r) => r.session_id === RUN && r.time_source === 'client_corrected'));
    const [error, metrics, system] = rows.map((r) => ({ ...r, properties: JSON.parse(r.properties) }));
    assert.deepEqual(error.properties, { error_type: 'axolotl.train.train-error', message: 'CUDA out of memory at <path>/run.py', stack_trace: 'Traceback …' });
    assert.deepEqual(metrics.properties, { step: 1, progress: 0.004, elapsed_seconds: 2.31, loss: 1.83, memory: { cpu_memory_bytes: 5368709120 } });
    assert.equal(system.version, '0.13.0');
    assert.equal(system.os, 'linux');
    assert.equal(system.properties.memory_total_bytes, 270054051840);
    // The library's own properties ($lib, $lib_version, $geoip_disable, $is_server) are not kept.
    assert.ok(rows.every((r) => !r.properties.includes('$')));
  });

  test('Kelos\'s flat telemetry_report lands in the nested shape the catalogue declares', async () => {
    await worker.clear();
    const install = '3f0c2a8e-5b7d-4c1e-9a6f-2d8b1e4c7a90';
    const { posthog, calls, errors } = client(axon.posthog.api_keys[0]);
    posthog.capture({ distinctId: install, event: 'telemetry_report', properties: {
      version: 'v0.52.0', k8s_version: 'v1.31.4', environment: 'production', tasks_total: 3, tasks_by_type: { 'claude-code': 3 },
      feature_source_types: null, usage_total_cost_usd: 1.5, resources_tasks: 3, $process_person_profile: false,
    } });
    await posthog.shutdown();
    assert.deepEqual(errors, []);
    assert.ok(calls.every((c) => c.status === 200));
    const [row] = await worker.rows();
    assert.equal(row.install_id, install);
    assert.equal(row.version, '0.52.0');
    assert.deepEqual(JSON.parse(row.properties), {
      k8s_version_full: '1.31.4', environment: 'production', tasks: { total: 3, by_type: { 'claude-code': 3 } },
      usage: { total_cost_usd: 1.5 }, resources: { tasks: 3 },
    });
  });

  test('a flush that repeats a batch stores nothing twice', async () => {
    await worker.clear();
    const first = client(axolotl.posthog.api_keys[0]);
    first.posthog.capture({ distinctId: RUN, event: 'train-start', properties: {} });
    await first.posthog.shutdown();
    const again = client(axolotl.posthog.api_keys[0]);
    again.posthog.capture({ distinctId: RUN, event: 'train-start', properties: {} });
    await again.posthog.shutdown();
    assert.deepEqual([...first.errors, ...again.errors], []);
    assert.equal((await worker.rows()).length, 1);
  });

  test('events the catalogue does not map are answered 200 (the client cannot act on them) and counted', async () => {
    await worker.clear();
    const { posthog, calls, errors } = client(axolotl.posthog.api_keys[0]);
    posthog.capture({ distinctId: RUN, event: 'model-load', properties: { model_type: 'llama' } });
    posthog.capture({ distinctId: RUN, event: 'train-progress', properties: { loss: 1 } }); // no step: missing_field
    await posthog.shutdown();
    assert.deepEqual(errors, []);
    assert.ok(calls.every((c) => c.status === 200));
    assert.equal((await worker.rows()).length, 0);
    const counted = await worker.execute('SELECT product, event, code, count FROM rejections_daily');
    assert.deepEqual(counted.map(({ product, event, code, count }) => ({ product, event, code, count })),
      [{ product: 'axolotl', event: 'runtime_metrics', code: 'missing_field', count: 1 }]);
  });

  test('an unknown project key is a 400 the client reports and does not retry', async () => {
    await worker.clear();
    const { posthog, calls, errors } = client('phc_not_a_key_of_this_collector');
    posthog.capture({ distinctId: RUN, event: 'train-start', properties: {} });
    await posthog.shutdown();
    assert.deepEqual(calls.map((c) => c.status), [400]);
    assert.equal(errors.length, 1);
    assert.equal((await worker.rows()).length, 0);
  });
});
