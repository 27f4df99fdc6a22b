/**
 * The API surface per iOS version (26.1, 26.4, 26.5, 27), the sanitized error the extension sees, and
 * the two extension protocols, driven through the ExtensionHost with hand-made extensions.
 */
import { describe, expect, it } from 'vitest';
import { buildDestination } from '../../../../shared/simulator/photokit/destination';
import { ExtensionHost } from '../../../../shared/simulator/photokit/extension-host';
import type {
  ExtensionEnvironment,
  ProcessingResult,
  UploadExtension,
} from '../../../../shared/simulator/photokit/extension-types';
import { ApiUnavailableError, type IosVersion } from '../../../../shared/simulator/photokit/ios-surface';
import { JobStore } from '../../../../shared/simulator/photokit/job-store';
import type { UploadJob } from '../../../../shared/simulator/photokit/job-types';
import { MemoryStorage } from '../../../../shared/simulator/photokit/key-value-storage';
import { PhotoLibrary } from '../../../../shared/simulator/photokit/photo-library';
import { VirtualClock } from '../../../../shared/simulator/photokit/sim-clock';
import { Timeline } from '../../../../shared/simulator/photokit/timeline';
import { formatTimelineEvent } from '../../../../shared/simulator/photokit/timeline-format';
import { sanitizeJobError } from '../../../../shared/simulator/photokit/url-error';
import { DESTINATION, PERMANENT, sampleLibrary } from '../../../helpers/simulator/photokit-fakes';

type Body = (env: ExtensionEnvironment) => Promise<ProcessingResult>;

/** A host on `ios` whose extension runs `body` on each call, on the old protocol (or the iOS 27 one). */
async function hostWith(
  ios: IosVersion,
  body: Body,
  protocol: UploadExtension['protocol'] = 'PHBackgroundResourceUploadExtension',
) {
  const clock = new VirtualClock();
  const timeline = new Timeline(() => clock.now());
  const store = new JobStore();
  const library = new PhotoLibrary(await sampleLibrary(2, 1000), { clock });
  const calls: string[] = [];
  const host = new ExtensionHost({
    store,
    library,
    clock,
    timeline,
    ios,
    container: new MemoryStorage<unknown>(),
    factory: (env) =>
      protocol === 'PHBackgroundResourceUploadExtension'
        ? { protocol, process: () => body(env), notifyTermination: () => void calls.push('notifyTermination') }
        : {
            protocol,
            processJobs: () => body(env),
            willTerminate: async () => {
              await clock.sleep(10);
              calls.push('willTerminate');
            },
          },
  });
  return { clock, timeline, store, library, host, calls };
}

/**
 * One job per resource, created by the test (as the system would hold them), the first failed with `error`, the second
 * succeeded.
 */
function finishedJobs(store: JobStore, library: PhotoLibrary): void {
  const [a, b] = library.resources();
  store.performChanges((r) => {
    r.creationRequestForJob(buildDestination(DESTINATION, a!), a!);
    r.creationRequestForJob(buildDestination(DESTINATION, b!), b!);
  });
  store.begin('job-0001');
  store.fail('job-0001', PERMANENT, { 'Shoebox-Error': 'BAD_FILENAME', 'Shoebox-Error-Action': 'give-up' });
  store.begin('job-0002');
  store.succeed('job-0002', 201, { 'Shoebox-Path': '2019/x.HEIC' });
}

