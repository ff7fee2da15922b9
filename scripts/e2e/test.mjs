// Browser end-to-end test of the page served by `warta serve`: plain Node, no npm packages.
//
//   node scripts/e2e/test.mjs --url http://127.0.0.1:PORT/ [--chromium PATH]
//                             [--screenshot docs/screenshot.png] [--profile DIR]
//
// Normally started by scripts/e2e/run.sh, which indexes sample_corpus/ plus an XSS probe
// article (evil/xss.txt) and starts the server. Chromium is driven over the DevTools
// protocol through --remote-debugging-pipe (JSON messages ending in a NUL byte on fds 3
// and 4), so no WebSocket client is needed and any Node >= 18 works. Prints one
// `ok - ...` / `not ok - ...` line per check and a summary; exits 1 on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: {
  url: { type: 'string' }, chromium: { type: 'string', default: 'chromium' },
  screenshot: { type: 'string' }, profile: { type: 'string' } } });
if (!opt.url) { console.error('usage: test.mjs --url http://127.0.0.1:PORT/ [--chromium PATH] [--screenshot FILE]'); process.exit(2); }
const BASE = opt.url.replace(/\/+$/, '');
const WAIT_MS = 10_000; // every wait gives up after this long, saying what it waited for
const SEED = 'seed/korea-russia-summit.id.txt';
const XSS_ID = 'evil/xss.txt';
const J = JSON.stringify;

// ---------- checks and reporting ----------
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok || detail === undefined ? '' : `  (got: ${typeof detail === 'string' ? detail : J(detail)})`}`);
  return ok;
}
const pageProblems = []; // uncaught exceptions, console errors and error log entries of the page
let expectApiErrors = false; // while true, API requests the server refuses (4xx) are no page problem

// ---------- Chromium over a DevTools pipe ----------
const profile = opt.profile ?? mkdtempSync(join(tmpdir(), 'warta-e2e-chrome-'));
const chromeArgs = ['--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--no-first-run',
  '--no-default-browser-check', '--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions',
  '--disable-background-networking', '--disable-sync', '--hide-scrollbars', '--mute-audio', '--lang=en-GB',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'about:blank'];
const chrome = spawn(opt.chromium, chromeArgs, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let chromeStderr = '';
chrome.stderr.on('data', (d) => { chromeStderr = (chromeStderr + d).slice(-4000); });
let chromeGone = null;
chrome.on('error', (e) => { chromeGone = `cannot start ${opt.chromium}: ${e.message}`; failAll(); });
chrome.on('exit', (code, sig) => { chromeGone ??= `Chromium exited (code ${code}, signal ${sig})`; failAll(); });
const killChrome = () => { if (chrome.exitCode === null && chrome.signalCode === null) chrome.kill('SIGKILL'); };
process.on('exit', killChrome); // last resort; the normal end closes Chromium first (closeChrome)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

let nextId = 0;
const pending = new Map(); // id → { resolve, reject, method }
const listeners = new Set(); // (msg) → void, for events
function failAll() {
  for (const p of pending.values()) p.reject(new Error(`${chromeGone} during ${p.method}\n${chromeStderr}`));
  pending.clear();
}
let inbox = Buffer.alloc(0);
chrome.stdio[4].on('data', (chunk) => {
  inbox = Buffer.concat([inbox, chunk]);
  let end;
  while ((end = inbox.indexOf(0)) >= 0) {
    const msg = JSON.parse(inbox.subarray(0, end).toString('utf8'));
    inbox = inbox.subarray(end + 1);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`)); else p.resolve(msg.result);
    } else if (msg.method) for (const fn of listeners) fn(msg);
  }
});
chrome.stdio[3].on('error', () => {}); // reported through the 'exit' handler instead

/** Closes Chromium (politely, then by force) and removes a profile directory made here. */
async function closeChrome() {
  const exited = new Promise((r) => (chromeGone ? r() : chrome.once('exit', r)));
  await send('Browser.close', {}, null).catch(() => {});
  if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 5000, false))]) === false) { killChrome(); await exited; }
  if (!opt.profile) rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
}

