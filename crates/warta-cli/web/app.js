// warta: the browser page of the news-archive search engine.
//
// SECURITY RULE: everything the API returns (titles, bodies, snippets, names, ids, URLs) is
// untrusted text. This file never turns API data into markup: there is no HTML-string sink
// anywhere in it. Nodes are built with createElement() and filled with textContent or text
// nodes; snippet highlights come from the API's snippet_parts (runs of text flagged as
// matched), never from markers in the text, which may be the article's own; an article's own
// URL becomes a link only when it is http(s).
//
// Layout of this file: constants and helpers, state <-> URL, API, rendering, events.
'use strict';

const PAGE_SIZE = 20;
const FACET_TOP = 10; // the server's default number of values per facet
const RELATED_TOP = 10; // entities in the Related panel
const LIST_FIELDS = ['person', 'country', 'org', 'place', 'source']; // repeatable filters
const FIELD_LABEL = { person: 'Person', country: 'Country', org: 'Organisation', place: 'Place', source: 'Source', lang: 'Language' };
const FACETS = [['person', 'People'], ['country', 'Countries'], ['org', 'Organisations'],
  ['place', 'Places'], ['source', 'Sources'], ['lang', 'Languages']];
const INTERVALS = ['day', 'week', 'month', 'year'];
const SORTS = ['relevance', 'newest', 'oldest'];
const CACHE_MS = 60_000;

const $ = (id) => document.getElementById(id);

/** createElement with attributes and children (strings become text nodes, never markup). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('data-')) node.dataset[k.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------- dates ----------
const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
function parseYmd(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
}
const lastDayOfMonth = (y, m0) => new Date(Date.UTC(y, m0 + 1, 0)); // m0 is 0-based

/** `2023` / `2023-09` / `2023-09-14` → the first (edge 'start') or last ('end') full day. */
function expandDate(s, edge) {
  let m;
  if (parseYmd(s)) return s;
  if ((m = /^(\d{4})-(\d{2})$/.exec(s || ''))) return edge === 'start' ? `${s}-01` : ymd(lastDayOfMonth(+m[1], +m[2] - 1));
  if (/^\d{4}$/.test(s || '')) return edge === 'start' ? `${s}-01-01` : `${s}-12-31`;
  return '';
}

/** First day of a timeline bucket: its `start`, or else derived from its key. */
function bucketStart(b) {
  if (parseYmd(b.start)) return b.start;
  const key = b.key || '';
  const w = /^(\d{4})-W(\d{2})$/.exec(key);
  if (w) { // ISO week: week 1 holds January 4th; weeks start on Monday
    const jan4 = new Date(Date.UTC(+w[1], 0, 4));
    jan4.setUTCDate(4 - ((jan4.getUTCDay() + 6) % 7) + (+w[2] - 1) * 7);
    return ymd(jan4);
  }
  return expandDate(key, 'start');
}

/** Last day of the interval that starts on `start` (YYYY-MM-DD). */
function intervalEnd(start, interval) {
  const d = parseYmd(start);
  if (!d) return '';
  if (interval === 'week') d.setUTCDate(d.getUTCDate() + 6);
  else if (interval === 'month') return ymd(lastDayOfMonth(d.getUTCFullYear(), d.getUTCMonth()));
  else if (interval === 'year') return `${d.getUTCFullYear()}-12-31`;
  return ymd(d); // day
}

const daysBetween = (a, b) => Math.round((parseYmd(b) - parseYmd(a)) / 86_400_000) + 1;
/** The interval that gives a readable number of bars over `days` days. */
const intervalForSpan = (days) => (days <= 62 ? 'day' : days <= 400 ? 'week' : days <= 366 * 15 ? 'month' : 'year');

/**
 * The calendar day of an API date, e.g. "15 Jan 2021". API dates are RFC 3339 in the offset
 * the article was published with (or in the `tz` zone asked for), so the day is read from the
 * text as written, never converted to the browser's zone.
 */
function formatDate(iso) {
  if (!iso) return '';
  const d = parseYmd(String(iso).slice(0, 10));
  if (!d) return String(iso);
  return d.toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** An API date with its time and offset as written: "15 Jan 2021, 03:10 UTC+08:00". */
function formatDateTime(iso) {
  const m = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso || '');
  if (!m) return formatDate(iso);
  return `${formatDate(iso)}, ${m[1]} UTC${m[2] === 'Z' ? '' : m[2]}`;
}

