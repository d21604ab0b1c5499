// run.mjs — the driver of the browser benchmark (scripts/bench-browser starts it; read that
// script first). For each pair it launches ONE headless Chromium (puppeteer-core,
// /usr/bin/chromium, a fresh profile) and, for every repository and clone mode, takes three
// measurements back to back, in an order rotated from pair to pair:
//
//   native   `git clone [--depth 1]` straight from the local git server, under /usr/bin/time -v
//   tabgit   the real app (BENCH_DIST, served here with its Content-Security-Policy): Settings ->
//            proxy URL, Repositories -> Clone, URL (and Depth), click Clone; done when the app
//            routes to the cloned repository (the worker's reply), also timed to the file tree
//   iso      isomorphic-git + LightningFS (iso.html + iso-bundle.js, from entry.js) through the
//            same proxy, clone then fs.promises.flush()
//
// Every browser measurement gets a new tab and, afterwards, its origin's storage is cleared
// through the DevTools protocol, so each clone starts from an empty origin; before each
// measurement the harness waits for Chromium to go idle. Measured: wall time (performance.now()
// in the page), peak RSS of Chromium's renderer processes (a dedicated worker runs in its page's
// renderer) sampled from /proc every 50 ms plus VmHWM, also their private part (RssAnon); the
// longest main-thread task (PerformanceObserver 'longtask', installed before the page's own
// scripts, with 'long-animation-frame' entries naming the scripts that ran, plus a 10 ms timer
// that measures how late it fires: that also counts time the OS did not run the thread);
// navigator.storage.estimate().usage; the messages the page receives from workers; for tabgit,
// the size of the engine worker's WebAssembly memory after the clone (its high-water mark). Ratios are
// tool / native git within one pair; the report gives the median over pairs.
//
// Environment (set by scripts/bench-browser): BENCH_GITSERVER, BENCH_PROXY, BENCH_APP_PORT,
// BENCH_ISO_PORT, BENCH_DIST, BENCH_WORK, BENCH_SRC. Arguments: --repos a,b --modes full,depth1
// --tools native,tabgit,iso --pairs N --out FILE.md [--trace] [--timeout-min M].
// `node run.mjs --report FILE.json` prints the report of an earlier run again.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REPOS = opt('repos', 'medium,large').split(',');
const MODES = opt('modes', 'full,depth1').split(',');
const TOOLS = opt('tools', 'native,tabgit,iso').split(',');
const PAIRS = Number(opt('pairs', '3'));
const TIMEOUT_MS = Number(opt('timeout-min', '30')) * 60_000;
// --trace: also record a Chromium trace of every browser clone (slower; for finding where the
// time goes, not for the table) and summarise it per thread.
const TRACE = args.includes('--trace');
// --memory-dumps: instead, record Chromium memory-infra dumps every 250 ms during each browser
// clone and report, for the renderer at its largest private footprint, how much each allocator
// (v8, partition_alloc, malloc, blink_gc, ...) held: where the renderer's memory goes.
const MEMORY_DUMPS = args.includes('--memory-dumps');
const CHROMIUM = process.env.BENCH_CHROMIUM || '/usr/bin/chromium';

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const MiB = (kib) => kib / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`);

// ------------------------------------------------------------------ the report
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const max = (xs) => Math.max(...xs.filter((x) => Number.isFinite(x)));
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
function renderReport(meta, results) {
  const NAMES = { native: 'native git', tabgit: 'tabgit', iso: 'isomorphic-git + LightningFS' };
  const MODE_NAMES = { full: 'full', depth1: '`--depth 1`' };

  const lines = [];
  const notes = [];
  lines.push(`| repository | clone | tool | wall (median) | ratio to native git (median of ${meta.pairs} pairs) | peak memory (max over pairs) | longest main-thread task (max; timer lateness) | storage used |`);
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const repo of meta.repos) {
    for (const mode of meta.modes) {
      for (const tool of meta.tools) {
        const rs = results.filter((r) => r.repo === repo && r.mode === mode && r.tool === tool);
        const ok = rs.filter((r) => !r.error);
        const failed = rs.length - ok.length;
        const ratios = ok.map((r) => {
          const n = results.find((x) => x.pair === r.pair && x.repo === repo && x.mode === mode && x.tool === 'native' && !x.error);
          return n ? r.wallMs / n.wallMs : NaN;
        });
        const wall = `${fmt(median(ok.map((r) => r.wallMs / 1000)))} s`;
        let ratio = tool === 'native' ? '1.00×' : `${fmt(median(ratios))}× (${ratios.filter(Number.isFinite).map((x) => fmt(x)).join(', ')})`;
        let memCol;
        let taskCol;
        let storage;
        if (tool === 'native') {
          memCol = `${fmt(MiB(max(ok.map((r) => r.peakKiB))), 0)} MiB (peak RSS)`;
          taskCol = '—';
          storage = `${mib(median(ok.map((r) => r.diskBytes)))} on disk`;
        } else {
          memCol = `${fmt(MiB(max(ok.map((r) => Math.max(r.rendererPeakKiB, r.rendererHwmKiB)))), 0)} MiB renderer (${fmt(MiB(max(ok.map((r) => r.rendererAnonPeakKiB))), 0)} MiB private)`;
          const wasmBytes = ok.map((r) => r.workerWasmBytes).filter((b) => b > 0);
          if (wasmBytes.length) memCol += `; worker wasm memory ${fmt(max(wasmBytes) / 2 ** 20, 0)} MiB`;
          const lt = max(ok.map((r) => r.longtaskMs));
          taskCol = `${lt > 0 ? `${fmt(lt, 0)} ms` : 'none ≥ 50 ms'}; ${fmt(max(ok.map((r) => r.lagMaxMs)), 0)} ms`;
          storage = mib(median(ok.map((r) => r.usage)));
        }
        if (failed) ratio += ` — ${failed} of ${rs.length} failed`;
        if (!ok.length) lines.push(`| ${repo} | ${MODE_NAMES[mode] || mode} | ${NAMES[tool]} | failed: ${rs[0]?.error?.slice(0, 120)} | | | | |`);
        else lines.push(`| ${repo} | ${MODE_NAMES[mode] || mode} | ${NAMES[tool]} | ${wall} | ${ratio} | ${memCol} | ${taskCol} | ${storage} |`);
      }
    }
  }

    // Where the page's long tasks came from (long animation frames overlapping them).
    const invokers = {};
    for (const r of results.filter((x) => x.tool === 'tabgit' && x.longtaskFrames)) {
      for (const frames of r.longtaskFrames) {
        const worst = frames.flatMap((f) => f.scripts).sort((a, b) => b.duration - a.duration)[0];
        const key = worst ? `${worst.invoker} (${(worst.url || 'the benchmark probe').replace(/-[0-9a-f]{16}\./, '.')})` : 'no script attributed';
        invokers[key] = (invokers[key] || 0) + 1;
      }
    }
    const before = (tool, key) => fmt(MiB(median(results.filter((r) => r.tool === tool && !r.error).map((r) => r[key]))), 0);
    const msgs = (repo, mode) => fmt(median(results.filter((r) => r.tool === 'tabgit' && r.repo === repo && r.mode === mode && !r.error).map((r) => r.workerMessages)), 0);
    notes.push(
      `Renderer before the clone (median): tabgit (app and engine worker loaded) ${before('tabgit', 'rendererStartKiB')} MiB, ${before('tabgit', 'rendererAnonStartKiB')} MiB private; the isomorphic-git page ${before('iso', 'rendererStartKiB')} MiB, ${before('iso', 'rendererAnonStartKiB')} MiB private.`,
      `Messages from the engine worker to the page per tabgit clone (median): ${meta.repos.flatMap((repo) => meta.modes.map((mode) => `${repo} ${mode} ${msgs(repo, mode)}`)).join(', ')}.`,
      `tabgit's three longest tasks per clone, by the script that ran longest in their animation frame: ${Object.entries(invokers).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}.`,
    );
    return [
    `Browser benchmark, ${meta.started} to ${meta.finished}`,
    '',
    `${meta.chromium}, ${meta.git}, ${meta.cpus} CPUs, ${meta.memGiB} GiB; load average (1 min) ${meta.loadMin} to ${meta.loadMax} during the run (start: ${meta.loadStart}; end: ${meta.loadEnd})`,
    '',
    ...lines,
    '',
    ...notes,
    '',
    'tabgit phases (ms from the click to the first progress row of each phase, pair 1):',
    ...results
      .filter((r) => r.tool === 'tabgit' && r.pair === 0 && r.phases)
      .map((r) => `- ${r.repo} ${r.mode}: ${r.phases.map(([t, l]) => `${l} @${t}`).join(', ')}; reply @${Math.round(r.wallMs)}; files shown @${Math.round(r.toFilesMs)}; ${r.workerMessages} messages from the worker`),
    'isomorphic-git phases (ms from the start of clone(), pair 1):',
    ...results
      .filter((r) => r.tool === 'iso' && r.pair === 0 && r.marks)
      .map((r) => `- ${r.repo} ${r.mode}: ${Object.entries(r.marks).map(([l, t]) => `${l} @${Math.round(t)}`).join(', ')}; clone() returned @${Math.round(r.cloneMs)}; flush ${Math.round(r.flushMs)} ms`),
    '',
  ].join('\n');
}