/** Sends one DevTools command (to the page session unless `session` is null). */
function send(method, params = {}, session = sessionId) {
  if (chromeGone) return Promise.reject(new Error(chromeGone));
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`timed out after ${WAIT_MS / 1000} s waiting for the answer to ${method}`)); }, WAIT_MS);
    pending.set(id, { method, resolve: (r) => { clearTimeout(timer); resolve(r); }, reject: (e) => { clearTimeout(timer); reject(e); } });
    chrome.stdio[3].write(J({ id, method, params, ...(session ? { sessionId: session } : {}) }) + '\0');
  });
}

/** Resolves with the next event `method` of the page session; rejects after WAIT_MS. */
function nextEvent(method, what) {
  return new Promise((resolve, reject) => {
    const fn = (msg) => { if (msg.method === method && msg.sessionId === sessionId) { done(); resolve(msg.params); } };
    const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`)); }, WAIT_MS);
    const done = () => { clearTimeout(timer); listeners.delete(fn); };
    listeners.add(fn);
  });
}

// The page's own problems: any of these fails the final check.
listeners.add(({ method, params }) => {
  let problem = null;
  if (method === 'Runtime.exceptionThrown') {
    const d = params.exceptionDetails;
    problem = `uncaught exception: ${d.exception?.description ?? d.text} (${d.url ?? ''}:${d.lineNumber})`;
  } else if (method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(params.type)) {
    problem = `console.${params.type}: ${params.args.map((a) => a.value ?? a.description ?? a.type).join(' ')}`;
  } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
    if (expectApiErrors && params.entry.source === 'network' && /\/api\//.test(params.entry.url ?? '')
      && / 4\d\d /.test(` ${params.entry.text} `)) return;
    problem = `log error (${params.entry.source}): ${params.entry.text} ${params.entry.url ?? ''}`;
  } else if (method === 'Page.javascriptDialogOpening') {
    problem = `dialog opened: ${params.message}`;
    send('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
  }
  if (problem) { pageProblems.push(problem); console.log(`# page problem: ${problem}`); }
});

// ---------- page helpers ----------
let sessionId = null;

/** Evaluates `expr` in the page and returns its (JSON) value; page exceptions throw. */
async function ev(expr) {
  const r = await send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`page evaluation failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}\n  in: ${expr}`);
  return r.result.value;
}

/** Polls `expr` until it is truthy and returns that value; throws after WAIT_MS naming `what`. */
async function waitFor(what, expr) {
  const deadline = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    try { last = await ev(expr); if (last) return last; } catch (e) { last = e.message; }
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what} (last value: ${J(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The page sets #results[aria-busy] to "true" in the same task that pushes the new URL and
// back to "false" once both the search and the timeline requests have settled.
const IDLE = `document.querySelector('#results')?.getAttribute('aria-busy') === 'false'`;
const waitIdle = (what, extra = 'true') => waitFor(what, `(${extra}) && ${IDLE}`);

/** Loads `path` as a fresh document and waits for its load event and the first render. */
async function load(path) {
  const loaded = nextEvent('Page.loadEventFired', `the load event of ${path}`);
  const r = await send('Page.navigate', { url: BASE + path });
  if (r.errorText) throw new Error(`navigation to ${path} failed: ${r.errorText}`);
  await loaded;
}

/** A real mouse click in the middle of the first box of `sel`, once it is visible and on top. */
async function click(sel, what) {
  const at = await waitFor(`${what} (${sel}) to be visible and clickable`, `(() => {
    const e = document.querySelector(${J(sel)});
    if (!e) return null;
    e.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
    const r = e.getClientRects()[0];
    if (!r || !r.width || !r.height) return null;
    const x = r.left + r.width / 2, y = r.top + r.height / 2, top = document.elementFromPoint(x, y);
    return top && (top === e || e.contains(top)) ? { x, y } : null;
  })()`);
  await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y });
  await send('Input.dispatchMouseEvent', { type: 'mousePressed', x: at.x, y: at.y, button: 'left', clickCount: 1 });
  await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: at.x, y: at.y, button: 'left', clickCount: 1 });
}