let languageNames = null;
function langName(code) {
  if (!code) return '';
  try {
    languageNames ??= new Intl.DisplayNames(['en'], { type: 'language' });
    const name = languageNames.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch { return code; }
}

// Country code → name, learned from every response that carries both.
const countryNames = new Map();
const learnCountry = (code, name) => { if (code && name) countryNames.set(code, name); };

// A filter value typed by hand (`?person=putin`) stands on the server for canonical names,
// but the search answer does not say which. The page works it out the way the filter
// matches names: a canonical name stands for the typed text when it holds every typed word
// as a whole word, in any case and with accents ignored ("putin" → "Vladimir Putin"); a
// name matched one letter off (the answer's approximate_names) counts too. Only when exactly
// one value of the facet counts received fits is the chip shown with that name and its
// sidebar entry ticked; otherwise (none, several, or an alias) the typed text stays.
const resolvedNames = new Map(); // `${field}\n${typed}` → canonical value
const RESOLVABLE = ['person', 'org', 'place', 'country'];
const nameWords = (t) => String(t).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function learnResolutions(s, data) {
  for (const field of RESOLVABLE) {
    const values = data.facets?.[field] || [];
    for (const typed of s[field]) {
      const key = `${field}\n${typed}`;
      if (values.some((v) => v.value === typed)) { resolvedNames.delete(key); continue; }
      const words = nameWords(typed);
      const approx = (data.approximate_names || []).find((a) => a.filter === field && a.name === typed)?.matched || [];
      const fits = values.filter((v) => {
        if (approx.includes(v.value)) return true;
        if (field === 'country' && v.value.toLowerCase() === typed.toLowerCase()) return true;
        const held = new Set([...nameWords(v.value), ...(field === 'country' ? nameWords(v.name || '') : [])]);
        return words.length > 0 && words.every((w) => held.has(w));
      });
      if (fits.length === 1) resolvedNames.set(key, fits[0].value);
      else resolvedNames.delete(key);
    }
  }
}

/** The canonical value a filter value was resolved to (itself when not resolved). */
const resolvedValue = (field, value) => resolvedNames.get(`${field}\n${value}`) ?? value;

/** How a filter value is shown to people. */
function displayValue(field, value) {
  value = resolvedValue(field, value);
  if (field === 'country') return countryNames.get(value) || value;
  if (field === 'lang') return langName(value);
  return value;
}

// ---------- state <-> URL ----------
// URL parameters: q, person, country, org, place, source (repeatable), lang, from, to, tz
// (the time zone days are counted and dates shown in; omitted: each article's own), sort
// (omitted when relevance), page (1-based, omitted when 1), interval (omitted when auto),
// article (id of the open article).
function emptyState() {
  return { q: '', person: [], country: [], org: [], place: [], source: [], lang: '', from: '', to: '', tz: '',
    sort: 'relevance', page: 1, interval: '', article: '' };
}

function stateFromUrl() {
  const p = new URLSearchParams(location.search);
  const s = emptyState();
  s.q = p.get('q') || '';
  for (const f of LIST_FIELDS) s[f] = [...new Set(p.getAll(f).map((v) => v.trim()).filter(Boolean))];
  s.lang = (p.get('lang') || '').trim();
  s.from = (p.get('from') || '').trim();
  s.to = (p.get('to') || '').trim();
  s.tz = (p.get('tz') || '').trim();
  if (SORTS.includes(p.get('sort'))) s.sort = p.get('sort');
  const page = parseInt(p.get('page'), 10);
  if (page > 1) s.page = page;
  if (INTERVALS.includes(p.get('interval'))) s.interval = p.get('interval');
  s.article = p.get('article') || '';
  return s;
}

/** The parameters shared by /api/search, /api/timeline and /api/facets. */
function filterParams(s) {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q.trim());
  for (const f of LIST_FIELDS) for (const v of s[f]) p.append(f, v);
  if (s.lang) p.set('lang', s.lang);
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (s.tz) p.set('tz', s.tz);
  return p;
}

function urlFromState(s) {
  const p = filterParams(s);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  if (s.interval) p.set('interval', s.interval);
  if (s.article) p.set('article', s.article);
  const qs = p.toString();
  return location.pathname + (qs ? `?${qs}` : '');
}

const articleHref = (id) => urlFromState({ ...state, article: id });

