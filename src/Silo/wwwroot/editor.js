// The Atelier browser editor: one page, plain ES modules, talking to the silo that served it (docs/api.md).
// Canvases keep the image's ORIGINAL resolution and are scaled by CSS, so every coordinate sent to the server is in
// original pixels whatever the window size.

import { ApiError, apiKey, call, callJson, serverSentEvents, setApiKey } from './api.js';
import { decodeRle, drawOverlay, maskToBase64Png } from './mask.js';

const $ = (id) => document.getElementById(id);
const ui = {
  model: $('model'), file: $('file'), refine: $('refine'), dilate: $('dilate'), dilateValue: $('dilate-value'),
  subject: $('subject'), candidate: $('candidate'), candidateInfo: $('candidate-info'), clear: $('clear'),
  erase: $('erase'), replaceForm: $('replace-form'), prompt: $('prompt'), negative: $('negative'), steps: $('steps'),
  seed: $('seed'), replace: $('replace'), progress: $('replace-progress'), undo: $('undo'), redo: $('redo'),
  format: $('format'), download: $('download'), close: $('close'),
  keySection: $('key-section'), keyForm: $('key-form'), key: $('api-key'),
  message: $('message'), messageTitle: $('message-title'), messageDetail: $('message-detail'), messageCode: $('message-code'),
  reopen: $('reopen'), dismiss: $('dismiss'), status: $('status'),
  drop: $('drop'), dropHint: $('drop-hint'), stage: $('stage'), image: $('image'), overlay: $('overlay'), prompts: $('prompts'),
  info: { silo: $('info-silo'), model: $('info-model'), size: $('info-size'), version: $('info-version'), ttl: $('info-ttl'), latency: $('info-latency') },
};

/** The best demo segmenter for real photos (the silo's default too); a registered real SAM export ranks above it. */
const PHOTO_SEGMENTER = 'sam-isnet';

const state = {
  session: null,      // the session JSON of the open session
  silo: '',           // X-Atelier-Silo of the last session answer
  source: null,       // the opened file (kept to reopen an expired session)
  sourceName: 'image',
  expiresAt: 0,       // local clock: every request extends the session's TTL
  points: [], labels: [], box: null,
  masks: [],          // candidates of the last answer, best first: {mask, score}
  candidate: 0,
  busy: false,
  retry: null,        // the action that answered 401, run again once a key is given
  segments: 0,        // answers drawn (tests wait on data-segments)
};

// ---------------------------------------------------------------- messages and state

function showStatus(text) {
  ui.status.textContent = text;
}

function showError(error, { reopen = false } = {}) {
  const e = error instanceof ApiError ? error : new ApiError(0, { title: 'Unexpected error', detail: String(error?.message ?? error), code: 'client_error' });
  ui.messageTitle.textContent = e.title + (e.status ? ` (HTTP ${e.status})` : '') + '.';
  ui.messageDetail.textContent = e.detail;
  ui.messageCode.textContent = e.code;
  ui.reopen.hidden = !reopen;
  ui.message.hidden = false;
  showStatus(`Error: ${e.title}`);
}

function clearError() {
  ui.message.hidden = true;
  ui.reopen.hidden = true;
}

function refreshControls() {
  const has = {
    session: state.session !== null,
    masks: state.masks.length > 1,
    selection: state.masks.length > 0,
    undo: state.session?.canUndo === true,
    redo: state.session?.canRedo === true,
  };
  for (const button of document.querySelectorAll('[data-needs]')) {
    button.disabled = state.busy || !has[button.dataset.needs];
  }
  ui.file.disabled = state.busy;
  document.body.dataset.busy = String(state.busy);
  document.body.dataset.segments = String(state.segments);
  document.body.dataset.version = String(state.session?.version ?? '');
  document.body.dataset.session = state.session?.id ?? '';
}

function showSession(session, response) {
  state.session = { ...state.session, ...session };
  state.silo = response?.headers.get('X-Atelier-Silo') || session.silo || state.silo;
  touch();
  ui.info.silo.textContent = session.silo || state.silo || '–';
  ui.info.model.textContent = state.session.model;
  ui.info.size.textContent = `${state.session.width} × ${state.session.height}`;
  ui.info.version.textContent = String(state.session.version ?? 0);
  refreshControls();
}

