/** `npm run bench`: every benchmark in turn. Each prints medians and ratios against its own baseline. */
import { main as ingest } from './ingest.bench';
import { main as library } from './library-index.bench';

console.log('== ingest ==');
await ingest();
console.log('\n== library index ==');
await library({ resources: Number(process.env.LIBRARY_BENCH_N ?? 100_000) });