let state = emptyState();
let searchScrollY = 0; // where the result list was when an article was opened

/** Makes `next` the current state: updates the URL (a new history entry) and the view. */
function navigate(next, { fresh = false } = {}) {
  const url = urlFromState(next);
  const opening = next.article && !state.article;
  if (opening) searchScrollY = window.scrollY;
  if (url !== location.pathname + location.search) {
    // fromSearch lets the back link use history.back() and so keep the list's scroll position.
    history.pushState({ fromSearch: Boolean(opening) }, '', url);
  }
  state = next;
  load({ fresh });
}

/** Changes the filters: always back to page 1 of the result list. */
function refine(change) {
  const next = structuredClone(state);
  change(next);
  next.page = 1;
  next.article = '';
  navigate(next);
}

function addFilter(field, value) {
  refine((s) => {
    if (field === 'lang') s.lang = value;
    else if (LIST_FIELDS.includes(field) && !isActive(s, field, value)) s[field].push(value);
  });
}

function removeFilter(field, value) {
  refine((s) => {
    if (field === 'lang') s.lang = '';
    else if (LIST_FIELDS.includes(field)) s[field] = s[field].filter((v) => v !== value);
  });
}

/** The filter value of `s` that is, or was resolved to, `value` (undefined when none). */
const activeValue = (s, field, value) => (field === 'lang' ? (s.lang === value ? value : undefined)
  : (s[field] || []).find((v) => v === value || resolvedValue(field, v) === value));
const isActive = (s, field, value) => activeValue(s, field, value) !== undefined;

// ---------- API ----------
const cache = new Map(); // url → { time, data }; lets back/forward and interval changes skip refetching

async function api(url, signal, fresh = false) {
  const hit = cache.get(url);
  if (!fresh && hit && Date.now() - hit.time < CACHE_MS) return hit.data;
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Error(`Could not reach the server (${e.message}).`);
  }
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    const err = new Error(body?.error?.message || `The server answered ${res.status} ${res.statusText}.`);
    err.code = body?.error?.code; // e.g. bad_date, bad_query, unknown_name
    throw err;
  }
  if (body === null || typeof body !== 'object') throw new Error('The server sent an answer that is not JSON.');
  cache.set(url, { time: Date.now(), data: body });
  if (cache.size > 50) cache.delete(cache.keys().next().value);
  return body;
}

// ---------- errors and loading ----------
function showError(message) {
  const box = $('error');
  if (!message) { box.hidden = true; box.replaceChildren(); return; }
  if ([...box.children].some((p) => p.textContent === message)) return; // search and timeline often fail alike
  box.append(el('p', { text: message }));
  box.hidden = false;
}

