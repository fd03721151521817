import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@clickhouse/client';
import { insertEncoded } from './client.ts';

// The embedded path (chDB's own byte insert) is what every store test writes through; this is
// the remote one, against an HTTP endpoint that records what a ClickHouse server would receive.
describe('insertEncoded on a remote server', () => {
  const requests: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-ClickHouse-Summary': '{"written_rows":"2"}' });
      res.end();
    });
  });
  const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the encoded rows as the body of an INSERT, byte for byte', async () => {
    await listening;
    const client = createClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const body = Buffer.from('["a",1,["X"]]\n["b\\u00fc\\n",2,[]]\n');
    try {
      await insertEncoded(client, { table: 'reads', columns: ['id', 'n', 'texts'], format: 'JSONCompactEachRow', body });
    } finally {
      await client.close();
    }
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0]!.url, 'http://x').searchParams.get('query')).toBe(
      'INSERT INTO reads (id, n, texts) FORMAT JSONCompactEachRow',
    );
    expect(requests[0]!.body).toBe(body.toString());
  });
});
