/**
 * The ingest core's own events, with no transport involved: IngestService and UploadLease say what
 * happens to an upload (receiving, verifying, stored / duplicate, interrupted, failed) and when a file
 * is committed, in that order and only after the commit is durable.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ShoeboxError } from '../../../../shared/protocol';
import { UploadActivityTracker, type UploadActivity } from '../../../../electron/receiver/activity/upload-activity';
import { Committer } from '../../../../electron/receiver/ingest/committer';
import type { CommittedUpload, UploadEvent, UploadOrigin } from '../../../../electron/receiver/ingest/ingest-events';
import { IngestService, type BeginOptions } from '../../../../electron/receiver/ingest/ingest-service';
import { StagingArea } from '../../../../electron/receiver/ingest/staging-area';
import type { UploadLease } from '../../../../electron/receiver/ingest/upload-lease';
import type { UploadSpec } from '../../../../electron/receiver/ingest/upload-spec';
import { LibraryIndex } from '../../../../electron/receiver/library/library-index';
import { makeTempDir } from '../../../helpers/receiver-fixture';

const origin: UploadOrigin = {
  transport: 'ws',
  device: {
    id: 'phone-1',
    name: 'Ana’s iPhone',
    pairedAt: '2024-01-01T00:00:00.000Z',
    lastSeenAt: '2024-01-01T00:00:00.000Z',
    revokedAt: null,
  },
};

interface Core {
  folder: string;
  index: LibraryIndex;
  ingest: IngestService;
  /** Every event in order: upload events by state, committed events as 'committed'. */
  seen: Array<UploadEvent | ({ state: 'committed' } & CommittedUpload)>;
  /** The state of the file in the library when each stored event was published. */
  indexedAtStored: boolean[];
}

const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) {
    await core.ingest.detachAll(new ShoeboxError('SHUTTING_DOWN', 'test over'));
    await core.index.close();
    await fs.rm(core.folder, { recursive: true, force: true });
  }
});

async function startCore(freeBytes = async () => 1e12): Promise<Core> {
  const folder = await makeTempDir('shoebox-ingest-events-');
  const staging = new StagingArea(folder);
  await staging.init();
  const index = await LibraryIndex.open({ folder, describeFile: async () => ({ captureDate: '2024-01-01T00:00:00' }) });
  const ingest = new IngestService({
    staging,
    committer: new Committer(folder, index, staging),
    maxUploadBytes: 1e9,
    minFreeBytes: 1000,
    freeBytes,
  });
  const core: Core = { folder, index, ingest, seen: [], indexedAtStored: [] };
  ingest.on('upload', (event) => {
    core.seen.push(event);
    if (event.state === 'stored') core.indexedAtStored.push(index.getBySha(event.result.sha256) !== undefined);
  });
  ingest.on('committed', (event) => core.seen.push({ state: 'committed', ...event }));
  cores.push(core);
  return core;
}

function specOf(bytes: Buffer, filename = 'IMG_0001.JPG'): UploadSpec {
  return {
    deviceId: origin.device.id,
    assetId: `A/${filename}`,
    resourceType: 'photo',
    filename,
    size: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentType: 'image/jpeg',
    captureDate: '2024-05-06T07:08:09',
  };
}

async function open(core: Core, spec: UploadSpec, options: Partial<BeginOptions> = {}): Promise<UploadLease> {
  const begun = await core.ingest.begin(spec, { origin, ...options });
  if (begun.kind !== 'open') throw new Error('expected an open upload');
  return begun.lease;
}

const states = (core: Core) => core.seen.map((e) => e.state);