/** A bad from/to date: the API's message (which names the date) next to the date inputs. */
function showDateError(message, which = /^bad "(from|to)" date/.exec(message || '')?.[1]) {
  const box = $('date-error');
  box.textContent = message || '';
  box.hidden = !message;
  for (const id of ['from', 'to']) {
    if (id === which) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
}

const reportError = (e) => {
  if (e?.name === 'AbortError') return;
  if (e?.code === 'bad_date') showDateError(e.message);
  else showError(e?.message || String(e));
};

let busyTimer = 0;
function setBusy(busy) {
  clearTimeout(busyTimer);
  $('results').setAttribute('aria-busy', String(busy));
  if (busy) { // only show the indicator when a request is actually slow: no flicker
    busyTimer = setTimeout(() => { document.body.classList.add('loading'); $('status').textContent = 'Searching…'; }, 150);
  } else {
    document.body.classList.remove('loading');
    $('status').textContent = '';
  }
}

// ---------- loading a view ----------
let generation = 0; // guards against late answers to superseded requests
let controller = null;

async function load({ fresh = false } = {}) {
  const s = state;
  const gen = ++generation;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  showError('');
  showDateError('');
  syncControls(s);
  renderActiveFilters(s);

  if (s.article) {
    document.body.dataset.view = 'article';
    $('search-view').hidden = true;
    $('article').hidden = false;
    return loadArticle(s.article, gen, signal);
  }
  const wasArticle = document.body.dataset.view === 'article';
  document.body.dataset.view = 'search';
  $('article').hidden = true;
  $('search-view').hidden = false;
  document.title = s.q.trim() ? `${s.q.trim()} — warta` : 'warta — news archive search';
  setBusy(true);

  const exportParams = filterParams(s);
  exportParams.set('format', 'csv');
  $('download-csv').href = `/api/export?${exportParams}`; // the matches as a file, up to 10,000
  const params = filterParams(s);
  params.set('sort', s.sort);
  params.set('limit', String(PAGE_SIZE));
  params.set('offset', String((s.page - 1) * PAGE_SIZE));
  params.set('facets', '1');
  const search = api(`/api/search?${params}`, signal, fresh).then((data) => {
    if (gen !== generation) return;
    renderResults(s, data);
    if (wasArticle) window.scrollTo(0, searchScrollY);
  });
  const timeline = loadTimeline(s, signal, fresh).then((t) => {
    if (gen === generation) renderTimeline(t);
  });
  const related = loadRelated(s, signal, fresh).then((r) => {
    if (gen === generation) renderRelated(r);
  });
  const results = await Promise.allSettled([search, timeline, related]);
  if (gen !== generation) return;
  setBusy(false);
  // A failed search or timeline leaves neither stale results or bars nor an empty frame:
  // both go, and the error is said once (in the error box, or by the date inputs).
  const failed = (r) => r.status === 'rejected' && r.reason?.name !== 'AbortError';
  if (failed(results[0])) renderResults(s, null);
  if (failed(results[0]) || failed(results[1])) renderTimeline(null);
  if (results[2].status === 'rejected' && results[2].reason?.name !== 'AbortError') renderRelated(null);
  results.forEach((r) => r.status === 'rejected' && reportError(r.reason));
}

/** Fetches the timeline; in auto mode picks the interval that suits the span of dates. */
async function loadTimeline(s, signal, fresh) {
  const get = (interval) => {
    const p = filterParams(s);
    p.set('interval', interval);
    return api(`/api/timeline?${p}`, signal, fresh);
  };
  const from = expandDate(s.from, 'start');
  const to = expandDate(s.to, 'end');
  let interval = s.interval || (from && to && to >= from ? intervalForSpan(daysBetween(from, to)) : 'month');
  let data = await get(interval);
  const buckets = data.buckets || [];
  if (!s.interval && !(from && to) && buckets.length) {
    const first = bucketStart(buckets[0]);
    const last = intervalEnd(bucketStart(buckets[buckets.length - 1]), interval);
    const better = first && last ? intervalForSpan(daysBetween(first, last)) : interval;
    if (better !== interval) {
      interval = better;
      data = await get(interval);
    }
  }
  return { data, interval, auto: !s.interval };
}

async function loadArticle(id, gen, signal) {
  const title = $('article-title');
  title.textContent = 'Loading…';
  $('article-meta').replaceChildren();
  $('article-entities').replaceChildren();
  $('article-body').replaceChildren();
  $('back').href = urlFromState({ ...state, article: '' });
  try {
    const a = await api(`/api/articles/${encodeURIComponent(id)}`, signal);
    if (gen !== generation) return;
    renderArticle(a);
  } catch (e) {
    if (gen !== generation) return;
    title.textContent = 'Article not available';
    reportError(e);
  }
  window.scrollTo(0, 0);
  title.focus();
}

// ---------- rendering ----------
function syncControls(s) {
  const q = $('q');
  if (document.activeElement !== q || q.value.trim() !== s.q.trim()) q.value = s.q;
  $('sort').value = s.sort;
  $('from').value = expandDate(s.from, 'start');
  $('to').value = expandDate(s.to, 'end');
  $('from').max = $('to').value;
  $('to').min = $('from').value;
  $('interval').value = s.interval;
}

/** A hit's snippet: its matched runs as <mark> elements, all text as text nodes. */
function highlighted(parts) {
  return (parts || []).map((p) => (p.highlight ? el('mark', { text: p.text }) : document.createTextNode(p.text)));
}

/** A chip that adds a filter when clicked. */
function entityChip(field, value, label) {
  const on = isActive(state, field, value);
  return el('button', {
    type: 'button', class: `chip entity chip-${field}${on ? ' on' : ''}`, 'data-field': field, 'data-value': value,
    title: on ? `Already filtered by ${FIELD_LABEL[field].toLowerCase()} ${label}` : `Filter by ${FIELD_LABEL[field].toLowerCase()}: ${label}`,
  }, label);
}

/** Chips for an article's or a hit's persons, countries, orgs and places. */
function entityChips(item) {
  (item.countries || []).forEach((c) => learnCountry(c.code, c.name));
  return [
    ...(item.persons || []).map((v) => entityChip('person', v, v)),
    ...(item.countries || []).map((c) => entityChip('country', c.code, c.name || c.code)),
    ...(item.orgs || []).map((v) => entityChip('org', v, v)),
    ...(item.places || []).map((v) => entityChip('place', v, v)),
  ];
}

function renderActiveFilters(s) {
  const box = $('active-filters');
  const chips = [];
  for (const f of [...LIST_FIELDS, 'lang']) {
    for (const v of f === 'lang' ? (s.lang ? [s.lang] : []) : s[f]) {
      const label = displayValue(f, v);
      chips.push(el('button', {
        type: 'button', class: `chip active-filter chip-${f}`, 'data-field': f, 'data-value': v,
        'aria-label': `Remove filter ${FIELD_LABEL[f]}: ${label}`,
      }, el('span', { class: 'chip-kind', text: `${FIELD_LABEL[f]}:` }), ' ', label, el('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' })));
    }
  }
  if (chips.length > 1) chips.push(el('button', { type: 'button', id: 'clear-filters', class: 'link-button', text: 'Clear all filters' }));
  box.replaceChildren(...chips);
  box.hidden = chips.length === 0;
}