/** Presses and releases one key, as a keyboard would. */
async function press(key, code, keyCode, text) {
  await send('Input.dispatchKeyEvent', { type: text ? 'keyDown' : 'rawKeyDown', key, code, windowsVirtualKeyCode: keyCode, text });
  await send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: keyCode });
}

/** Types `text` into the search box and submits the form with Enter. */
async function search(text) {
  await click('#q', 'the search box');
  await ev(`document.querySelector('#q').select()`);
  await send('Input.insertText', { text });
  await press('Enter', 'Enter', 13, '\r');
  await waitIdle(`the results for "${text}"`, `new URLSearchParams(location.search).get('q') === ${J(text)} && document.querySelector('.hit[data-id]')`);
}

const viewport = (width, height, mobile = false) =>
  send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
const hitIds = () => ev(`[...document.querySelectorAll('#results .hit[data-id]')].map((h) => h.dataset.id)`);
const text = (sel) => ev(`document.querySelector(${J(sel)})?.textContent ?? null`);
const chipKP = `.chip.active-filter[data-field="country"][data-value="KP"]`;
const searchParam = (name) => ev(`new URLSearchParams(location.search).getAll(${J(name)})`);

/** Waits until the open article has been rendered (title no longer "Loading…"). */
const waitArticle = (id) => waitFor(`the article ${id} to be shown`, `!document.querySelector('#article').hidden
  && new URLSearchParams(location.search).get('article') === ${J(id)}
  && !['', 'Loading…'].includes(document.querySelector('#article-title').textContent)`);

/** Horizontal overflow at a `width` px viewport: widths, and the elements sticking out. */
const overflow = (width) => ev(`(() => {
  const sw = document.documentElement.scrollWidth, iw = innerWidth;
  const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > ${width} + 0.5)
    .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
  return { scrollWidth: sw, innerWidth: iw, sticking_out: out };
})()`);

// Records every script/img/iframe/object/embed element that ever appears inside #results or
// #article, so even one created and removed again between two polls is caught.
const WATCH = `window.__e2eInjected = [];
new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) {
  if (n.nodeType !== 1 || !n.closest('#results, #article')) continue;
  const bad = n.matches('script, img, iframe, object, embed') ? [n] : [...n.querySelectorAll('script, img, iframe, object, embed')];
  for (const b of bad) window.__e2eInjected.push(b.outerHTML.slice(0, 120));
} }).observe(document, { childList: true, subtree: true });`;

