// The editor's view of the Atelier HTTP API (docs/api.md): same-origin fetch calls, the API key from session
// storage, problem documents turned into ApiError, and the replace call's Server-Sent Events stream.

const KEY_STORAGE = 'atelier.apiKey';

/** An error answer of the API, read from its problem document (never shown as raw JSON). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.code = problem.code || `http_${status}`;
    this.traceId = problem.traceId || '';
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || '';
}

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(KEY_STORAGE, key);
  } else {
    sessionStorage.removeItem(KEY_STORAGE);
  }
}

/** Reads an error answer: a problem document when the server sent one, else a problem made from the status. */
export async function readProblem(response) {
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      const problem = await response.json();
      if (problem && typeof problem === 'object') {
        return new ApiError(response.status, problem);
      }
    } catch {
      // fall through: a body that is not JSON
    }
  }
  return new ApiError(response.status, { title: response.statusText || 'Request failed', detail: `The server answered HTTP ${response.status}.` });
}

/** fetch() on the API with the key attached; throws ApiError for every error answer. */
export async function call(path, { method = 'GET', body, contentType, accept, signal } = {}) {
  const headers = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (contentType) headers['Content-Type'] = contentType;
  if (accept) headers.Accept = accept;
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Server unreachable', detail: 'The request did not reach the silo; check that it is running.', code: 'network_error' });
  }
  if (!response.ok) throw await readProblem(response);
  return response;
}

export async function callJson(path, options = {}) {
  const body = options.json === undefined ? options.body : JSON.stringify(options.json);
  const contentType = options.json === undefined ? options.contentType : 'application/json';
  const response = await call(path, { ...options, body, contentType, accept: options.accept || 'application/json' });
  if (response.status === 204) return { value: null, response };
  return { value: await response.json(), response };
}

/**
 * Splits a text/event-stream body into events as they arrive: yields {event, data} per blank-line separated block
 * (the WHATWG rules the editor needs: "event:" and "data:" fields, several data lines joined, comments skipped).
 */
export async function* serverSentEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    buffer = buffer.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const parsed = parseEvent(block);
      if (parsed) yield parsed;
    }
    if (done) {
      const parsed = parseEvent(buffer);
      if (parsed) yield parsed;
      return;
    }
  }
}

function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? null : { event, data: data.join('\n') };
}