function renderHit(hit) {
  const title = hit.title && hit.title.trim() ? hit.title : hit.id;
  const meta = [];
  if (hit.date) meta.push(el('time', { datetime: hit.date, text: formatDate(hit.date) }));
  if (hit.source) meta.push(el('span', { class: 'hit-source', text: hit.source }));
  if (hit.lang) meta.push(el('span', { class: 'badge', title: langName(hit.lang), text: hit.lang }));
  if (hit.copies) meta.push(copiesNote(hit));
  const chips = entityChips(hit);
  return el('li', { class: 'hit', 'data-id': hit.id },
    el('h3', { class: 'hit-title' }, el('a', { href: articleHref(hit.id), 'data-article': hit.id }, title)),
    meta.length ? el('p', { class: 'hit-meta' }, meta) : null,
    hit.snippet_parts && hit.snippet_parts.length ? el('p', { class: 'snippet' }, highlighted(hit.snippet_parts)) : null,
    chips.length ? el('div', { class: 'chips' }, chips) : null);
}

/** "+2 copies" for a hit that stands for a story republished elsewhere; the copies' sources
 *  and ids in its tooltip. */
function copiesNote(hit) {
  const others = (hit.other_copies || []).map((c) => (c.source ? `${c.source} (${c.id})` : c.id));
  return el('span', { class: 'hit-copies', title: `Copies of this story: ${others.join(', ')}`,
    text: `+${hit.copies} ${hit.copies === 1 ? 'copy' : 'copies'}` });
}

/** Says how the results were found when it is not simply "every word matched", and offers
 *  the words a query word no article has may have meant (choosing one searches again). */
function renderNotice(s, data) {
  const lines = [];
  const nouns = { person: 'person', org: 'organization', place: 'place' };
  for (const a of data?.approximate_names || []) {
    const noun = nouns[a.filter] || a.filter;
    lines.push(el('span', { text: `No ${noun} is named “${a.name}”: showing ${(a.matched || []).join(', ')}, one letter away. ` }));
  }
  for (const sug of data?.suggestions || []) {
    const choices = (sug.did_you_mean || []).map((alt, i) => {
      const button = el('button', { type: 'button', class: 'suggestion' }, alt);
      button.addEventListener('click', () => refine((st) => { st.q = replaceWord(st.q, sug.word, alt); }));
      return i ? [', ', button] : [button];
    });
    lines.push(el('span', {}, `No article has “${sug.word}”. Did you mean `, ...choices.flat(), '? '));
  }
  if (data?.relaxed) {
    const { matched_clauses: m, of, strict_total: n = 0 } = data.relaxed;
    const text = n === 0
      ? `No article has all of “${s.q.trim()}”: showing articles with ${m} of ${of} words.`
      : `Only ${n} ${n === 1 ? 'article has' : 'articles have'} all of “${s.q.trim()}”: then articles with ${m} of ${of} words.`;
    lines.push(el('span', { text }));
  }
  const notice = $('notice');
  notice.replaceChildren(...lines);
  notice.hidden = lines.length === 0;
}

