// Browser end-to-end tests of the commis web UI, in Debian's headless Chromium driven by
// playwright-core (no browser download). Started by scripts/test-web.sh, which builds the
// test server (`cargo build -p commis-server --example e2e_server`) and passes its path in
// E2E_SERVER. Screenshots of each screen go to SCREENSHOTS (docs/screenshots by default).
//
// Prints one line per check and a closing "web e2e: N passed, M failed"; exits non-zero on
// any failure.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
const serverBin = process.env.E2E_SERVER || join(repo, 'target/debug/examples/e2e_server');
const shots = resolve(process.env.SCREENSHOTS || join(repo, 'docs/screenshots'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const BRIEF = 'Trie ces fichiers par type et crée un catalogue';
const TIMEOUT = 60_000;

let passed = 0;
let currentPage = null;
let failed = 0;
const cleanups = [];

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
    if (currentPage) {
      const file = join(tmpdir(), `commis-e2e-failure-${failed}.png`);
      await currentPage.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`     screenshot of the failure: ${file}`);
    }
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Every file and folder under `root`, with the SHA-256 of each file. */
function snapshot(root) {
  const out = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      const rel = relative(root, p);
      if (st.isDirectory()) { out[rel + '/'] = ''; walk(p); }
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return JSON.stringify(out);
}

function startServer(work, env = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(serverBin, [work], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    cleanups.push(() => child.kill('SIGTERM'));
    const lines = [];
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('the test server printed no address within 60 s')), TIMEOUT);
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) {
        clearTimeout(timer);
        resolvePromise({ url: lines[0], folder: lines[1].replace(/^folder=/, '') });
      }
    });
    child.on('exit', (code) => reject(new Error(`the test server exited early (${code})`)));
    child.on('error', reject);
  });
}

/** A plain HTTP request with the headers given verbatim (a browser would not let us set Host). */
function rawRequest(port, { method = 'GET', path = '/', headers = {}, body = null }) {
  return new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (r) => {
      let data = '';
      r.on('data', (c) => { data += c; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: data }));
    });
    req.on('error', rej);
    if (body) req.write(body);
    req.end();
  });
}

/** Another site on another port: its page tries to create a run in commis. */
function startForeignSite(target) {
  const page = `<!doctype html><meta charset="utf-8"><title>foreign</title><script>
    fetch(${JSON.stringify(target + '/api/runs')}, { method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ folder: '/', brief: 'delete everything' }) })
      .then(() => { document.title = 'sent'; }, () => { document.title = 'blocked'; });
  </script>`;
  return new Promise((res) => {
    const srv = http.createServer((req, rsp) => { rsp.writeHead(200, { 'Content-Type': 'text/html' }); rsp.end(page); });
    srv.listen(0, '127.0.0.1', () => { cleanups.push(() => srv.close()); res(srv.address().port); });
  });
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: join(shots, name), fullPage });
}