/** Every request on the session extends its TTL: restart the local countdown. */
function touch() {
  if (state.session?.ttlSeconds) state.expiresAt = Date.now() + (state.session.ttlSeconds * 1000);
  tick();
}

function tick() {
  if (!state.session || !state.expiresAt) {
    ui.info.ttl.textContent = '–';
    return;
  }
  const left = Math.max(0, Math.round((state.expiresAt - Date.now()) / 1000));
  ui.info.ttl.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  if (left === 0) {
    endSession();
    showError(new ApiError(404, { title: 'Session expired', detail: 'The session was idle longer than its time-to-live.', code: 'session_not_found' }), { reopen: true });
  }
}
setInterval(tick, 1000);

function endSession() {
  state.session = null;
  state.expiresAt = 0;
  clearPrompts();
  for (const key of Object.keys(ui.info)) ui.info[key].textContent = '–';
  refreshControls();
}

/** Runs one user action: busy while it runs, its error shown (401 asks for a key, 404 on a session offers a reopen). */
async function run(action, { busyWhile = true } = {}) {
  if (busyWhile) {
    state.busy = true;
    refreshControls();
  }
  try {
    clearError();
    await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      state.retry = action;
      ui.keySection.hidden = false;
      ui.key.value = apiKey();
      ui.key.focus();
      showError(error);
    } else if (error instanceof ApiError && error.code === 'session_not_found' && state.session) {
      endSession();
      showError(new ApiError(404, { ...error, title: 'Session expired or closed', detail: 'This session no longer exists on the cluster (it expired or was closed).', code: error.code }), { reopen: state.source !== null });
    } else {
      showError(error);
    }
  } finally {
    if (busyWhile) {
      state.busy = false;
      refreshControls();
    }
  }
}

// ---------------------------------------------------------------- models and opening

async function loadModels() {
  const { value: models } = await callJson('/v1/models');
  const segmenters = models.filter((m) => m.kind === 'sam');
  // The best for real photos: a registered real SAM export, else sam-isnet, else whatever segmenter there is.
  segmenters.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  ui.model.replaceChildren(...segmenters.map((m) => {
    const option = document.createElement('option');
    option.value = m.id;
    option.textContent = m.description ? `${m.id} — ${m.description}` : m.id;
    return option;
  }));
  if (segmenters.length === 0) {
    ui.model.replaceChildren(new Option('(no segmenter registered: server default)', ''));
  }
}

function rank(model) {
  if (!model.demo) return 0;
  return model.id === PHOTO_SEGMENTER ? 1 : 2;
}

async function openImage(blob, name) {
  if (!blob) return;
  state.source = blob;
  state.sourceName = (name || 'image').replace(/\.[^.]+$/, '') || 'image';
  await run(async () => {
    if (state.session) await closeQuietly();
    showStatus(`Opening ${name || 'the image'}… (the encoder runs once per session)`);
    const model = ui.model.value;
    const query = model ? `?model=${encodeURIComponent(model)}` : '';
    const { value: session, response } = await callJson(`/v1/sessions${query}`, {
      method: 'POST', body: blob, contentType: blob.type || 'application/octet-stream',
    });
    state.session = null;
    clearPrompts();
    showSession(session, response);
    await drawImage(blob);
    showStatus(`Session ${session.id} on ${session.silo}. Click the object you want.`);
  });
}

async function closeQuietly() {
  const id = state.session.id;
  endSession();
  try {
    await call(`/v1/sessions/${id}`, { method: 'DELETE' });
  } catch {
    // the old session may already be gone
  }
}

/** Draws an image at the session's size; a browser decode that disagrees (e.g. orientation) yields to the server's. */
async function drawImage(blob) {
  let bitmap = await createImageBitmap(blob).catch(() => null);
  if (!bitmap || bitmap.width !== state.session.width || bitmap.height !== state.session.height) {
    bitmap?.close();
    const response = await call(`/v1/sessions/${state.session.id}/image?format=png`, { accept: 'image/png' });
    bitmap = await createImageBitmap(await response.blob());
  }
  const { width, height } = state.session;
  for (const canvas of [ui.image, ui.overlay, ui.prompts]) {
    canvas.width = width;
    canvas.height = height;
  }
  ui.image.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  ui.stage.hidden = false;
  ui.dropHint.hidden = true;
  layout();
}