/** `query` with the whole word `word` (any case) replaced by `by`. */
function replaceWord(query, word, by) {
  return query.split(/(\s+)/).map((w) => (w.toLowerCase() === word.toLowerCase() ? by : w)).join('');
}

function renderResults(s, data) {
  renderNotice(s, data);
  if (!data) { // the search failed: the error box says why
    for (const id of ['total', 'range', 'took', 'page-info']) $(id).textContent = '';
    $('results').replaceChildren();
    $('facets').replaceChildren();
    $('pager').hidden = true;
    return;
  }
  const total = Number(data.total) || 0;
  const hits = data.hits || [];
  for (const c of data.facets?.country || []) learnCountry(c.value, c.name);
  learnResolutions(s, data);
  const first = (s.page - 1) * PAGE_SIZE + 1;
  $('total').textContent = `${plural(total, 'article')} found`;
  $('range').textContent = hits.length ? `· showing ${first}–${first + hits.length - 1} of ${total}`
    : total ? `· no results on page ${s.page}` : '';
  $('took').textContent = typeof data.took_ms === 'number' ? `· ${data.took_ms.toFixed(1)} ms` : '';
  const list = $('results');
  if (hits.length) {
    const items = hits.map(renderHit);
    // Where the articles with every word end and the relaxed ones begin, if on this page.
    const r = data.relaxed;
    const at = r && r.strict_total > 0 ? r.strict_total - (first - 1) : -1;
    if (at >= 0 && at < items.length) {
      const text = `Then articles with ${r.matched_clauses} of ${r.of} words`;
      items.splice(at, 0, el('li', { class: 'relaxed-divider', text }));
    }
    list.replaceChildren(...items);
  } else {
    const hint = total ? 'Go back to the first page.' : 'No articles match. Try fewer words, fewer filters or a wider date range.';
    list.replaceChildren(el('li', { class: 'empty', text: hint }));
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  $('pager').hidden = false;
  $('prev').disabled = s.page <= 1;
  $('next').disabled = first - 1 + hits.length >= total;
  $('page-info').textContent = total ? `Page ${s.page} of ${pages}` : '';
  renderFacets(s, data.facets || {});
  renderActiveFilters(s); // country names may have just become known
}

function facetButton(s, field, v) {
  if (field === 'country') learnCountry(v.value, v.name);
  const on = isActive(s, field, v.value);
  const label = field === 'country' ? v.name || v.value : displayValue(field, v.value);
  return el('li', {}, el('button', {
    type: 'button', class: `facet-value${on ? ' on' : ''}`, 'data-field': field, 'data-value': v.value, 'aria-pressed': String(on),
  }, el('span', { class: 'facet-label', text: label }), el('span', { class: 'count', text: String(v.count) })));
}

function renderFacets(s, facets) {
  const groups = [];
  for (const [field, title] of FACETS) {
    const values = facets[field] || [];
    if (!values.length) continue;
    const list = el('ul', { class: 'facet-list', id: `facet-${field}` }, values.map((v) => facetButton(s, field, v)));
    const more = values.length >= FACET_TOP
      ? el('button', { type: 'button', class: 'link-button facet-more', 'data-more': field, text: `More ${title.toLowerCase()}…` }) : null;
    groups.push(el('section', { class: 'facet', 'data-field': field }, el('h3', { text: title }), list, more));
  }
  if (!groups.length) groups.push(el('p', { class: 'muted small', text: 'Nothing to refine by.' }));
  $('facets').replaceChildren(...groups);
}

/** Replaces one facet's list with its top 100 values. */
async function showMoreFacet(field, button) {
  const p = filterParams(state);
  p.set('top', '100');
  button.disabled = true;
  try {
    const data = await api(`/api/facets/${encodeURIComponent(field)}?${p}`);
    $(`facet-${field}`)?.replaceChildren(...(data.values || []).map((v) => facetButton(state, field, v)));
    button.remove();
  } catch (e) {
    button.disabled = false;
    reportError(e);
  }
}

/** The entities related to the chosen people and organisations (null when none is chosen). */
async function loadRelated(s, signal, fresh) {
  if (!s.person.length && !s.org.length) return null;
  const p = filterParams(s);
  p.set('top', String(RELATED_TOP));
  return api(`/api/related?${p}`, signal, fresh);
}

function renderRelated(data) {
  const values = data?.related || [];
  $('related').hidden = !data;
  const items = values.map((v) => {
    if (v.kind === 'country') learnCountry(v.value, v.name);
    const label = v.kind === 'country' ? v.name || v.value : v.value;
    return el('li', {}, el('button', {
      type: 'button', class: 'facet-value related-value', 'data-field': v.kind, 'data-value': v.value,
      title: `${FIELD_LABEL[v.kind]}: in ${plural(v.count, 'matching article')}, ${v.total} in all (score ${v.score.toFixed(1)})`,
    }, el('span', { class: 'facet-label' }, el('span', { class: 'chip-kind', text: `${FIELD_LABEL[v.kind]}: ` }), label),
    el('span', { class: 'count', text: String(v.count) })));
  });
  if (data && !items.length) items.push(el('li', { class: 'muted small', text: 'Nothing stands out.' }));
  $('related-list').replaceChildren(...items);
}

function renderTimeline(t) {
  const box = $('timeline');
  const autoOption = $('interval').querySelector('option[value=""]');
  autoOption.textContent = t?.auto ? `Auto (${t.interval})` : 'Auto';
  $('timeline-first').textContent = '';
  $('timeline-last').textContent = '';
  $('timeline-box').hidden = !t;
  if (!t) { box.replaceChildren(); $('timeline-note').textContent = ''; return; }
  const { data, interval } = t;
  const buckets = data.buckets || [];
  box.dataset.interval = interval;
  const max = buckets.reduce((m, b) => Math.max(m, b.count), 0) || 1;
  box.classList.toggle('dense', buckets.length > 60);
  box.replaceChildren(...buckets.map((b) => {
    const start = bucketStart(b);
    const label = `${b.key}: ${plural(b.count, 'article')}`;
    const fill = el('span', { class: 'bar-fill' });
    fill.style.height = b.count ? `max(2px, ${(100 * b.count) / max}%)` : '0';
    return el('button', {
      type: 'button', class: 'bar', 'data-key': b.key, 'data-start': start, 'data-count': String(b.count),
      title: label, 'aria-label': label, disabled: b.count === 0,
    }, fill);
  }));
  if (!buckets.length) box.append(el('p', { class: 'muted small empty-timeline', text: 'No dated articles match.' }));
  else {
    $('timeline-first').textContent = buckets[0].key;
    $('timeline-last').textContent = buckets[buckets.length - 1].key;
  }
  const undated = data.undated ? ` · ${data.undated} undated not shown` : '';
  $('timeline-note').textContent = `${plural(Number(data.total) || 0, 'article')} per ${interval}${undated}. Choose a bar to narrow the dates.`;
}

function renderArticle(a) {
  const title = a.title && a.title.trim() ? a.title : a.id;
  document.title = `${title} — warta`;
  $('article-title').textContent = title;
  const meta = [];
  const row = (term, ...value) => meta.push(el('div', {}, el('dt', { text: term }), el('dd', {}, ...value)));
  if (a.date) row('Date', el('time', { datetime: a.date, text: formatDateTime(a.date) }));
  if (a.source) row('Source', a.source);
  if (a.author) row('Author', a.author);
  if (a.lang) row('Language', langName(a.lang));
  if (a.url) {
    let safe = null;
    try { const u = new URL(a.url); if (u.protocol === 'http:' || u.protocol === 'https:') safe = u.href; } catch { /* not a URL */ }
    row('Original', safe ? el('a', { href: safe, rel: 'noopener noreferrer nofollow', target: '_blank', text: a.url }) : a.url);
  }
  row('Id', el('code', { text: a.id }));
  $('article-meta').replaceChildren(...meta);

  const chips = entityChips(a);
  $('article-entities').replaceChildren(...(chips.length ? [el('p', { class: 'muted small',
    text: 'People, countries, organisations and places named here (choose one to search for it):' }),
    el('div', { class: 'chips' }, chips)] : []));

  const paragraphs = String(a.body || '').split(/\n+/).map((p) => p.trim()).filter(Boolean);
  $('article-body').replaceChildren(...(paragraphs.length ? paragraphs.map((p) => el('p', { text: p }))
    : [el('p', { class: 'muted', text: 'This article has no text.' })]));
}

async function loadStats() {
  try {
    const st = await api('/api/stats');
    const langs = Object.keys(st.languages || {}).map(langName).join(', ');
    const span = st.first_date && st.last_date ? `, ${formatDate(st.first_date)} – ${formatDate(st.last_date)}` : '';
    $('stats').textContent = `${plural(st.articles || 0, 'article')} indexed${langs ? ` in ${langs}` : ''}${span}.`;
  } catch { /* the footer line is optional */ }
}

// ---------- events ----------
function goBack() {
  if (history.state?.fromSearch) history.back();
  else navigate({ ...state, article: '' });
}

const isTyping = (t) => t instanceof Element && Boolean(t.closest('input, textarea, select, [contenteditable]'));
const plainClick = (e) => e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

function bind() {
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    navigate({ ...structuredClone(state), q: $('q').value, page: 1, article: '' }, { fresh: true });
  });
  $('sort').addEventListener('change', (e) => refine((s) => { s.sort = e.target.value; }));
  $('from').addEventListener('change', (e) => refine((s) => { s.from = e.target.value; }));
  $('to').addEventListener('change', (e) => refine((s) => { s.to = e.target.value; }));
  // A date typed only in part has no value, so no change event: say so when the input is left.
  for (const id of ['from', 'to']) {
    $(id).addEventListener('blur', (e) => {
      if (e.target.validity.badInput) showDateError(`The "${id}" date is incomplete or not a date: fill in day, month and year.`, id);
    });
  }
  $('clear-dates').addEventListener('click', () => refine((s) => { s.from = ''; s.to = ''; }));
  $('interval').addEventListener('change', (e) => navigate({ ...state, interval: e.target.value }));
  $('prev').addEventListener('click', () => navigate({ ...state, page: Math.max(1, state.page - 1) }));
  $('next').addEventListener('click', () => navigate({ ...state, page: state.page + 1 }));
  $('back').addEventListener('click', (e) => { if (plainClick(e)) { e.preventDefault(); goBack(); } });

  // One listener for everything built at run time: chips, facet values, bars, result links.
  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    const link = t?.closest('a[data-article]');
    if (link) {
      if (plainClick(e)) { e.preventDefault(); navigate({ ...state, article: link.dataset.article }); }
      return;
    }
    const active = t?.closest('.chip.active-filter');
    if (active) return removeFilter(active.dataset.field, active.dataset.value);
    if (t?.closest('#clear-filters')) {
      return refine((s) => { for (const f of LIST_FIELDS) s[f] = []; s.lang = ''; });
    }
    const relatedValue = t?.closest('.related-value');
    if (relatedValue) return addFilter(relatedValue.dataset.field, relatedValue.dataset.value);
    const facet = t?.closest('.facet-value');
    if (facet) { // a chosen facet value toggles off again
      const { field, value } = facet.dataset;
      return isActive(state, field, value) ? removeFilter(field, activeValue(state, field, value)) : addFilter(field, value);
    }
    const chip = t?.closest('.chip.entity');
    if (chip) return addFilter(chip.dataset.field, chip.dataset.value);
    const more = t?.closest('[data-more]');
    if (more) return showMoreFacet(more.dataset.more, more);
    const bar = t?.closest('#timeline .bar');
    if (bar) { // narrow the dates to the bar's interval, within the current range
      const start = bar.dataset.start;
      const end = intervalEnd(start, $('timeline').dataset.interval);
      if (!start || !end) return;
      const from = expandDate(state.from, 'start');
      const to = expandDate(state.to, 'end');
      return refine((s) => {
        s.from = from && from > start ? from : start;
        s.to = to && to < end ? to : end;
      });
    }
  });

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    if (e.key === '/') {
      e.preventDefault();
      $('q').focus();
      $('q').select();
    } else if (e.key === 'Escape' && state.article) {
      goBack();
    }
  });

  window.addEventListener('popstate', () => {
    const next = stateFromUrl();
    if (next.article && !state.article) searchScrollY = window.scrollY;
    state = next;
    load();
  });

  // The facet panel is a <details>: always open on wide screens, collapsible on phones.
  const wide = window.matchMedia('(min-width: 761px)');
  const syncPanel = () => { if (wide.matches) $('facets-panel').open = true; };
  wide.addEventListener('change', syncPanel);
  $('facets-panel').open = wide.matches;
}

function start() {
  bind();
  state = stateFromUrl();
  history.replaceState(history.state, '', urlFromState(state)); // normalise the URL
  load();
  loadStats();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
