// Drives the browser editor in Debian's headless chromium through playwright-core, the way a person would: it
// clicks buttons, picks files and clicks on the canvas at a point given in ORIGINAL image pixels (converted through
// the canvas' on-screen rectangle, so the editor's own scaling is exercised).
//
// Input (stdin, JSON): { playwright, chromium, url, outDir, viewport: {width, height}, steps: [{do, ...}] }
// Output (stdout, JSON): { results: [...one per step...] } or { error, step, results, message } (exit 1), with a
// screenshot "failure.png" in outDir.

import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const { chromium } = createRequire(import.meta.url)(input.playwright);
const profile = mkdtempSync(join(tmpdir(), 'atelier-chromium-'));
const timeout = input.timeoutMs ?? 60_000;
const context = await chromium.launchPersistentContext(profile, {
  executablePath: input.chromium,
  headless: true,
  acceptDownloads: true,
  viewport: input.viewport ?? { width: 1280, height: 800 },
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
  ],
});
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(timeout);
const consoleLines = [];
page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));

const results = [];
let index = 0;
try {
  for (; index < input.steps.length; index++) {
    results.push(await perform(input.steps[index]) ?? null);
  }
  process.stdout.write(JSON.stringify({ results }));
} catch (error) {
  const message = await page.locator('#message').textContent().catch(() => '');
  const status = await page.locator('#status').textContent().catch(() => '');
  await page.screenshot({ path: join(input.outDir, 'failure.png') }).catch(() => {});
  process.stdout.write(JSON.stringify({ error: String(error?.message ?? error), step: input.steps[index], results, message, status, console: consoleLines }));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

async function perform(step) {
  switch (step.do) {
    case 'goto':
      await page.goto(input.url);
      // The models list is loaded (or its error shown) before anything else is done.
      await page.waitForFunction(() => document.querySelector('#model option')?.value || !document.getElementById('message').hidden);
      return null;
    case 'select':
      await page.selectOption(step.selector, step.value);
      return null;
    case 'options':
      return page.locator(`${step.selector} option`).evaluateAll((options) => options.map((o) => o.value));
    case 'upload':
      await page.setInputFiles(step.selector, step.path);
      return null;
    case 'drop':
    case 'paste':
      // What the browser hands the page when a file is dropped on the canvas area or pasted from the clipboard.
      await page.evaluate(({ how, base64, name, type }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type }));
        if (how === 'paste') {
          document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
        } else {
          const target = document.getElementById('drop');
          target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
          target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      }, { how: step.do, base64: readFileSync(step.path).toString('base64'), name: basename(step.path), type: step.type });
      return null;
    case 'waitSession':
      await page.waitForFunction(() => document.body.dataset.busy === 'false' && !document.getElementById('stage').hidden);
      return page.evaluate(() => ({
        silo: document.getElementById('info-silo').textContent,
        model: document.getElementById('info-model').textContent,
        size: document.getElementById('info-size').textContent,
        ttl: document.getElementById('info-ttl').textContent,
        canvas: [document.getElementById('overlay').width, document.getElementById('overlay').height],
        shown: (({ width, height }) => [width, height])(document.getElementById('prompts').getBoundingClientRect()),
      }));
    case 'clickImage': {
      const box = await page.locator('#prompts').boundingBox();
      const size = await page.evaluate(() => [document.getElementById('prompts').width, document.getElementById('prompts').height]);
      const x = box.x + ((step.x + 0.5) * box.width / size[0]);
      const y = box.y + ((step.y + 0.5) * box.height / size[1]);
      if (step.shift) await page.keyboard.down('Shift');
      await page.mouse.click(x, y, { button: step.right ? 'right' : 'left' });
      if (step.shift) await page.keyboard.up('Shift');
      return null;
    }
    case 'dragImage': {
      const box = await page.locator('#prompts').boundingBox();
      const size = await page.evaluate(() => [document.getElementById('prompts').width, document.getElementById('prompts').height]);
      const at = (x, y) => [box.x + ((x + 0.5) * box.width / size[0]), box.y + ((y + 0.5) * box.height / size[1])];
      await page.mouse.move(...at(step.from[0], step.from[1]));
      await page.mouse.down();
      await page.mouse.move(...at(step.to[0], step.to[1]), { steps: 8 });
      await page.mouse.up();
      return null;
    }
    case 'waitSegments':
      await page.waitForFunction((n) => Number(document.body.dataset.segments) >= n, step.count);
      return page.locator('#info-latency').textContent();
    case 'overlay':
      // The overlay canvas at the image's original size: 1 where the selection is drawn (fill or outline).
      return page.evaluate(() => {
        const canvas = document.getElementById('overlay');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let bits = '';
        for (let i = 3; i < data.length; i += 4) bits += data[i] > 0 ? '1' : '0';
        return { width: canvas.width, height: canvas.height, bits };
      });
    case 'click':
      await page.click(step.selector);
      return null;
    case 'press':
      await page.keyboard.press(step.key);
      return null;
    case 'fill':
      await page.fill(step.selector, step.value);
      return null;
    case 'setRange':
      await page.locator(step.selector).evaluate((el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, step.value);
      return null;
    case 'waitVersion':
      await page.waitForFunction((v) => document.body.dataset.busy === 'false' && document.body.dataset.version === String(v), step.version);
      return null;
    case 'waitIdle':
      await page.waitForFunction(() => document.body.dataset.busy === 'false');
      return null;
    case 'download': {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(step.selector)]);
      await download.saveAs(step.path);
      return download.suggestedFilename();
    }
    case 'waitMessage':
      await page.locator('#message').waitFor({ state: 'visible' });
      return page.evaluate(() => ({
        title: document.getElementById('message-title').textContent,
        detail: document.getElementById('message-detail').textContent,
        code: document.getElementById('message-code').textContent,
        text: document.getElementById('message').innerText,
        reopen: !document.getElementById('reopen').hidden,
        keyAsked: !document.getElementById('key-section').hidden,
      }));
    case 'closeBehindTheEditor':
      // Another client closes the editor's session (same origin, same key): the editor learns it on its next call.
      return page.evaluate(async () => (await fetch(`/v1/sessions/${document.body.dataset.session}`, { method: 'DELETE' })).status);
    case 'enabled':
      return page.locator(step.selector).isEnabled();
    case 'text':
      return page.locator(step.selector).textContent();
    case 'focused':
      return page.evaluate(() => document.activeElement?.id ?? '');
    case 'screenshot':
      await page.screenshot({ path: join(input.outDir, `${step.name}.png`), fullPage: step.fullPage ?? false });
      return null;
    default:
      throw new Error(`unknown step ${step.do}`);
  }
}