/** Fits the stage into the work area, never above 100 %: the canvases keep the original resolution. */
function layout() {
  if (!state.session) return;
  const { width, height } = state.session;
  const box = ui.drop.getBoundingClientRect();
  const available = { w: Math.max(100, box.width - 16), h: Math.max(100, box.height - 16) };
  const scale = Math.min(1, available.w / width, available.h / height);
  ui.stage.style.width = `${Math.floor(width * scale)}px`;
  ui.stage.style.height = `${Math.floor(height * scale)}px`;
}
window.addEventListener('resize', layout);

// ---------------------------------------------------------------- prompts and segmentation

function clearPrompts() {
  state.points = [];
  state.labels = [];
  state.box = null;
  setMasks([]);
  drawPrompts();
}

function setMasks(masks) {
  state.masks = masks;
  state.candidate = 0;
  showCandidate();
}

function showCandidate() {
  const current = state.masks[state.candidate];
  drawOverlay(ui.overlay, current?.mask ?? null);
  ui.candidateInfo.textContent = current
    ? `Mask ${state.candidate + 1} of ${state.masks.length}, score ${current.score.toFixed(3)}`
    : '';
  refreshControls();
}

function drawPrompts(preview) {
  const context = ui.prompts.getContext('2d');
  context.clearRect(0, 0, ui.prompts.width, ui.prompts.height);
  const shown = ui.prompts.getBoundingClientRect().width || ui.prompts.width;
  const unit = 5 * (ui.prompts.width / shown); // 5 screen px at any scale
  const box = preview ?? state.box;
  if (box) {
    context.setLineDash([unit * 2, unit]);
    context.lineWidth = unit / 2;
    context.strokeStyle = '#ffd54a';
    context.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    context.setLineDash([]);
  }
  state.points.forEach(([x, y], i) => {
    context.beginPath();
    context.arc(x, y, unit, 0, Math.PI * 2);
    context.fillStyle = state.labels[i] === 1 ? '#35d07f' : '#ff5a5a';
    context.fill();
    context.lineWidth = unit / 3;
    context.strokeStyle = '#000';
    context.stroke();
  });
}

