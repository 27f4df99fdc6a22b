/** docs/PROTOCOL.md says what the code does: its error table and its interop versions match the code. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, INTEROP_VERSIONS } from '../../../../shared/protocol';

const protocol = readFileSync(path.join(import.meta.dirname, '../../../../docs/PROTOCOL.md'), 'utf8');

describe('docs/PROTOCOL.md', () => {
  it('lists every error code with its status, retryability, action and Retry-After', () => {
    const section = protocol.slice(protocol.indexOf('## Error codes'), protocol.indexOf('## Where files go'));
    const rows = new Map(
      [...section.matchAll(/^\| `(\w+)` \| (\d+) \| (yes|no) \| ([\w-]+) \| ([\d–]+) \|/gm)].map((m) => [
        m[1],
        m.slice(2, 6),
      ]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      const after = spec.retryable && 'retryAfter' in spec ? String(spec.retryAfter) : '–';
      expect(rows.get(code), code).toEqual([String(spec.http), spec.retryable ? 'yes' : 'no', spec.action, after]);
    }
  });

  it('documents every interop version the receiver speaks', () => {
    const section = protocol.slice(protocol.indexOf('#### Interop versions'), protocol.indexOf('#### The exchange'));
    const documented = [...section.matchAll(/^\| (\d+) \| -\d\d/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual([...INTEROP_VERSIONS]);
  });
});