describe('the ingest core’s events', () => {
  it('publishes receiving → verifying → stored, then committed, for one upload through IngestService', async () => {
    const core = await startCore();
    const bytes = Buffer.from('one photo, in two writes');
    const lease = await open(core, specOf(bytes));
    expect(core.seen).toEqual([]); // nothing shows before the client is told to send
    lease.markReady();
    await lease.write(0, bytes.subarray(0, 10));
    await lease.write(10, bytes.subarray(10));
    const result = await lease.finish();
    expect(states(core)).toEqual(['receiving', 'receiving', 'receiving', 'verifying', 'stored', 'committed']);
    expect(core.seen.slice(0, 4).map((e) => 'received' in e && e.received)).toEqual([
      0,
      10,
      bytes.byteLength,
      bytes.byteLength,
    ]);
    expect(core.seen[4]).toMatchObject({
      key: lease.key,
      origin,
      received: bytes.byteLength,
      result: { path: '2024/2024-05/IMG_0001.JPG', duplicate: false },
    });
    expect(core.seen[5]).toEqual({ state: 'committed', device: origin.device, filename: 'IMG_0001.JPG', result });
    expect(core.indexedAtStored).toEqual([true]); // stored only once the index holds it durably
    expect(core.ingest.isActive(lease.key)).toBe(false);
  });

  it('publishes duplicate (and committed) for bytes the library already has, at begin and at commit', async () => {
    const core = await startCore();
    const bytes = Buffer.from('the same bytes twice');
    const first = await open(core, specOf(bytes));
    first.markReady();
    await first.write(0, bytes);
    await first.finish();
    core.seen.length = 0;

    const begun = await core.ingest.begin(specOf(bytes, 'COPY.JPG'), { origin });
    expect(begun.kind).toBe('stored');
    expect(states(core)).toEqual(['duplicate', 'committed']);
    expect(core.seen[0]).toMatchObject({
      received: bytes.byteLength,
      result: { duplicate: true, path: '2024/2024-05/IMG_0001.JPG' },
    });
    expect(core.seen[1]).toMatchObject({ filename: 'COPY.JPG', result: { duplicate: true } });

    // Without a hash up front, the duplicate is found at commit.
    core.seen.length = 0;
    const late = await open(core, { ...specOf(bytes, 'LATE.JPG'), sha256: null });
    late.markReady();
    await late.write(0, bytes);
    await late.finish();
    expect(states(core)).toEqual(['receiving', 'receiving', 'verifying', 'duplicate', 'committed']);
  });

  it('publishes interrupted when the transport lets go (bytes kept), and failed when they are dropped', async () => {
    const core = await startCore();
    const bytes = Buffer.from('half of this arrives');
    const kept = await open(core, specOf(bytes));
    kept.markReady();
    await kept.write(0, bytes.subarray(0, 8));
    await kept.interrupt();
    expect(states(core)).toEqual(['receiving', 'receiving', 'interrupted']);
    expect(core.seen.at(-1)).toMatchObject({ received: 8 });
    expect(core.seen.at(-1)).not.toHaveProperty('error');
    const again = await open(core, specOf(bytes));
    expect(again.startOffset).toBe(8); // resumable
    await again.interrupt(); // never told to send: nothing shows
    expect(states(core)).toHaveLength(3);

    core.seen.length = 0;
    const plain = await open(core, specOf(bytes, 'PLAIN.JPG'), { key: 'plain-1', keepBytes: () => false });
    plain.markReady();
    await plain.write(0, bytes.subarray(0, 4));
    await plain.interrupt();
    expect(states(core)).toEqual(['receiving', 'receiving', 'failed']);
    expect(await new StagingArea(core.folder).bytesHeld('plain-1')).toBeNull();
  });

  it('publishes failed or interrupted with the error, as the error and the kept bytes say, exactly once', async () => {
    const core = await startCore();
    const bytes = Buffer.from('0123456789');
    const lease = await open(core, specOf(bytes));
    lease.markReady();
    await expect(lease.write(0, Buffer.alloc(11))).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await lease.fail(new ShoeboxError('OUT_OF_RANGE', 'again')); // the transport's own report of it changes nothing
    await lease.interrupt();
    expect(core.seen.map((e) => [e.state, 'error' in e ? e.error?.code : undefined])).toEqual([
      ['receiving', undefined],
      ['failed', 'OUT_OF_RANGE'],
    ]);

    core.seen.length = 0;
    const busy = await open(core, specOf(bytes));
    busy.markReady();
    await busy.fail(new ShoeboxError('IDLE_TIMEOUT', 'quiet'));
    expect(core.seen.at(-1)).toMatchObject({ state: 'interrupted', error: { code: 'IDLE_TIMEOUT', retryable: true } });
    await busy.fail(new Error('not a ShoeboxError'));
    expect(states(core)).toEqual(['receiving', 'interrupted']);

    core.seen.length = 0;
    const odd = await open(core, specOf(bytes));
    odd.markReady();
    await odd.fail(new Error('unexpected')); // anything unexpected is not resumable, whatever is kept
    expect(core.seen.at(-1)).toMatchObject({ state: 'failed', error: { code: 'INTERNAL' } });
  });

  it(
    'publishes a refusal at begin (a full disk) as the ' + 'upload’s end, and a takeover as nothing of the old owner',
    async () => {
      let free = 10;
      const core = await startCore(async () => free);
      await expect(core.ingest.begin(specOf(Buffer.alloc(5000)), { origin })).rejects.toMatchObject({
        code: 'DISK_FULL',
      });
      expect(core.seen).toEqual([
        expect.objectContaining({
          state: 'interrupted',
          received: 0,
          error: expect.objectContaining({ code: 'DISK_FULL' }) as unknown,
        }),
      ]);

      free = 1e12;
      core.seen.length = 0;
      const bytes = Buffer.from('taken over');
      const old = await open(core, specOf(bytes));
      old.markReady();
      const newer = await open(core, specOf(bytes));
      newer.markReady();
      await expect(old.write(0, bytes)).rejects.toMatchObject({ code: 'UPLOAD_BUSY' });
      await old.interrupt();
      await newer.write(0, bytes);
      await newer.finish();
      expect(states(core)).toEqual(['receiving', 'receiving', 'receiving', 'verifying', 'stored', 'committed']);
    },
  );

  it('drives the activity tracker (what queue views show) with no transport involved', async () => {
    const core = await startCore();
    const tracker = new UploadActivityTracker(0).follow(core.ingest);
    const shown: UploadActivity[] = [];
    tracker.on('activity', (a) => shown.push(a));
    const bytes = Buffer.from('for the queue');
    const lease = await open(core, specOf(bytes, 'Q.JPG'));
    lease.markReady();
    await lease.write(0, bytes);
    expect(tracker.list()).toEqual([expect.objectContaining({ state: 'receiving', received: bytes.byteLength })]);
    await lease.finish();
    expect(shown.map((a) => a.state)).toEqual(['receiving', 'receiving', 'verifying', 'stored']);
    expect(shown.at(-1)).toMatchObject({
      deviceName: 'Ana’s iPhone',
      transport: 'ws',
      filename: 'Q.JPG',
      path: '2024/2024-05/Q.JPG',
      size: bytes.byteLength,
    });
    expect(tracker.list()).toEqual([]);
    expect(await fs.readFile(path.join(core.folder, '2024', '2024-05', 'Q.JPG'), 'utf8')).toBe('for the queue');
  });
});