/** Original-pixel coordinates of a pointer event on the (CSS-scaled) canvas. */
function toImage(event) {
  const rect = ui.prompts.getBoundingClientRect();
  const x = (event.clientX - rect.left) * (ui.prompts.width / rect.width);
  const y = (event.clientY - rect.top) * (ui.prompts.height / rect.height);
  return [clamp(x, 0, ui.prompts.width - 1), clamp(y, 0, ui.prompts.height - 1)];
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const round1 = (v) => Math.round(v * 10) / 10;

let drag = null;
ui.prompts.addEventListener('contextmenu', (e) => e.preventDefault());
ui.prompts.addEventListener('pointerdown', (e) => {
  if (!state.session || (e.button !== 0 && e.button !== 2)) return;
  ui.prompts.setPointerCapture(e.pointerId);
  drag = { start: toImage(e), screen: [e.clientX, e.clientY], negative: e.button === 2 || e.shiftKey, moved: false };
});
ui.prompts.addEventListener('pointermove', (e) => {
  if (!drag) return;
  if (Math.hypot(e.clientX - drag.screen[0], e.clientY - drag.screen[1]) > 6) drag.moved = true;
  if (drag.moved && !drag.negative) drawPrompts(boxOf(drag.start, toImage(e)));
});
ui.prompts.addEventListener('pointerup', (e) => {
  if (!drag) return;
  const started = performance.now();
  const { start, moved, negative } = drag;
  drag = null;
  if (moved && !negative) {
    state.box = boxOf(start, toImage(e));
  } else {
    const [x, y] = moved ? toImage(e) : start;
    state.points.push([round1(x), round1(y)]);
    state.labels.push(negative ? 0 : 1);
  }
  drawPrompts();
  requestSegment(started);
});
ui.prompts.addEventListener('pointercancel', () => {
  drag = null;
  drawPrompts();
});

function boxOf([x0, y0], [x1, y1]) {
  return [round1(Math.min(x0, x1)), round1(Math.min(y0, y1)), round1(Math.max(x0, x1)), round1(Math.max(y0, y1))];
}

// Clicks arrive faster than answers: one request at a time, the latest prompts sent next.
let segmenting = null;
let again = false;
function requestSegment(started) {
  if (segmenting) {
    again = true;
    return;
  }
  segmenting = (async () => {
    do {
      again = false;
      await run(() => segmentOnce(started), { busyWhile: false });
    } while (again);
    segmenting = null;
  })();
}

async function segmentOnce(started) {
  if (!state.session || (state.points.length === 0 && !state.box)) return;
  const body = {
    points: state.points,
    labels: state.labels,
    // Several candidates only where a prompt is ambiguous (one point, SAM's own advice); refine adds the previous mask.
    multimask: state.points.length === 1 && !state.box,
    refine: ui.refine.checked && state.masks.length > 0,
  };
  if (state.box) body.box = state.box;
  const { value } = await callJson(`/v1/sessions/${state.session.id}/segment`, { method: 'POST', json: body });
  touch();
  setMasks(value.masks.map((m) => ({ mask: decodeRle(m.rle), score: m.score })));
  state.segments++;
  const ms = performance.now() - started;
  ui.info.latency.textContent = `${Math.round(ms)} ms (model ${Math.round(value.elapsedMs)} ms)`;
  showStatus(`${state.points.length} point(s)${state.box ? ' and a box' : ''}: ${value.masks.length} mask(s).`);
  refreshControls();
}

ui.candidate.addEventListener('click', () => {
  if (state.masks.length < 2) return;
  state.candidate = (state.candidate + 1) % state.masks.length;
  showCandidate();
});
ui.clear.addEventListener('click', () => clearPrompts());

ui.subject.addEventListener('click', () => run(async () => {
  const started = performance.now();
  state.points = [];
  state.labels = [];
  state.box = null;
  drawPrompts();
  showStatus('Selecting the subject…');
  const { value } = await callJson(`/v1/sessions/${state.session.id}/select-subject`, { method: 'POST', json: {} });
  touch();
  setMasks(value.masks.map((m) => ({ mask: decodeRle(m.rle), score: m.score })));
  state.segments++;
  ui.info.latency.textContent = `${Math.round(performance.now() - started)} ms (model ${Math.round(value.elapsedMs)} ms)`;
  showStatus('Subject selected.');
}));

// ---------------------------------------------------------------- edits

/** The mask field: the session's selection (the best candidate), or the candidate shown when the user cycled. */
async function maskField() {
  return state.candidate === 0 ? 'selection' : maskToBase64Png(state.masks[state.candidate].mask);
}

ui.dilate.addEventListener('input', () => {
  ui.dilateValue.textContent = ui.dilate.value;
});

ui.erase.addEventListener('click', () => run(async () => {
  showStatus('Erasing…');
  const response = await call(`/v1/sessions/${state.session.id}/erase`, {
    method: 'POST', contentType: 'application/json', accept: 'image/png',
    body: JSON.stringify({ mask: await maskField(), dilate: Number(ui.dilate.value), apply: true }),
  });
  await afterEdit(await response.blob());
  showStatus('Erased. Undo with Ctrl+Z.');
}));

ui.replaceForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (ui.replace.disabled) {
    showStatus('Select something first: click on the image.');
    return;
  }
  run(replace);
});

async function replace() {
  const prompt = ui.prompt.value.trim();
  if (!prompt) {
    ui.prompt.focus();
    throw new ApiError(400, { title: 'A prompt is needed', detail: 'Say what should replace the selection.', code: 'invalid_prompt' });
  }
  const body = {
    prompt, mask: await maskField(), dilate: Number(ui.dilate.value), steps: Number(ui.steps.value),
    guidance: 7.5, seed: Number(ui.seed.value), apply: true,
  };
  if (ui.negative.value.trim()) body.negativePrompt = ui.negative.value.trim();
  showStatus('Replacing…');
  ui.progress.hidden = false;
  ui.progress.removeAttribute('value'); // indeterminate until the first progress event
  try {
    const response = await call(`/v1/sessions/${state.session.id}/replace`, {
      method: 'POST', contentType: 'application/json', accept: 'text/event-stream, image/png', body: JSON.stringify(body),
    });
    const type = response.headers.get('Content-Type') || '';
    if (!type.startsWith('text/event-stream')) {
      await afterEdit(await response.blob());
      return;
    }
    for await (const event of serverSentEvents(response)) {
      const data = JSON.parse(event.data);
      if (event.event === 'progress') {
        ui.progress.max = data.steps;
        ui.progress.value = data.step;
        showStatus(`Replacing… step ${data.step} of ${data.steps}`);
      } else if (event.event === 'result') {
        const bytes = Uint8Array.from(atob(data.image), (c) => c.charCodeAt(0));
        if (data.session) showSession(data.session);
        await afterEdit(new Blob([bytes], { type: data.contentType || 'image/png' }), { refresh: !data.session });
        showStatus('Replaced. Undo with Ctrl+Z.');
        return;
      } else if (event.event === 'error') {
        throw new ApiError(data.status || 500, data);
      }
    }
    throw new ApiError(502, { title: 'Replace ended early', detail: 'The server closed the stream before sending a result.', code: 'stream_ended' });
  } finally {
    ui.progress.hidden = true;
  }
}