// --report FILE.json: print the report of an earlier run again, and stop.
if (args.includes('--report')) {
  const { meta, results } = JSON.parse(fs.readFileSync(opt('report'), 'utf8'));
  console.log(renderReport(meta, results));
  process.exit(0);
}

// ------------------------------------------------------------------ configuration
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run scripts/bench-browser, not run.mjs directly`);
  return v;
};
const GITSERVER = env('BENCH_GITSERVER').replace(/\/$/, '');
const PROXY = env('BENCH_PROXY').replace(/\/$/, '');
const APP_PORT = Number(env('BENCH_APP_PORT'));
const ISO_PORT = Number(env('BENCH_ISO_PORT'));
const DIST = env('BENCH_DIST');
const WORK = env('BENCH_WORK');
const SRC = env('BENCH_SRC');
const APP = `http://127.0.0.1:${APP_PORT}`;
const ISO = `http://127.0.0.1:${ISO_PORT}`;

const OUT = opt('out', path.join(WORK, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`));
const require = createRequire(path.join(WORK, 'package.json'));
const puppeteer = (await import(pathToFileURL(require.resolve('puppeteer-core')).href)).default;


// ------------------------------------------------------------------ static servers
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };
// The app's policy, as README.md ("Deploying") and the end-to-end tests serve it, with the
// proxy allowed in connect-src.
const CSP = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${PROXY}; img-src 'self' blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function serve(port, resolve, headers) {
  const server = http.createServer((req, res) => {
    const file = resolve(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    });
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

const appServer = await serve(
  APP_PORT,
  (p) => {
    const rel = p.replace(/^\/+/, '');
    const f = path.join(DIST, rel);
    if (!rel || rel.split('/').includes('..') || !fs.existsSync(f) || !fs.statSync(f).isFile()) return path.join(DIST, 'index.html');
    return f;
  },
  { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' },
);
const isoServer = await serve(ISO_PORT, (p) => (p === '/iso-bundle.js' ? path.join(WORK, 'iso-bundle.js') : path.join(SRC, 'iso.html')), {});

// ------------------------------------------------------------------ memory sampler
// Chromium's processes are the descendants of the browser process; their type is in the
// command line (--type=renderer). The process list is refreshed every 500 ms, VmRSS of each
// every 50 ms.
function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}
function descendants(root) {
  const kids = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(name, 'stat');
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(Number(name));
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(kids.get(p) || []));
  }
  return out;
}
const kib = (status, key) => {
  const m = status && status.match(new RegExp(`${key}:\\s+(\\d+)`));
  return m ? Number(m[1]) : 0;
};

class Sampler {
  constructor(rootPid) {
    this.root = rootPid;
    this.procs = new Map(); // pid -> type
    this.window = null;
    this.refresh();
    this.listTimer = setInterval(() => this.refresh(), 500);
    this.timer = setInterval(() => this.sample(), 50);
  }
  refresh() {
    const seen = new Set();
    for (const pid of descendants(this.root)) {
      seen.add(pid);
      // A renderer is forked from the zygote and shows the zygote's command line until it sets
      // its own: a type other than renderer is read again until it settles.
      const known = this.procs.get(pid);
      if (known === 'renderer' || known === 'browser') continue;
      const cmd = readProc(pid, 'cmdline');
      if (cmd === null) continue;
      const type = (cmd.match(/--type=([a-z-]+)/) || [null, pid === this.root ? 'browser' : 'other'])[1];
      this.procs.set(pid, type);
    }
    for (const pid of this.procs.keys()) if (!seen.has(pid)) this.procs.delete(pid);
  }
  sample() {
    if (!this.window) return;
    let renderers = 0;
    let all = 0;
    for (const [pid, type] of this.procs) {
      const status = readProc(pid, 'status');
      if (!status) continue;
      const rss = kib(status, 'VmRSS');
      all += rss;
      if (type === 'renderer') {
        renderers += rss;
        const w = this.window.renderer;
        w[pid] = Math.max(w[pid] || 0, rss);
        this.window.hwm[pid] = kib(status, 'VmHWM');
        this.window.anon[pid] = Math.max(this.window.anon[pid] || 0, kib(status, 'RssAnon'));
      }
    }
    this.window.renderersPeak = Math.max(this.window.renderersPeak, renderers);
    this.window.allPeak = Math.max(this.window.allPeak, all);
    this.window.samples++;
  }
  begin() {
    this.refresh();
    this.window = { renderer: {}, hwm: {}, anon: {}, renderersPeak: 0, allPeak: 0, samples: 0 };
    this.sample();
    this.window.start = { ...this.window.renderer };
    this.window.startAnon = { ...this.window.anon };
  }
  end() {
    this.sample();
    const w = this.window;
    this.window = null;
    const peaks = Object.entries(w.renderer).sort((a, b) => b[1] - a[1]);
    const [pid, peak] = peaks[0] || [0, 0];
    return {
      rendererPeakKiB: peak, // the biggest renderer: the page under test (and its worker)
      rendererHwmKiB: w.hwm[pid] || 0, // its VmHWM (a peak the 50 ms sampling cannot miss)
      rendererStartKiB: w.start[pid] || 0,
      // Its private memory (RssAnon: heaps, wasm memories, buffers), without the pages of the
      // Chromium binary and shared libraries that VmRSS also counts.
      rendererAnonPeakKiB: w.anon[pid] || 0,
      rendererAnonStartKiB: w.startAnon[pid] || 0,
      renderersSumPeakKiB: w.renderersPeak,
      chromiumPeakKiB: w.allPeak, // every Chromium process (browser, GPU, storage, renderers)
      samples: w.samples,
    };
  }
  stop() {
    clearInterval(this.timer);
    clearInterval(this.listTimer);
  }
  // CPU time (clock ticks) Chromium's processes have used so far.
  cpuTicks() {
    this.refresh();
    let ticks = 0;
    for (const pid of this.procs.keys()) {
      const stat = readProc(pid, 'stat');
      if (!stat) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    }
    return ticks;
  }
  // Wait until Chromium is idle (under 4% of a core for half a second; at most 20 s): what the
  // previous measurement left behind (IndexedDB compaction, deleting a cleared origin's files,
  // garbage collection) must not land in the next one.
  async quiesce() {
    const t0 = Date.now();
    let before = this.cpuTicks();
    while (Date.now() - t0 < 20_000) {
      await sleep(500);
      const now = this.cpuTicks();
      if (now - before <= 2) break;
      before = now;
    }
    return Date.now() - t0;
  }
}

// ------------------------------------------------------------------ in-page probes
// Installed with evaluateOnNewDocument, before any script of the page: long tasks, a 10 ms
// lateness timer (tasks under the 50 ms long-task threshold), the route changes of the app,
// the clone-submit click and the clone dialog's progress phases, all on performance.now().
function probes() {
  const b = (window.__bench = { longtasks: [], loafs: [], hashes: [], phases: [], clicks: [], lag: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    b.longtaskError = String(e);
  }
  // Long animation frames name the scripts that ran in them (function, source, how invoked).
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        b.loafs.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          scripts: (e.scripts || []).map((s) => ({
            invoker: s.invoker,
            type: s.invokerType,
            fn: s.sourceFunctionName,
            url: (s.sourceURL || '').replace(/^.*\//, ''),
            at: s.sourceCharPosition,
            duration: Math.round(s.duration),
            forcedLayout: Math.round(s.forcedStyleAndLayoutDuration || 0),
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) {
    b.loafError = String(e);
  }
  window.addEventListener('hashchange', () => {
    b.hashes.push([performance.now(), location.hash]);
    if (location.hash.startsWith('#/repo/')) performance.mark('bench-end');
  });
  document.addEventListener(
    'click',
    (ev) => {
      const id = ev.target && ev.target.closest && ev.target.closest('[data-testid]');
      b.clicks.push([performance.now(), id ? id.getAttribute('data-testid') : '']);
      if (id && id.getAttribute('data-testid') === 'clone-submit') performance.mark('bench-start');
    },
    true,
  );
  b.startLag = () => {
    const lag = (b.lag = { max: 0, maxAt: 0 });
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      const late = now - last - 10;
      if (late > lag.max) {
        lag.max = late;
        lag.maxAt = now;
      }
      last = now;
      if (!lag.stopped) setTimeout(tick, 10);
    };
    setTimeout(tick, 10);
  };
  b.stopLag = () => {
    if (b.lag) b.lag.stopped = true;
    return b.lag;
  };
  // Messages from any Worker the page starts (the engine's progress events and replies): counted
  // with a passive listener, nothing else changed.
  b.messages = [];
  const NativeWorker = window.Worker;
  if (NativeWorker) {
    window.Worker = class extends NativeWorker {
      constructor(...a) {
        super(...a);
        this.addEventListener('message', (ev) => {
          const d = ev.data;
          const bytes = d && (d.byteLength ?? (d.buffer && d.buffer.byteLength) ?? 0);
          b.messages.push([performance.now(), bytes || 0]);
        });
      }
    };
  }
  // The clone dialog's progress: one .progress-phase element per phase, in order.
  const seen = new Set();
  const watch = () => {
    const rows = document.querySelectorAll('[data-testid="clone-progress"] .progress-phase');
    rows.forEach((row, i) => {
      if (seen.has(i)) return;
      seen.add(i);
      const label = (row.querySelector('.progress-label') || row).textContent || '';
      b.phases.push([performance.now(), label.replace(/[\s:]*[\d(].*$/, '').trim() || label.trim()]);
    });
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
}

async function pageMetrics(page, t0, t1) {
  return page.evaluate(
    async (t0, t1) => {
      const b = window.__bench;
      const lag = b.stopLag();
      const inside = b.longtasks.filter(([s, d]) => s + d >= t0 && s <= t1);
      const longest = inside.reduce((m, [, d]) => Math.max(m, d), 0);
      // The three longest tasks (ms after the start, duration) and the long animation frames
      // around them, with the scripts that ran.
      const top = [...inside].sort((x, y) => y[1] - x[1]).slice(0, 3);
      const frames = top.map(([s, d]) =>
        b.loafs.filter((f) => f.start <= s + d && f.start + f.duration >= s).map((f) => ({ ...f, start: Math.round(f.start - t0), duration: Math.round(f.duration) })),
      );
      const est = await navigator.storage.estimate();
      const msgs = b.messages.filter(([t]) => t >= t0 && t <= t1);
      return {
        workerMessages: msgs.length,
        workerMessageBytes: msgs.reduce((m, [, n]) => m + n, 0),
        longtaskMs: longest,
        longtasks: inside.length,
        longtaskTotalMs: inside.reduce((m, [, d]) => m + d, 0),
        longtaskTop: top.map(([s, d]) => [Math.round(s - t0), Math.round(d)]),
        longtaskFrames: frames,
        lagMaxMs: lag ? lag.max : null,
        jsHeapEnd: performance.memory ? performance.memory.usedJSHeapSize : null,
        usage: est.usage,
        usageDetails: est.usageDetails || null,
        longtaskError: b.longtaskError || null,
      };
    },
    t0,
    t1,
  );
}

// ------------------------------------------------------------------ the three tools
function nativeClone(repo, mode) {
  const dir = fs.mkdtempSync(path.join(WORK, 'tmp', `native-${repo}-`));
  const home = fs.mkdtempSync(path.join(WORK, 'tmp', 'home-'));
  const argv = ['-v', 'git', 'clone', '-q', ...(mode === 'depth1' ? ['--depth', '1'] : []), `${GITSERVER}/${repo}.git`, path.join(dir, repo)];
  const envClean = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', argv, { env: envClean, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) {
        reject(new Error(`git clone failed (${code}): ${err.slice(-2000)}`));
        return;
      }
      const rss = Number((err.match(/Maximum resident set size \(kbytes\): (\d+)/) || [0, 0])[1]);
      const du = spawn('du', ['-sb', path.join(dir, repo)]);
      let out = '';
      du.stdout.on('data', (d) => (out += d));
      du.on('close', () => {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(home, { recursive: true, force: true });
        resolve({ wallMs, peakKiB: rss, diskBytes: Number(out.split('\t')[0]) });
      });
    });
  });
}

// Leave the page (its worker ends and closes its databases), clear the origin's storage (the
// browser-wide DevTools session answers "Internal error" to this; a page's session does it),
// close the tab.
async function closeAndClear(page, origin) {
  try {
    await page.goto('about:blank');
    const s = await page.createCDPSession();
    await s.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
    await s.detach();
  } catch (e) {
    log(`  clearing ${origin} failed: ${e.message}`);
  }
  await page.close().catch(() => {});
}

async function newPage(browser) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.evaluateOnNewDocument(probes);
  page.on('pageerror', (e) => log('  page error:', String(e).slice(0, 300)));
  return page;
}

const byId = (id) => `[data-testid="${id}"]`;

async function fill(page, id, text) {
  const el = await page.waitForSelector(byId(id), { visible: true, timeout: 60_000 });
  await el.click({ clickCount: 3 });
  await page.keyboard.press('Backspace');
  await el.type(text);
}


// ------------------------------------------------------------------ tracing (--trace)
let PAIR = 0;
async function startTrace(page, repo, mode, tool) {
  if (!TRACE && !MEMORY_DUMPS) return null;
  const file = path.join(WORK, 'results', `${MEMORY_DUMPS ? 'memory' : 'trace'}-${repo}-${mode}-${tool}-pair${PAIR + 1}.json`);
  if (MEMORY_DUMPS) {
    await page.tracing.start({ path: file, categories: ['-*', 'disabled-by-default-memory-infra'] });
    const client = page.mainFrame().client;
    // One dump at a time (Chromium refuses a dump while one is running), light ones, which
    // still break memory down by allocator.
    const state = { running: true, done: null };
    state.done = (async () => {
      while (state.running) {
        await client.send('Tracing.requestMemoryDump', { deterministic: false, levelOfDetail: 'light' }).catch(() => {});
        await sleep(100);
      }
    })();
    return { file, state };
  }
  await page.tracing.start({
    path: file,
    categories: ['-*', 'toplevel', 'devtools.timeline', 'v8.execute', 'v8', 'blink.user_timing', 'IndexedDB', 'disabled-by-default-devtools.timeline', 'netlog', 'loading'],
  });
  return { file };
}

// The memory-infra dumps of a trace: for the renderer whose private footprint peaked highest,
// the dump at that peak, with the effective size of each top-level allocator, in MiB.
function summariseDumps(file, events) {
  const procs = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'process_name') procs.set(e.pid, e.args.name);
  const hex = (v) => (typeof v === 'string' ? parseInt(v, 16) : Number(v));
  // A dump of one process comes as several events with the same id: totals in one, the
  // allocators in another.
  const dumps = new Map();
  for (const e of events) {
    if (e.ph !== 'v' || !e.args || !e.args.dumps) continue;
    if (procs.get(e.pid) !== 'Renderer') continue;
    const key = `${e.pid}:${e.id}`;
    if (!dumps.has(key)) dumps.set(key, { pid: e.pid, ts: e.ts, totals: {}, allocators: {} });
    const d = dumps.get(key);
    Object.assign(d.totals, e.args.dumps.process_totals || {});
    Object.assign(d.allocators, e.args.dumps.allocators || {});
  }
  let best = null;
  const first = new Map();
  for (const d of [...dumps.values()].sort((a, b) => a.ts - b.ts)) {
    const footprint = hex(d.totals.private_footprint_bytes ?? 0);
    if (!first.has(d.pid)) first.set(d.pid, d);
    if (!best || footprint > best.footprint) best = { d, footprint };
  }
  if (!best) return { file, error: 'no renderer memory dumps in the trace' };
  const allocators = (d) => {
    const out = {};
    for (const [name, a] of Object.entries(d.allocators)) {
      if (name.includes('/')) continue;
      const size = a.attrs && (a.attrs.effective_size || a.attrs.size);
      if (size) out[name] = hex(size.value) / 2 ** 20;
    }
    return out;
  };
  const at = allocators(best.d);
  const start = allocators(first.get(best.d.pid));
  return {
    file,
    dumps: dumps.size,
    privateFootprintMiB: best.footprint / 2 ** 20,
    residentMiB: hex(best.d.totals.peak_resident_set_size ?? 0) / 2 ** 20,
    allocators: Object.entries(at)
      .map(([name, mib]) => [name, Math.round(mib * 10) / 10, Math.round((mib - (start[name] || 0)) * 10) / 10])
      .filter(([, mib]) => mib >= 0.5)
      .sort((x, y) => y[1] - x[1]),
  };
}

// Per thread: the time its top-level tasks ran between the page's bench-start and bench-end
// marks, and the events that took the most of it (durations of nested events overlap).
async function stopTrace(page, trace) {
  if (!trace) return null;
  const { file, state } = trace;
  if (state) {
    state.running = false;
    await state.done;
  }
  await page.tracing.stop();
  const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
  if (MEMORY_DUMPS) return summariseDumps(file, events);
  const names = new Map();
  const procs = new Map();
  let start = null;
  let end = null;
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
    if (e.ph === 'M' && e.name === 'process_name') procs.set(e.pid, e.args.name);
    if (e.name === 'bench-start' && start === null) start = e.ts;
    if (e.name === 'bench-end' && end === null) end = e.ts;
  }
  if (start === null || end === null) return { file, error: 'bench-start/bench-end marks not in the trace' };
  const threads = new Map();
  const open = new Map();
  const add = (key, name, ts, dur, top) => {
    const a = Math.max(ts, start);
    const b = Math.min(ts + dur, end);
    if (b <= a) return;
    if (!threads.has(key)) threads.set(key, { busy: 0, byName: {} });
    const t = threads.get(key);
    if (top) t.busy += b - a;
    else t.byName[name] = (t.byName[name] || 0) + (b - a);
  };
  const TOP = new Set(['ThreadControllerImpl::RunTask', 'RunTask', 'ThreadPool_RunTask']);
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'X') add(key, e.name, e.ts, e.dur || 0, TOP.has(e.name));
    else if (e.ph === 'B') open.set(`${key}:${e.name}`, e.ts);
    else if (e.ph === 'E' && open.has(`${key}:${e.name}`)) {
      const ts = open.get(`${key}:${e.name}`);
      open.delete(`${key}:${e.name}`);
      add(key, e.name, ts, e.ts - ts, TOP.has(e.name));
    }
  }
  const rows = [...threads.entries()]
    .map(([key, t]) => ({
      thread: `${procs.get(Number(key.split(':')[0])) || '?'}/${names.get(key) || key}`,
      busyMs: Math.round(t.busy / 1000),
      top: Object.entries(t.byName)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 6)
        .map(([n, d]) => [n, Math.round(d / 1000)]),
    }))
    .filter((r) => r.busyMs >= 20)
    .sort((x, y) => y.busyMs - x.busyMs)
    .slice(0, 10);
  return { file, windowMs: Math.round((end - start) / 1000), threads: rows };
}

// The size of every WebAssembly memory in the page and its workers, in bytes. A wasm memory
// never shrinks, so after an operation this is its high-water mark: how much of the renderer's
// private memory is the engine's Rust heap. (Runtime.queryObjects finds the Memory objects
// wherever they are referenced; it collects garbage first.)
async function wasmMemories(page) {
  const out = [];
  const targets = [['page', page.mainFrame().client], ...page.workers().map((w) => [`worker ${w.url().replace(/^.*\//, '')}`, w.client])];
  for (const [name, client] of targets) {
    try {
      const proto = await client.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
      const found = await client.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
      const sizes = await client.send('Runtime.callFunctionOn', {
        objectId: found.objects.objectId,
        functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
        returnByValue: true,
      });
      for (const bytes of sizes.result.value || []) out.push([name, bytes]);
    } catch (e) {
      out.push([name, NaN, String(e.message || e).slice(0, 200)]);
    }
  }
  return out;
}

async function tabgitClone(browser, sampler, repo, mode) {
  const page = await newPage(browser);
  try {
    // Settings: the proxy (and an identity), as a user does once.
    await page.goto(`${APP}/#/settings`, { waitUntil: 'load' });
    await fill(page, 'settings-proxy-url', PROXY);
    await fill(page, 'settings-name', 'Bench Mark');
    await fill(page, 'settings-email', 'bench@example.org');
    await page.click(byId('settings-save'));
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Saved', { timeout: 60_000 }, byId('settings-status'));
    // Repositories -> Clone a repository.
    await page.click(byId('nav-repos'));
    await (await page.waitForSelector(byId('clone-open'), { visible: true, timeout: 60_000 })).click();
    await fill(page, 'clone-url', `${GITSERVER}/${repo}.git`);
    if (mode === 'depth1') await fill(page, 'clone-depth', '1');
    // The dialog has asked the worker for the storage estimate: the worker is up.
    await page.waitForFunction((sel) => /used/.test(document.querySelector(sel)?.textContent || ''), { timeout: 60_000 }, byId('clone-storage'));
    const before = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
    await sampler.quiesce(); // the page's start-up work done
    await page.evaluate(() => window.__bench.startLag());
    const trace = await startTrace(page, repo, mode, 'tabgit');
    sampler.begin();
    await page.click(byId('clone-submit'));
    // Done: the app routes to the repository (the worker replied), or shows an error.
    const outcome = await page.waitForFunction(
      () => {
        const b = window.__bench;
        const done = b.hashes.find(([, h]) => h.startsWith('#/repo/'));
        if (done) return { ok: true, t1: done[0] };
        const err = document.querySelector('[data-testid="error-banner"]');
        if (err && err.textContent.trim()) return { ok: false, error: err.textContent.trim() };
        return false;
      },
      { timeout: TIMEOUT_MS, polling: 100 },
    );
    const { ok, t1, error } = await outcome.jsonValue();
    const mem = sampler.end();
    const traceSummary = await stopTrace(page, trace);
    if (!ok) throw new Error(`tabgit clone failed: ${error}`);
    // The files view, as the user sees it after the clone.
    await page.waitForSelector(`${byId('file-tree')} ${byId('file-entry')}`, { timeout: TIMEOUT_MS });
    const tFiles = await page.evaluate(() => performance.now());
    const b = await page.evaluate(() => ({ clicks: window.__bench.clicks, phases: window.__bench.phases }));
    const click = b.clicks.find(([, id]) => id === 'clone-submit');
    if (!click) throw new Error('the clone-submit click was not seen by the page');
    const t0 = click[0];
    await sleep(500);
    const m = await pageMetrics(page, t0, t1);
    const wasm = await wasmMemories(page);
    return {
      wallMs: t1 - t0,
      wasmMemories: wasm,
      workerWasmBytes: Math.max(0, ...wasm.filter(([n]) => n.startsWith('worker')).map(([, b]) => b).filter(Number.isFinite)),
      toFilesMs: tFiles - t0,
      phases: b.phases.map(([t, label]) => [Math.round(t - t0), label]),
      ...mem,
      ...m,
      usageBefore: before,
      traceSummary,
    };
  } finally {
    await closeAndClear(page, APP);
  }
}

async function isoClone(browser, sampler, repo, mode) {
  const page = await newPage(browser);
  try {
    await page.goto(`${ISO}/iso.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.isoClone === 'function', { timeout: 60_000 });
    const before = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
    await sampler.quiesce(); // the page's start-up work done
    await page.evaluate(() => window.__bench.startLag());
    const trace = await startTrace(page, repo, mode, 'iso');
    sampler.begin();
    const r = await page.evaluate(
      (opts) => window.isoClone(opts),
      { url: `${GITSERVER}/${repo}.git`, corsProxy: PROXY, depth: mode === 'depth1' ? 1 : 0 },
    );
    const mem = sampler.end();
    const traceSummary = await stopTrace(page, trace);
    await sleep(500);
    const m = await pageMetrics(page, r.t0, r.t1);
    return { wallMs: r.t1 - r.t0, cloneMs: r.cloneMs, flushMs: r.flushMs, marks: r.marks, ...mem, ...m, usageBefore: before, traceSummary };
  } finally {
    await closeAndClear(page, ISO);
  }
}

// ------------------------------------------------------------------ the run
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function loadavg() {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

const results = []; // {pair, repo, mode, tool, ...}
const meta = {
  started: new Date().toISOString(),
  loadStart: loadavg(),
  chromium: null,
  git: null,
  cpus: os.cpus().length,
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  repos: REPOS,
  modes: MODES,
  tools: TOOLS,
  pairs: PAIRS,
};
meta.git = await new Promise((ok) => {
  const c = spawn('git', ['--version']);
  let o = '';
  c.stdout.on('data', (d) => (o += d));
  c.on('close', () => ok(o.trim()));
});
fs.mkdirSync(path.join(WORK, 'tmp'), { recursive: true });
fs.mkdirSync(path.dirname(OUT), { recursive: true });
const loads = [];
// Stopped (Ctrl-C, or scripts/bench-browser ending): take the browser down and stop at once.
let activeBrowser = null;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    try {
      activeBrowser?.process()?.kill('SIGKILL');
    } catch {}
    process.exit(130);
  });
}

for (let pair = 0; pair < PAIRS; pair++) {
  PAIR = pair;
  const profile = fs.mkdtempSync(path.join(WORK, 'tmp', 'profile-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: FLAGS,
    protocolTimeout: TIMEOUT_MS + 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  activeBrowser = browser;
  meta.chromium = await browser.version();
  const sampler = new Sampler(browser.process().pid);
  log(`pair ${pair + 1}/${PAIRS}: ${meta.chromium}, load average ${loadavg()}`);
  try {
    for (const repo of REPOS) {
      for (const mode of MODES) {
        const order = TOOLS.map((_, i) => TOOLS[(i + pair) % TOOLS.length]);
        for (const tool of order) {
          const settleMs = await sampler.quiesce();
          loads.push(os.loadavg()[0]);
          const load = loadavg();
          let r;
          try {
            if (tool === 'native') r = await nativeClone(repo, mode);
            else if (tool === 'tabgit') r = await tabgitClone(browser, sampler, repo, mode);
            else if (tool === 'iso') r = await isoClone(browser, sampler, repo, mode);
            else throw new Error(`unknown tool ${tool}`);
          } catch (e) {
            r = { error: String(e.message || e).slice(0, 1000) };
          }
          results.push({ pair, repo, mode, tool, load, settleMs, ...r });
          if (r.error) log(`  ${repo} ${mode} ${tool}: FAILED ${r.error}`);
          else
            log(
              `  ${repo} ${mode} ${tool}: ${(r.wallMs / 1000).toFixed(2)} s` +
                (tool === 'native'
                  ? `, peak RSS ${MiB(r.peakKiB).toFixed(0)} MiB, disk ${(r.diskBytes / 2 ** 20).toFixed(1)} MiB`
                  : `, renderer peak ${MiB(r.rendererPeakKiB).toFixed(0)} MiB (HWM ${MiB(r.rendererHwmKiB).toFixed(0)}, before ${MiB(r.rendererStartKiB).toFixed(0)}; private ${MiB(r.rendererAnonPeakKiB).toFixed(0)}, before ${MiB(r.rendererAnonStartKiB).toFixed(0)}), longest task ${r.longtaskMs.toFixed(0)} ms (timer lateness ${r.lagMaxMs?.toFixed(0)} ms), storage ${mib(r.usage)}`) +
                (r.toFilesMs ? `, files shown at ${(r.toFilesMs / 1000).toFixed(2)} s` : '') +
                (r.workerMessages ? `, ${r.workerMessages} worker messages` : '') +
                (r.workerWasmBytes ? `, worker wasm memory ${mib(r.workerWasmBytes)}` : '') +
                `  [load ${load}; Chromium idle after ${(settleMs / 1000).toFixed(1)} s]`,
            );
          if (r.traceSummary && r.traceSummary.allocators) {
            const t = r.traceSummary;
            log(`    memory dumps ${t.file}: ${t.dumps} renderer dumps; at the largest, private footprint ${t.privateFootprintMiB.toFixed(1)} MiB (peak resident so far ${t.residentMiB.toFixed(1)} MiB)`);
            for (const [name, mib, grew] of t.allocators) log(`      ${name}: ${mib} MiB (${grew >= 0 ? '+' : ''}${grew} since the first dump)`);
          } else if (r.traceSummary) {
            log(`    trace ${r.traceSummary.file} (${r.traceSummary.windowMs ?? '?'} ms window) ${r.traceSummary.error || ''}`);
            for (const t of r.traceSummary.threads || []) log(`    ${t.busyMs} ms ${t.thread}: ${t.top.map(([n, d]) => `${n} ${d}`).join(', ')}`);
          }
          if (r.longtaskTop && r.longtaskTop.length) log(`    longest tasks [ms after start, ms]: ${JSON.stringify(r.longtaskTop)}`);
          fs.writeFileSync(OUT.replace(/\.md$/, '.json'), JSON.stringify({ meta, results }, null, 1));
        }
      }
    }
  } finally {
    sampler.stop();
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
meta.finished = new Date().toISOString();
meta.loadEnd = loadavg();
meta.loadMin = Math.min(...loads).toFixed(2);
meta.loadMax = Math.max(...loads).toFixed(2);

const report = renderReport(meta, results);
fs.writeFileSync(OUT, report);
fs.writeFileSync(OUT.replace(/\.md$/, '.json'), JSON.stringify({ meta, results }, null, 1));
console.log(`\n${report}`);
console.log(`(written to ${OUT} and ${OUT.replace(/\.md$/, '.json')})`);
appServer.close();
isoServer.close();
process.exit(0);