/** Answers every approval the run asks for with `button` until the results show. */
async function approveUntilDone(page, button, firstId = null) {
  let lastId = firstId;
  for (let i = 0; i < 40; i += 1) {
    const which = await Promise.race([
      page.waitForFunction((last) => {
        const d = document.querySelector('dialog#approval');
        return d && d.open && d.dataset.id !== last && !d.querySelector('button:disabled');
      }, lastId, { timeout: TIMEOUT }).then(() => 'dialog', () => null),
      page.waitForSelector('#results', { timeout: TIMEOUT }).then(() => 'results', () => null),
    ]);
    if (which === 'results') return;
    if (which === null) throw new Error('neither an approval nor the results appeared');
    lastId = await page.getAttribute('dialog#approval', 'data-id');
    await page.click(button);
  }
  throw new Error('too many approvals');
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'commis-e2e-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const { url, folder } = await startServer(work);
  const base = new URL(url);
  const port = Number(base.port);
  const origin = `http://127.0.0.1:${port}`;
  const token = base.searchParams.get('token');
  console.log(`server: ${origin} (folder ${folder})`);

  const profile = mkdtempSync(join(tmpdir(), 'commis-e2e-profile-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      // A name that resolves to us, as a DNS-rebinding attacker's would.
      '--host-resolver-rules=MAP rebind.commis.test 127.0.0.1'],
    viewport: { width: 1366, height: 768 },
    locale: 'fr-FR',
  });
  cleanups.unshift(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  currentPage = page;
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // ------------------------------------------------------------------ refusals
  await check('a page without the token is refused (401)', async () => {
    const r = await page.goto(origin + '/');
    assert(r.status() === 401, `status ${r.status()}`);
    assert((await page.textContent('body')).includes('jeton'), 'the refusal explains what to do');
  });
  await check('a wrong token is refused (401)', async () => {
    const r = await page.goto(origin + '/?token=' + '0'.repeat(64));
    assert(r.status() === 401, `status ${r.status()}`);
  });
  await check('a foreign Host (DNS rebinding) is refused (403) even with the token', async () => {
    const r = await page.goto(`http://rebind.commis.test:${port}/?token=${token}`);
    assert(r.status() === 403, `status ${r.status()}`);
    assert((await page.textContent('body')).includes('Host'), 'the refusal names the Host header');
    const raw = await rawRequest(port, { path: `/api/config?token=${token}`, headers: { Host: `evil.example:${port}` } });
    assert(raw.status === 403, `raw status ${raw.status}`);
  });

  // ------------------------------------------------------------------ the journey
  const before = snapshot(folder);
  await check('the token opens the app, sets the session and leaves the address bar', async () => {
    const r = await page.goto(url);
    assert(r.status() === 200, `status ${r.status()}`);
    assert(!page.url().includes('token='), `address still has the token: ${page.url()}`);
    const cookies = await context.cookies(origin);
    const c = cookies.find((x) => x.name === `commis_${port}`);
    assert(c && c.httpOnly && c.sameSite === 'Strict', `cookie ${JSON.stringify(c)}`);
    await page.waitForSelector('#brief');
    assert((await page.textContent('#nav-new')) === 'Nouvelle tâche', 'French from the browser language');
    await shot(page, '01-new-task.png');
  });

  await check('a run can be started and its plan is shown, editable', async () => {
    const options = await page.$$eval('#folder-select option', (os) => os.map((o) => o.value));
    assert(options.includes(folder), `folder offered: ${options}`);
    await page.selectOption('#folder-select', folder);
    await page.selectOption('#template', 'tri-et-catalogue');
    assert((await page.inputValue('#brief')) === BRIEF, 'the template fills the brief');
    await page.click('#start');
    await page.waitForSelector('#plan .step-card');
    await page.waitForSelector('#waiting');
    assert(snapshot(folder) === before, 'nothing changed before acceptance');
    // The plan's summary: the scope line first, each line of its own.
    const lines = await page.$$eval('.plan-summary p', (l) => l.map((x) => x.textContent));
    assert(lines.length >= 2 && /fichier|file/.test(lines[0]), `summary lines: ${JSON.stringify(lines)}`);
    await shot(page, '02-plan.png');
  });

  let droppedFrom = null;
  await check('steps can be edited, reordered, added and removed, and a move dropped', async () => {
    const n = await page.$$eval('#plan-steps > li', (l) => l.length);
    assert(n >= 2, `steps: ${n}`);
    await page.fill('#step-title-0', 'Trier les fichiers par type (relu)');
    await page.fill('#step-desc-0', 'Relu et validé dans le navigateur.');
    // Reorder down then up: back to the planner's order, with the edits kept.
    await page.click('#plan-steps > li:nth-child(1) .down');
    assert((await page.inputValue('#step-title-1')) === 'Trier les fichiers par type (relu)', 'moved down');
    await page.click('#plan-steps > li:nth-child(2) .up');
    assert((await page.inputValue('#step-title-0')) === 'Trier les fichiers par type (relu)', 'moved up');
    await page.click('#add-step');
    assert((await page.$$eval('#plan-steps > li', (l) => l.length)) === n + 1, 'a step was added');
    await page.click(`#plan-steps > li:nth-child(${n + 1}) .remove`);
    assert((await page.$$eval('#plan-steps > li', (l) => l.length)) === n, 'the added step was removed');
    // The change list is grouped by destination folder; a long list folds its groups.
    const groups = page.locator('#plan-steps > li:nth-child(1) details.change-group');
    const nGroups = await groups.count();
    assert(nGroups >= 2, `destination groups: ${nGroups}`);
    const rows = await page.$$eval('#plan-steps > li:nth-child(1) .change-table tbody tr', (l) => l.length);
    const dests = await groups.evaluateAll((ds) => ds.map((d) => [d.dataset.dest, d.querySelectorAll('tbody tr').length,
      [...d.querySelectorAll('tbody tr td:nth-child(3)')].every((td) => td.textContent.startsWith(d.dataset.dest))]));
    assert(dests.every(([, , inside]) => inside), `every line sits under its destination: ${JSON.stringify(dests)}`);
    assert(dests.reduce((a, [, n]) => a + n, 0) === rows, 'the groups hold every change once');
    if (rows > 12) {
      assert(await groups.evaluateAll((ds) => ds.some((d) => !d.open)), 'a long list is folded');
    }
    // A group's box drops all of its lines, and keeps them again.
    const group = groups.first();
    await group.evaluate((d) => { d.open = true; });
    const summaryBefore = await page.textContent('#plan-steps > li:nth-child(1) details.changes > summary');
    await group.locator('input.group-keep').uncheck();
    assert(await group.evaluate((d) => [...d.querySelectorAll('tbody tr')].every((tr) => tr.classList.contains('dropped'))),
      'the whole group is dropped');
    assert((await page.textContent('#plan-steps > li:nth-child(1) details.changes > summary')) !== summaryBefore, 'the count follows');
    await group.locator('input.group-keep').check();
    assert((await page.textContent('#plan-steps > li:nth-child(1) details.changes > summary')) === summaryBefore, 'kept again');
    const firstLine = group.locator('.change-table tbody tr').first();
    droppedFrom = await firstLine.locator('td').nth(1).textContent();
    await firstLine.locator('input[type=checkbox]').uncheck();
    assert(await firstLine.evaluate((tr) => tr.classList.contains('dropped')), 'the line shows as dropped');
    await shot(page, '03-plan-edited.png');
  });

  await check('accepting asks approval for the moves with the exact files', async () => {
    await page.click('#accept-plan');
    await page.waitForSelector('dialog#approval[open]');
    const text = await page.textContent('dialog#approval');
    assert(/déplacer|move/i.test(text), `dialog: ${text.slice(0, 200)}`);
    const paths = await page.$$eval('dialog#approval .paths li', (l) => l.map((x) => x.textContent));
    assert(paths.length > 0, 'the files are listed');
    assert(!paths.includes(droppedFrom), `the dropped move is not asked for (${droppedFrom})`);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert(focused === 'approve-once', `keyboard focus is in the dialog (${focused})`);
    await shot(page, '04-approval.png');
  });

  await check('approving runs the plan to the end and shows the deliverables', async () => {
    const firstId = await page.getAttribute('dialog#approval', 'data-id');
    await page.click('#approve-once');
    // Later approvals (writing the catalogue) are given for the whole run.
    await approveUntilDone(page, '#approve-run', firstId);
    await page.waitForSelector('#results #created');
    const created = await page.textContent('#results #created');
    assert(created.includes('catalogue.xlsx'), `created: ${created}`);
    const moved = await page.textContent('#results #moved');
    assert(!moved.includes(droppedFrom + ' →'), 'the dropped move did not happen');
    const status = await page.textContent('#run-status');
    assert(/Terminée|Done/.test(status), `status ${status}`);
    const steps = await page.$$eval('.step-st.s-done', (l) => l.length);
    assert(steps >= 2, `steps done: ${steps}`);
    const trace = await page.$$eval('.trace-list li', (l) => l.length);
    assert(trace > 5, `trace entries: ${trace}`);
    await shot(page, '05-run-and-results.png');
    await shot(page, '05b-run-and-results-full.png', true);
  });

  await check('a workbook is previewed as tables', async () => {
    await page.click('#created .preview-btn[data-path$="catalogue.xlsx"]');
    await page.waitForSelector('#preview table.sheet td');
    const cells = await page.$$eval('#preview table.sheet td', (l) => l.length);
    assert(cells > 3, `cells ${cells}`);
    await page.locator('#preview').scrollIntoViewIfNeeded();
    await shot(page, '06-preview-workbook.png');
  });

  await check('a report is previewed as a document', async () => {
    const md = page.locator('#created .preview-btn[data-path$=".md"]').first();
    assert(await md.count() === 1, 'a Markdown deliverable is listed');
    await md.click();
    await page.waitForSelector('#preview article.doc');
    await page.locator('#preview').scrollIntoViewIfNeeded();
    await shot(page, '07-preview-report.png');
  });

  await check('a reload replays the run from the store', async () => {
    await page.reload();
    await page.waitForSelector('#results #created');
    // The results come from the run's details, the trace from the replayed events: wait for both.
    await page.waitForFunction(() => document.querySelectorAll('.trace-list li').length > 5, null, { timeout: 10_000 })
      .catch(() => {});
    const trace = await page.$$eval('.trace-list li', (l) => l.length);
    assert(trace > 5, `trace entries after reload: ${trace}`);
  });

  await check('undo restores the folder byte for byte', async () => {
    assert(snapshot(folder) !== before, 'the run changed the folder');
    await page.click('#undo');
    await page.click('#undo-confirm');
    await page.waitForSelector('#results .undo-area .ok');
    assert(snapshot(folder) === before, 'the folder is back as it was');
    await shot(page, '08-undone.png');
  });

  await check('the history lists the run', async () => {
    await page.goto(origin + '/#/history');
    await page.waitForSelector('table.history tbody tr');
    const text = await page.textContent('table.history');
    assert(text.includes(BRIEF), 'the brief is listed');
    await shot(page, '09-history.png');
  });

  await check('the language can be switched to English', async () => {
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
    await page.selectOption('#lang-select', 'en');
    await page.waitForFunction(() => document.querySelector('#nav-new').textContent === 'New task');
    assert((await page.getAttribute('html', 'lang')) === 'en', 'html lang follows');
    await shot(page, '10-new-task-en.png');
    await page.selectOption('#lang-select', 'fr');
  });

  await check('every form control has a label', async () => {
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.name || e.outerHTML.slice(0, 60)));
    assert(unlabelled.length === 0, `unlabelled: ${unlabelled}`);
  });

  await check('a brief the offline planner cannot do gets an honest answer', async () => {
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
    await page.fill('#brief', 'Écris un poème sur la mer');
    await page.click('#start');
    await page.waitForSelector('#run-message');
    const status = await page.textContent('#run-status');
    assert(/Non prise en charge|Not supported/.test(status), `status ${status}`);
    const message = await page.textContent('#run-message');
    assert(message.length > 20, `message: ${message}`);
    await shot(page, '11-unsupported.png');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
  });

  await check('a deck is previewed as slides (images when LibreOffice is installed)', async () => {
    await page.fill('#brief', 'Crée un tableau récapitulatif des montants des factures et produis une présentation de 8 slides');
    await page.click('#start');
    await page.waitForSelector('#accept-plan');
    await page.click('#accept-plan');
    await approveUntilDone(page, '#approve-run');
    await page.click('#created .preview-btn[data-path$=".pptx"]');
    await page.waitForSelector('#preview .slide');
    const slides = await page.$$eval('#preview .slide', (l) => l.length);
    assert(slides >= 3, `slides: ${slides}`);
    if (await page.locator('#slide-images-btn').count() > 0) {
      await page.click('#slide-images-btn');
      await page.waitForSelector('#preview img.slide-img', { timeout: 120_000 });
      await page.waitForFunction(() => [...document.querySelectorAll('#preview img.slide-img')].every((i) => i.complete && i.naturalWidth > 0));
    } else if (process.env.CI === 'true') {
      throw new Error('slide images need LibreOffice and pdftoppm: run scripts/test-deps-office.sh');
    } else {
      console.log('notice: LibreOffice or pdftoppm missing, slide images not shown');
    }
    await page.locator('#preview').scrollIntoViewIfNeeded();
    await shot(page, '12-preview-deck.png');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
  });

  const TEMPLATE = 'Trie ces fichiers par {critere=type} pour {mois}';
  await check('a brief is saved as a template, its placeholders become fields', async () => {
    await page.fill('#brief', TEMPLATE);
    await page.click('#save-template summary');
    await page.fill('#tpl-name', 'tri-du-mois');
    await page.click('#save-template-btn');
    await page.waitForSelector('#tpl-status .ok');
    assert((await page.inputValue('#template')) === 'tri-du-mois', 'the new template is selected');
    // The same name again asks before replacing.
    await page.click('#save-template-btn');
    await page.waitForSelector('#tpl-replace');
    await page.click('#tpl-replace');
    await page.waitForSelector('#tpl-status .ok');
    // A fresh start screen offers it; picking it gives one field per placeholder.
    await page.goto(origin + '/#/history');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
    await page.selectOption('#template', 'tri-du-mois');
    assert((await page.inputValue('#brief')) === TEMPLATE, 'the brief keeps its placeholders');
    assert((await page.$$eval('#tpl-values input', (l) => l.length)) === 2, 'two fields');
    assert((await page.inputValue('#ph-0')) === 'type', 'the default is prefilled');
    assert((await page.getAttribute('#ph-1', 'required')) !== null, 'a field without default is required');
    await page.fill('#ph-1', 'mars');
    const filled = await page.textContent('#brief-filled');
    assert(filled === 'Trie ces fichiers par type pour mars', `filled: ${filled}`);
    await shot(page, '14-template-values.png');
    await page.click('#start');
    await page.waitForSelector('#plan .step-card');
    const title = await page.textContent('#run-title');
    assert(title === 'Trie ces fichiers par type pour mars', `the run's brief: ${title}`);
  });

  await check('a run paused before its steps starts none until continued, then finishes', async () => {
    const folderBefore = snapshot(folder);
    const head = await page.textContent('.run-head');
    assert(!/null|undefined/.test(head), `the run's head shows no stray value: ${head}`);
    await page.click('#pause');
    await page.waitForSelector('#paused-banner');
    await page.waitForSelector('#unpause');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'unpause');
    await page.click('#accept-plan');
    await page.waitForFunction(() => /En pause|Paused/.test(document.querySelector('#run-status')?.textContent || ''));
    await page.waitForFunction(() => !document.querySelector('#accept-plan'));
    await page.waitForTimeout(800);
    assert(await page.locator('.step-st.s-running, .step-st.s-done').count() === 0, 'no step started while paused');
    assert(!(await page.locator('dialog#approval[open]').count()), 'nothing asked while paused');
    assert(snapshot(folder) === folderBefore, 'nothing changed while paused');
    const trace = await page.textContent('.trace-list');
    assert(trace.includes('Tâche mise en pause'), 'the pause is in the trace');
    await shot(page, '15-paused.png');
    await page.click('#unpause');
    await page.waitForSelector('#pause');
    await approveUntilDone(page, '#approve-run');
    await page.waitForFunction(() => /Terminée|Done/.test(document.querySelector('#run-status')?.textContent || ''));
    assert(await page.locator('#paused-banner').count() === 0, 'no longer shown as paused');
    // Put the folder back for the next checks.
    await page.click('#undo');
    await page.click('#undo-confirm');
    await page.waitForSelector('#results .undo-area .ok');
    assert(snapshot(folder) === folderBefore, 'the folder is back as it was');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
  });

  await check('a template can be deleted from the start screen', async () => {
    await page.selectOption('#template', 'tri-du-mois');
    await page.click('#delete-template');
    await page.click('#delete-template-confirm');
    await page.waitForSelector('#tpl-manage .ok');
    const options = await page.$$eval('#template option', (os) => os.map((o) => o.value));
    assert(!options.includes('tri-du-mois') && options.includes('tri-et-catalogue'), `templates left: ${options}`);
    await page.goto(origin + '/#/history');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
    const after = await page.$$eval('#template option', (os) => os.map((o) => o.value));
    assert(!after.includes('tri-du-mois'), `deleted for good: ${after}`);
  });

  await check('a paused run can still be stopped', async () => {
    await page.fill('#brief', 'Trie ces fichiers par type');
    await page.click('#start');
    await page.waitForSelector('#plan .step-card');
    await page.click('#pause');
    await page.waitForSelector('#paused-banner');
    await page.click('#stop');
    await page.waitForFunction(() => /Arrêtée|Stopped/.test(document.querySelector('#run-status')?.textContent || ''));
    assert(await page.locator('#paused-banner').count() === 0, 'a stopped run is not shown as paused');
    await page.goto(origin + '/#/');
    await page.waitForSelector('#brief');
  });

  await check('a stopped run is shown as stopped', async () => {
    await page.fill('#brief', 'Trie ces fichiers par type');
    await page.click('#start');
    await page.waitForSelector('#plan .step-card');
    await page.click('#stop');
    await page.waitForFunction(() => /Arrêtée|Stopped/.test(document.querySelector('#run-status')?.textContent || ''));
  });

  await check('a POST from a foreign page is refused (403) even though the session cookie exists', async () => {
    const runsBefore = JSON.parse((await rawRequest(port, { path: '/api/runs', headers: { Host: `127.0.0.1:${port}`, Cookie: `commis_${port}=${token}` } })).body).runs.length;
    const foreignPort = await startForeignSite(origin);
    const foreign = await context.newPage();
    const seen = foreign.waitForResponse((r) => r.url() === origin + '/api/runs' && r.request().method() === 'POST');
    await foreign.goto(`http://127.0.0.1:${foreignPort}/`);
    const response = await seen;
    assert(response.status() === 403, `status ${response.status()}`);
    const runsAfter = JSON.parse((await rawRequest(port, { path: '/api/runs', headers: { Host: `127.0.0.1:${port}`, Cookie: `commis_${port}=${token}` } })).body).runs.length;
    assert(runsAfter === runsBefore, `runs ${runsBefore} → ${runsAfter}`);
    const raw = await rawRequest(port, {
      method: 'POST', path: '/api/runs',
      headers: { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example', Cookie: `commis_${port}=${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ folder, brief: BRIEF }),
    });
    assert(raw.status === 403 && raw.body.includes('another site'), `raw ${raw.status} ${raw.body}`);
    await foreign.close();
  });

  await check('a question from the planner is answered in the page', async () => {
    const work2 = mkdtempSync(join(tmpdir(), 'commis-e2e-q-'));
    cleanups.push(() => rmSync(work2, { recursive: true, force: true }));
    const second = await startServer(work2, { E2E_PLANNER: 'scripted' });
    const origin2 = new URL(second.url).origin;
    await page.goto(second.url);
    await page.waitForSelector('#brief');
    await page.fill('#brief', 'Écris la note du mois');
    await page.click('#start');
    await page.waitForSelector('#question #answer-input');
    const q = await page.textContent('#question .question-text');
    assert(q.includes('Quel mois'), `question: ${q}`);
    await page.fill('#answer-input', 'mars');
    await shot(page, '13-question.png');
    await page.click('#question button[type=submit]');
    await page.waitForSelector('#accept-plan');
    await page.click('#accept-plan');
    await approveUntilDone(page, '#approve-once');
    await page.waitForSelector('#results #created');
    const trace = await page.textContent('.trace-list');
    assert(trace.includes('mars'), 'the answer is in the trace');
    const tokens = await page.textContent('.facts');
    assert(/1200|1 200/.test(tokens) || /[1-9]\d* entrée/.test(tokens), `tokens shown: ${tokens}`);
    await page.goto(origin2 + '/#/history');
    await page.goto(origin + '/#/');
  });

  await check('no script errors in the page', async () => {
    const real = consoleErrors.filter((e) => !/status of 40[13]|Failed to load resource/.test(e));
    assert(real.length === 0, real.join(' | '));
  });
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
} finally {
  for (const c of cleanups) { try { await c(); } catch (_) { /* best effort */ } }
  console.log(`web e2e: ${passed} passed, ${failed} failed`);
  if (failed > 0) exitCode = 1;
}
process.exit(exitCode);