/** Shows the edited image and the session's new version; the selection is spent. */
async function afterEdit(blob, { refresh = true } = {}) {
  if (refresh) {
    const { value, response } = await callJson(`/v1/sessions/${state.session.id}`);
    showSession(value, response);
  }
  clearPrompts();
  await drawImage(blob);
}

async function history(direction) {
  const { value, response } = await callJson(`/v1/sessions/${state.session.id}/${direction}`, { method: 'POST' });
  showSession(value, response);
  const image = await call(`/v1/sessions/${state.session.id}/image?format=png`, { accept: 'image/png' });
  clearPrompts();
  await drawImage(await image.blob());
  showStatus(direction === 'undo' ? `Undone: version ${value.version}.` : `Redone: version ${value.version}.`);
}

ui.undo.addEventListener('click', () => run(() => history('undo')));
ui.redo.addEventListener('click', () => run(() => history('redo')));

ui.download.addEventListener('click', () => run(async () => {
  const format = ui.format.value;
  const response = await call(`/v1/sessions/${state.session.id}/image?format=${format}`, { accept: `image/${format}` });
  touch();
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `${state.sourceName}-v${state.session.version ?? 0}.${format === 'jpeg' ? 'jpg' : 'png'}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  showStatus(`Downloaded ${link.download}.`);
}));

ui.close.addEventListener('click', () => run(async () => {
  const id = state.session.id;
  await call(`/v1/sessions/${id}`, { method: 'DELETE' });
  endSession();
  ui.stage.hidden = true;
  ui.dropHint.hidden = false;
  showStatus(`Session ${id} closed.`);
}));

// ---------------------------------------------------------------- files, keys, keyboard

ui.file.addEventListener('change', () => {
  const file = ui.file.files[0];
  if (file) openImage(file, file.name);
  ui.file.value = '';
});

ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.classList.add('dragging');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('dragging'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('dragging');
  const file = [...(e.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/')) ?? e.dataTransfer?.files[0];
  if (file) openImage(file, file.name);
});
document.addEventListener('paste', (e) => {
  const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file' && i.type.startsWith('image/'));
  if (!item) return;
  e.preventDefault();
  const file = item.getAsFile();
  openImage(file, file.name || 'pasted');
});

ui.reopen.addEventListener('click', () => openImage(state.source, state.sourceName));
ui.dismiss.addEventListener('click', clearError);

ui.keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setApiKey(ui.key.value.trim());
  ui.keySection.hidden = true;
  const retry = state.retry;
  state.retry = null;
  run(async () => {
    if (retry !== loadModels && ui.model.value === '') await loadModels();
    if (retry) await retry();
  });
});

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement && e.target.type !== 'range' && e.target.type !== 'checkbox';
  if (e.key === 'Escape' && state.session && !typing) {
    clearPrompts();
    showStatus('Prompts cleared.');
    return;
  }
  if (!(e.ctrlKey || e.metaKey) || typing || state.busy) return;
  const key = e.key.toLowerCase();
  if (key === 'z' && !e.shiftKey && !ui.undo.disabled) {
    e.preventDefault();
    ui.undo.click();
  } else if (((key === 'z' && e.shiftKey) || key === 'y') && !ui.redo.disabled) {
    e.preventDefault();
    ui.redo.click();
  }
});

refreshControls();
run(loadModels, { busyWhile: false });