// ---------- the test ----------
async function main() {
  const watchdog = setTimeout(() => { console.log('not ok - the whole test finished within 120 s'); process.exit(1); }, 120_000);
  watchdog.unref();
  await send('Browser.getVersion', {}, null).then((v) => console.log(`# ${v.product}, Node ${process.version}, ${BASE}/`));
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' }, null);
  ({ sessionId } = await send('Target.attachToTarget', { targetId, flatten: true }, null));
  for (const m of ['Page.enable', 'Runtime.enable', 'Log.enable']) await send(m);
  await send('Page.addScriptToEvaluateOnNewDocument', { source: WATCH });
  await send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'light' }] });
  await viewport(1280, 900);

  // 1. The page loads and searches for "putin" typed into the box.
  await load('/');
  await waitFor('the first render of the page', IDLE);
  check('page loads with a search box', await ev(`!!document.querySelector('form#search-form #q') && document.title.includes('warta')`));
  await search('putin');
  const totalText = await text('#total');
  const total = Number((/\d+/.exec(totalText) || [])[0]);
  check('typing "putin" + Enter shows .hit results and #total > 0', total > 0 && (await hitIds()).length > 0, totalText);

  // 2. Clicking the country facet North Korea narrows the results.
  await ev(`document.querySelectorAll('#timeline .bar').forEach((b) => { b.__e2eOld = true; })`);
  const barsBefore = await ev(`document.querySelectorAll('#timeline .bar').length`);
  await click('.facet-value[data-field="country"][data-value="KP"]', 'the country facet value North Korea');
  await waitIdle('the results filtered by country KP', `new URLSearchParams(location.search).getAll('country').includes('KP')`);
  const kpIds = await hitIds();
  const kpTotal = Number((/\d+/.exec(await text('#total')) || [])[0]);
  check(`the results update: ${SEED} is among the hits`, kpIds.includes(SEED), kpIds);
  check(`#total shrinks (${total} -> ${kpTotal}) and matches the hits shown`, kpTotal > 0 && kpTotal < total && kpIds.length === Math.min(kpTotal, 20), { total, kpTotal, hits: kpIds.length });
  check('every hit names North Korea (country chip KP)', await ev(`[...document.querySelectorAll('#results .hit')].every((h) => h.querySelector('.chip.entity[data-field="country"][data-value="KP"]'))`));
  check('an active filter chip for country KP appears', await ev(`document.querySelectorAll(${J(chipKP)}).length === 1 && !document.querySelector('#active-filters').hidden`));
  check('the facet value KP is shown as pressed', await ev(`document.querySelector('.facet-value[data-field="country"][data-value="KP"]')?.getAttribute('aria-pressed') === 'true'`));
  const bars = await ev(`(() => { const b = [...document.querySelectorAll('#timeline .bar')];
    return { n: b.length, fresh: b.every((x) => !x.__e2eOld), sum: b.reduce((s, x) => s + Number(x.dataset.count), 0) }; })()`);
  check(`the timeline re-renders (${barsBefore} -> ${bars.n} new bars, ${bars.sum} articles)`, bars.n > 0 && bars.fresh && bars.sum > 0 && bars.sum <= kpTotal, bars);
  const params = { q: await searchParam('q'), country: await searchParam('country') };
  check('location.search holds q=putin and country=KP', J(params) === J({ q: ['putin'], country: ['KP'] }), await ev('location.search'));

  // 3. A fresh page load of that URL brings the same view back.
  const href = await ev('location.pathname + location.search');
  await load(href);
  await waitIdle('the reloaded results', `document.querySelector('.hit[data-id]')`);
  const reloadIds = await hitIds();
  check('after a reload: the same hits in the same order', J(reloadIds) === J(kpIds), reloadIds);
  check('after a reload: the same filter chip, query and URL', await ev(`document.querySelectorAll(${J(chipKP)}).length === 1
    && document.querySelector('#q').value === 'putin' && location.pathname + location.search === ${J(href)}`));

  // 4. Opening the seed article from its title link.
  await click(`.hit[data-id="${SEED}"] .hit-title a`, 'the title link of the seed article');
  await waitArticle(SEED);
  const title = await text('#article-title'), body = await text('#article-body');
  check('the article view shows the seed article title ("Korea Selatan")', title.includes('Korea Selatan'), title);
  check('the article body contains "Vladimir Putin"', body.includes('Vladimir Putin'), body.slice(0, 200));
  check('the result list is hidden while the article is open', await ev(`document.querySelector('#search-view').hidden`));

  // 5. "/" focuses the search box (without typing a "/" into it).
  await press('/', 'Slash', 191, '/');
  const focus = await waitFor('#q to get the focus after "/"', `document.activeElement?.id === 'q' && { value: document.activeElement.value }`).catch((e) => e.message);
  check('pressing "/" focuses #q', focus?.value === 'putin', focus);

  // 6. Nothing overflows horizontally on a 375 px wide phone screen.
  await viewport(375, 812, true);
  await ev(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`); // the new layout
  // A page wider than the phone makes a mobile browser zoom out: innerWidth then exceeds 375.
  let o = await overflow(375);
  check('375 px: the article view does not overflow horizontally', o.scrollWidth <= o.innerWidth && o.innerWidth === 375, o);
  await load(href);
  await waitIdle('the results at 375 px', `document.querySelector('.hit[data-id]')`);
  o = await overflow(375);
  check('375 px: the search view (putin + KP) does not overflow horizontally', o.scrollWidth <= o.innerWidth && o.innerWidth === 375, o);
  await viewport(1280, 900);

  // 7. XSS: an article whose title and body carry <script> and <img onerror> stays text.
  await load('/');
  await waitFor('the page script to start', IDLE);
  await search('xssprobe');
  check(`searching "xssprobe" finds ${XSS_ID}`, J(await hitIds()) === J([XSS_ID]), await hitIds());
  check('the hit title shows "<script>" as text', (await text(`.hit[data-id="${XSS_ID}"] .hit-title`)).includes('<script>window.__pwned=1</script>'), await text(`.hit[data-id="${XSS_ID}"] .hit-title`));
  await click(`.hit[data-id="${XSS_ID}"] .hit-title a`, 'the title link of the XSS article');
  await waitArticle(XSS_ID);
  // Nothing to wait for when the point is that nothing happens: give a would-be onerror
  // handler two frames and a moment after the article has rendered.
  await ev(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200))))`);
  const x = await ev(`({ pwned: typeof window.__pwned, title: document.querySelector('#article-title').textContent,
    body: document.querySelector('#article-body').textContent,
    elements: document.querySelectorAll('#results script, #results img, #article script, #article img').length,
    injected: window.__e2eInjected })`);
  check('window.__pwned stays undefined', x.pwned === 'undefined', x.pwned);
  check('#article-title shows the literal <script> and <img onerror> text', x.title.includes('<script>window.__pwned=1</script>') && x.title.includes('<img src=x onerror="window.__pwned=2">'), x.title);
  check('#article-body shows the literal <script> and <img onerror> text', x.body.includes('<script>window.__pwned=1</script>') && x.body.includes('<img src=x onerror="window.__pwned=2">'), x.body);
  check('no <script>/<img> element was ever created in #results or #article', x.elements === 0 && x.injected.length === 0, x.injected);

  // 8. A person filter shows the Related panel; choosing an entry adds it as a filter.
  await load('/?person=Kim%20Jong%20Un');
  await waitIdle('the Related panel for Kim Jong Un', `!document.querySelector('#related').hidden && document.querySelector('#related .related-value')`);
  const first = await ev(`(() => { const b = document.querySelector('#related .related-value'); return { field: b.dataset.field, value: b.dataset.value }; })()`);
  check('the Related panel lists entities other than the person chosen', first.value && first.value !== 'Kim Jong Un', first);
  await click('#related .related-value', 'the first related entity');
  await waitIdle('the related entity as a filter', `new URLSearchParams(location.search).getAll(${J(first.field)}).includes(${J(first.value)})`);
  check('choosing it adds its filter chip', await ev(`document.querySelectorAll('.chip.active-filter[data-field="${first.field}"]').length >= 1`), first);
  await load('/?q=putin');
  await waitIdle('the results without entity filters', `document.querySelector('.hit[data-id]')`);
  check('without a person or organisation filter the Related panel is hidden', await ev(`document.querySelector('#related').hidden`));

  // 9. Bad input: the API's error is said once, with no stale results or bars and no empty frame.
  expectApiErrors = true;
  await load('/?q=putin&from=notadate');
  await waitIdle('the bad date to be reported', `document.querySelector('#date-error') && !document.querySelector('#date-error').hidden`).catch(() => {});
  const bad = await ev(`({ dateError: document.querySelector('#date-error')?.textContent ?? null,
    invalid: document.querySelector('#from').getAttribute('aria-invalid'),
    errorBox: document.querySelector('#error').hidden ? '' : document.querySelector('#error').textContent,
    timelineShown: !document.querySelector('.timeline-box').hidden, hits: document.querySelectorAll('#results .hit').length,
    q: document.querySelector('#q').value })`);
  check('a bad "from" date in the URL is named by the date inputs, with the API\'s message',
    bad.dateError === 'bad "from" date "notadate": use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time' && bad.invalid === 'true', bad);
  check('the bad date is said once (not also in the error box); the query stays; no timeline frame, no hits',
    !bad.errorBox.includes('notadate') && bad.q === 'putin' && !bad.timelineShown && bad.hits === 0, bad);

  await load('/?q=putin');
  await waitIdle('the results for putin', `document.querySelector('.hit[data-id]')`);
  await ev(`document.querySelector('#from').focus()`);
  for (const d of '15') await press(d, `Digit${d}`, d.charCodeAt(0), d);
  await ev(`document.querySelector('#q').focus()`);
  const partial = await ev(`({ dateError: document.querySelector('#date-error').hidden ? null : document.querySelector('#date-error').textContent,
    invalid: document.querySelector('#from').getAttribute('aria-invalid'), from: new URLSearchParams(location.search).get('from') })`);
  check('a date typed only in part is named as such by the date inputs, not silently dropped',
    partial.dateError?.includes('"from" date is incomplete') && partial.invalid === 'true' && partial.from === null, partial);

  await load('/?q=putin');
  await waitIdle('the results and bars for putin', `document.querySelector('.hit[data-id]') && document.querySelector('#timeline .bar')`);
  await click('#q', 'the search box');
  await ev(`document.querySelector('#q').select()`);
  await send('Input.insertText', { text: '"putin' });
  await press('Enter', 'Enter', 13, '\r');
  await waitIdle('the unclosed quote to be reported', `new URLSearchParams(location.search).get('q') === '"putin' && !document.querySelector('#error').hidden`);
  const quote = await ev(`({ errors: [...document.querySelectorAll('#error p')].map((p) => p.textContent),
    timelineShown: !document.querySelector('.timeline-box').hidden, bars: document.querySelectorAll('#timeline .bar').length,
    hits: document.querySelectorAll('#results .hit').length, pagerShown: !document.querySelector('.pager').hidden })`);
  check('an unclosed quote: its error once, and no stale hits, no stale bars, no empty timeline frame or pager',
    quote.errors.length === 1 && quote.errors[0].includes('unterminated quote') && !quote.timelineShown && quote.bars === 0 && quote.hits === 0 && !quote.pagerShown, quote);

  await load('/?person=zzzzqq');
  await waitIdle('the unknown name to be reported', `!document.querySelector('#error').hidden`);
  const unknown = await ev(`({ errors: [...document.querySelectorAll('#error p')].map((p) => p.textContent),
    timelineShown: !document.querySelector('.timeline-box').hidden, hits: document.querySelectorAll('#results .hit').length })`);
  check('an unknown person: its error once, no timeline frame, no hits',
    J(unknown.errors) === J(['unknown person "zzzzqq"']) && !unknown.timelineShown && unknown.hits === 0, unknown);
  expectApiErrors = false;

  // 10. A story republished under another headline shows once, noting its copy.
  await load('/?q=pekerja+nusantara');
  await waitIdle('the results for "pekerja nusantara"', `document.querySelector('.hit[data-id]')`);
  const story = await ev(`[...document.querySelectorAll('#results .hit')].map((h) => ({ id: h.dataset.id,
    copies: h.querySelector('.hit-copies')?.textContent ?? null, title: h.querySelector('.hit-copies')?.title ?? '' }))`);
  const ikn = story.filter((h) => h.id.includes('nusantara-ikn') || h.id.includes('ikn-republished'));
  check('a republished article shows once, with "+1 copy" naming the other',
    ikn.length === 1 && ikn[0].copies === '+1 copy' && /ikn/.test(ikn[0].title), story);

  // 11. A person typed in the URL shows, and ticks, the canonical name it stands for.
  await load('/?person=putin');
  await waitIdle('the results for person=putin', `document.querySelector('.hit[data-id]') && document.querySelector('.facet-value[data-field="person"]')`);
  const typed = await ev(`({ chip: document.querySelector('.chip.active-filter[data-field="person"]')?.textContent,
    pressed: [...document.querySelectorAll('.facet-value[data-field="person"][aria-pressed="true"]')].map((b) => b.dataset.value) })`);
  check('?person=putin: the chip names "Vladimir Putin" and its sidebar entry alone is ticked',
    typed.chip?.includes('Vladimir Putin') && J(typed.pressed) === J(['Vladimir Putin']), typed);
  await click('.facet-value[data-field="person"][data-value="Vladimir Putin"]', 'the ticked person Vladimir Putin');
  await waitIdle('the person filter to be removed', `!new URLSearchParams(location.search).has('person')`);
  check('choosing the ticked entry removes the typed filter', await ev(`!document.querySelector('.chip.active-filter[data-field="person"]')`));

  // 12. Dates are the article's own: an article published at 03:10 WITA on 15 January shows,
  // and is counted and found, on the 15th; with tz=UTC on the 14th, the zone kept in the URL.
  const dated = async (path) => {
    await load(path);
    await waitIdle(`the results for ${path}`);
    return ev(`({ hits: [...document.querySelectorAll('#results .hit')].map((h) => h.querySelector('time')?.textContent),
      datetime: document.querySelector('#results .hit time')?.getAttribute('datetime') ?? null,
      bars: [...document.querySelectorAll('#timeline .bar')].filter((b) => b.dataset.count !== '0').map((b) => b.dataset.key),
      tz: new URLSearchParams(location.search).get('tz') })`);
  };
  const local = await dated('/?q=datesprobe&interval=day');
  check('a date of 03:10 WITA on 15 January shows as 15 Jan 2021 (its offset kept), in the bar of that day',
    J(local.hits) === J(['15 Jan 2021']) && local.datetime === '2021-01-15T03:10:00+08:00' && J(local.bars) === J(['2021-01-15']), local);
  const day = await dated('/?q=datesprobe&from=2021-01-15&to=2021-01-15');
  check('from=to=2021-01-15 finds it', day.hits.length === 1, day);
  const utcDay = await dated('/?q=datesprobe&from=2021-01-15&to=2021-01-15&tz=UTC');
  check('with tz=UTC, from=to=2021-01-15 does not', utcDay.hits.length === 0 && utcDay.tz === 'UTC', utcDay);
  const utc = await dated('/?q=datesprobe&interval=day&tz=UTC');
  check('with tz=UTC it shows as 14 Jan 2021, in the bar of the 14th',
    J(utc.hits) === J(['14 Jan 2021']) && utc.datetime === '2021-01-14T19:10:00+00:00' && J(utc.bars) === J(['2021-01-14']), utc);
  await click('#timeline .bar[data-key="2021-01-14"]', 'the bar of 14 January');
  await waitIdle('the dates narrowed to the bar', `new URLSearchParams(location.search).get('from') === '2021-01-14'`);
  const narrowed = await ev(`({ tz: new URLSearchParams(location.search).get('tz'), hits: document.querySelectorAll('#results .hit').length })`);
  check('choosing the bar keeps tz=UTC and the article', narrowed.tz === 'UTC' && narrowed.hits === 1, narrowed);
  await click('#results .hit .hit-title a', 'the title link of the dated article');
  await waitFor('the dated article to be shown', `!document.querySelector('#article').hidden && document.querySelector('#article time')`);
  const shown = await text('#article time');
  check('the article view shows its time and offset as published', shown === '15 Jan 2021, 03:10 UTC+08:00', shown);

  // 13. Too few articles with every word: they come first, then a divider, then the others.
  await load('/?q=putin+vladivostok');
  await waitIdle('the results for "putin vladivostok"', `document.querySelector('.hit[data-id]')`);
  const relaxed = await ev(`({ notice: document.querySelector('#notice')?.textContent ?? '',
    items: [...document.querySelectorAll('#results > li')].map((li) => li.classList.contains('relaxed-divider') ? 'divider' : 'hit') })`);
  const dividerAt = relaxed.items.indexOf('divider');
  check('a short page of full matches goes on after a divider, and the notice says how many had every word',
    /^Only 2 articles have all of “putin vladivostok”: then articles with 1 of 2 words\.$/.test(relaxed.notice.trim())
      && dividerAt === 2 && relaxed.items.length > 3, relaxed);

  // 14. Screenshot of the search view for the README: putin + country KP at 1280x900.
  if (opt.screenshot) {
    await load('/?q=putin&country=KP');
    await waitIdle('the results for the screenshot', `document.querySelector('.hit[data-id]') && document.querySelector('#timeline .bar')`);
    await ev(`document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))`);
    const shot = await send('Page.captureScreenshot', { format: 'png' });
    const png = Buffer.from(shot.data, 'base64');
    mkdirSync(dirname(opt.screenshot), { recursive: true });
    writeFileSync(opt.screenshot, png);
    const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }; // the PNG IHDR chunk
    check(`screenshot saved to ${opt.screenshot} (${size.width}x${size.height}, ${png.length} bytes)`, size.width === 1280 && size.height === 900, size);
  }
}

try {
  await main();
} catch (e) {
  check(`the test ran to the end: ${e.message}`, false);
}
check('no uncaught exception, console error or error log entry in the page', pageProblems.length === 0, pageProblems);
await closeChrome();
console.log(`# ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