describe('the API surface per iOS version', () => {
  it(
    '26.1: no responseHeaderFields nor error (for failed or succeeded jobs), no cancel(), no ' +
      'creationRequestForJob, no fetchJobs(.process)',
    async () => {
      let seen: UploadJob[] = [];
      const errors: string[] = [];
      const { store, library, host } = await hostWith('26.1', async (env) => {
        seen = env.library.fetchJobs('acknowledge');
        for (const attempt of [
          () => env.library.fetchJobs('process'),
          () => env.library.performChanges((r) => r.cancel('job-0001')),
          () =>
            env.library.performChanges((r) =>
              r.creationRequestForJob(
                buildDestination(DESTINATION, env.library.resources()[0]!),
                env.library.resources()[0]!,
              ),
            ),
        ]) {
          try {
            await attempt();
          } catch (error) {
            expect(error).toBeInstanceOf(ApiUnavailableError);
            errors.push((error as Error).message);
          }
        }
        await env.library.performChanges((r) => seen.forEach((job) => r.acknowledge(job.id)));
        return 'completed';
      });
      finishedJobs(store, library);
      expect((await host.process()).result).toBe('completed');
      expect(seen.map((j) => [j.id, j.state, j.responseHeaderFields, j.error])).toEqual([
        ['job-0001', 'failed', undefined, undefined],
        ['job-0002', 'succeeded', undefined, undefined],
      ]);
      expect(errors).toEqual([
        expect.stringMatching(
          /^PHAssetResourceUploadJob\.fetchJobs\(action: \.process\) is introduced in iOS 26\.5; this phone runs iOS 26\.1/,
        ),
        expect.stringMatching(/cancel\(\) is introduced in iOS 26\.4.*#available\(iOS 26\.4, \*\)/),
        expect.stringMatching(/creationRequestForJob\(destination:resource:\) is introduced in iOS 26\.4/),
      ]);
      expect(store.all().every((j) => j.acknowledged)).toBe(true);
    },
  );

  it(
    '26.4: headers of succeeded and failed jobs, and a sanitized URLError instead of the status or the receiver ' +
      'code; cancel() works',
    async () => {
      let seen: UploadJob[] = [];
      const { store, library, host } = await hostWith('26.4', async (env) => {
        seen = env.library.fetchJobs('acknowledge');
        expect(() => env.library.fetchJobs('process')).toThrow(/introduced in iOS 26\.5/);
        const [resource] = env.library.resources();
        await env.library.performChanges((r) => {
          seen.forEach((job) => r.acknowledge(job.id));
          const id = r.creationRequestForJob(buildDestination(DESTINATION, resource!), resource!);
          r.cancel(id);
        });
        return 'completed';
      });
      finishedJobs(store, library);
      await host.process();
      expect(seen[0]).toMatchObject({
        state: 'failed',
        responseHeaderFields: { 'shoebox-error': 'BAD_FILENAME', 'shoebox-error-action': 'give-up' },
      });
      expect(seen[0]!.error).toEqual({ domain: 'NSURLErrorDomain', code: -1011, name: 'badServerResponse' });
      expect(JSON.stringify(seen[0]!.error)).not.toMatch(/400|unsafe name/);
      expect(seen[1]).toMatchObject({
        state: 'succeeded',
        responseHeaderFields: { 'shoebox-path': '2019/x.HEIC' },
        error: undefined,
      });
      expect(store.job('job-0003')).toMatchObject({ state: 'cancelled', acknowledged: true });
      // The system's record keeps the detail: the timeline shows it.
      expect(store.job('job-0001')).toMatchObject({ status: 400, error: PERMANENT });
    },
  );

  it('26.5: fetchJobs(.process) lists registered and pending jobs', async () => {
    let open: string[] = [];
    const { store, library, host } = await hostWith('26.5', async (env) => {
      open = env.library.fetchJobs('process').map((j) => `${j.id}:${j.state}`);
      return 'completed';
    });
    const [a, b] = library.resources();
    store.performChanges((r) => {
      r.creationRequestForJob(buildDestination(DESTINATION, a!), a!);
      r.creationRequestForJob(buildDestination(DESTINATION, b!), b!);
    });
    store.begin('job-0002');
    await host.process();
    expect(open).toEqual(['job-0001:registered', 'job-0002:pending']);
  });

  it(
    '27: the PHBackgroundResourceUploadJobExtension protocol, processJobs() and an awaited willTerminate(); ' +
      'job.resource and createJob noted as deprecated',
    async () => {
      const { host, store, library, timeline, calls, clock } = await hostWith(
        '27',
        async (env) => {
          const [resource] = env.library.resources();
          await env.library.performChanges((r) => r.createJob(buildDestination(DESTINATION, resource!), resource!));
          env.library.fetchJobs('process').forEach((job) => job.resource);
          await clock.sleep(60_000);
          return 'completed';
        },
        'PHBackgroundResourceUploadJobExtension',
      );
      const running = host.process();
      await clock.sleep(100);
      expect(await host.terminate('test')).toBe(true);
      expect(calls).toEqual(['willTerminate']);
      expect((await running).result).toBe('terminated');
      expect(store.all()).toHaveLength(1);
      expect(library.resources()).toHaveLength(2);
      const lines = timeline.events.map((e) => formatTimelineEvent(e)).filter(Boolean);
      expect(lines).toEqual([
        expect.stringMatching(/extension #1\s+launched$/),
        expect.stringMatching(/createJob\(destination:resource:\) is deprecated in iOS 26\.4$/),
        expect.stringMatching(/PHAssetResourceUploadJob\.resource is deprecated in iOS 27$/),
        expect.stringMatching(/terminated \(willTerminate\): test$/),
      ]);
    },
  );

  it(
    'the iOS 27 protocol is refused on an older iOS; ' + 'the old one is still served on 27, noted as deprecated',
    async () => {
      const { host } = await hostWith('26.5', async () => 'completed', 'PHBackgroundResourceUploadJobExtension');
      await expect(host.process()).rejects.toThrow(
        /PHBackgroundResourceUploadJobExtension is introduced in iOS 27; this phone runs iOS 26\.5/,
      );
      const legacy = await hostWith('27', async () => 'completed');
      expect((await legacy.host.process()).result).toBe('completed');
      expect(
        legacy.timeline.events.some(
          (e) =>
            e.type === 'extension' &&
            e.what === 'deprecated' &&
            /PHBackgroundResourceUploadExtension/.test(e.message ?? ''),
        ),
      ).toBe(true);
    },
  );
});

describe('sanitizeJobError', () => {
  it('maps what the transport reports to the URLError iOS shows, never the status or the receiver code', () => {
    expect(sanitizeJobError({ code: 'UPLOAD_EXPIRED', message: 'x', status: 409, retryable: false })).toEqual({
      domain: 'NSURLErrorDomain',
      code: -1011,
      name: 'badServerResponse',
    });
    expect(sanitizeJobError({ code: 'networkError', message: 'x', retryable: true })).toEqual({
      domain: 'NSURLErrorDomain',
      code: -1005,
      name: 'networkConnectionLost',
    });
    expect(sanitizeJobError({ code: 'timedOut', message: 'x', retryable: true })).toEqual({
      domain: 'NSURLErrorDomain',
      code: -1001,
      name: 'timedOut',
    });
    expect(sanitizeJobError({ code: 'cannotConnect', message: 'x', retryable: true })).toEqual({
      domain: 'NSURLErrorDomain',
      code: -1004,
      name: 'cannotConnectToHost',
    });
    expect(sanitizeJobError({ code: 'SOMETHING_NEW', message: 'x', retryable: true })).toEqual({
      domain: 'NSURLErrorDomain',
      code: -1005,
      name: 'networkConnectionLost',
    });
    expect(sanitizeJobError({ code: 'invalidResource', message: 'x', retryable: false })).toEqual({
      domain: 'PHPhotosErrorDomain',
      code: 3302,
      name: 'invalidResource',
    });
  });
});
