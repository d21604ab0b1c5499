// The isomorphic-git peer of the browser benchmark (scripts/bench-browser), bundled by esbuild
// into target/bench-browser/iso-bundle.js and loaded by iso.html. It puts `git`, `http` and
// `LightningFS` on globalThis (as ../shared/BENCHMARKING.md describes) and adds `isoClone`,
// which run.mjs calls through puppeteer: a clone into a fresh LightningFS, then
// `fs.promises.flush()` (LightningFS writes its superblock lazily; the flush is part of the
// clone's cost), timed with performance.now() in the page.
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/web';
import LightningFS from '@isomorphic-git/lightning-fs';

globalThis.git = git;
globalThis.http = http;
globalThis.LightningFS = LightningFS;

globalThis.isoClone = async ({ url, corsProxy, depth }) => {
  const fs = new LightningFS('bench', { wipe: true });
  // Let the wipe and the superblock activation finish before the clock starts.
  await fs.promises.readdir('/').catch(() => {});
  const options = { fs, http, dir: '/repo', url, corsProxy };
  if (depth) {
    // What `git clone --depth N` does: one branch, N commits.
    options.depth = depth;
    options.singleBranch = true;
  }
  const marks = {};
  performance.mark('bench-start');
  const t0 = performance.now();
  await git.clone({
    ...options,
    onProgress: (p) => {
      // First time each phase is seen (Counting, Receiving, Resolving, Analyzing, Updating workdir).
      if (!(p.phase in marks)) marks[p.phase] = performance.now() - t0;
    },
  });
  const tClone = performance.now();
  await fs.promises.flush();
  const t1 = performance.now();
  performance.mark('bench-end');
  const head = await git.resolveRef({ fs, dir: '/repo', ref: 'HEAD' });
  return { t0, t1, cloneMs: tClone - t0, flushMs: t1 - tClone, marks, head };
};
