// The operator API client: the API key lives in sessionStorage (gone when the tab closes),
// every request carries it as a bearer token, and GETs revalidate with If-None-Match so that
// polling an unchanged fleet costs the server a 304 and no JSON.

const KEY_STORAGE = 'atomicupdate.apiKey';
const BASE = 'api/v1/';

/** An error response: the RFC 9457 problem details when the server sent them. */
export class ApiError extends Error {
  constructor(status, problem, path) {
    const title = problem?.title || `HTTP ${status}`;
    super(problem?.detail ? `${title}: ${problem.detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
    this.path = path;
  }

  get title() {
    return this.problem.title || describeStatus(this.status);
  }

  get detail() {
    return this.problem.detail || '';
  }
}

function describeStatus(status) {
  switch (status) {
    case 0: return 'The server cannot be reached';
    case 401: return 'Not signed in';
    case 403: return 'Not allowed';
    case 404: return 'Not found';
    case 409: return 'Conflict';
    case 422: return 'Rejected';
    case 429: return 'Too many requests';
    default: return `HTTP ${status}`;
  }
}

export class Api {
  /** url → { etag, data } of the last 200, for If-None-Match. */
  #cache = new Map();
  #onUnauthorized = () => { };

  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  get signedIn() {
    return !!this.key;
  }

  set onUnauthorized(callback) {
    this.#onUnauthorized = callback;
  }

  signIn(key) {
    sessionStorage.setItem(KEY_STORAGE, key.trim());
    this.#cache.clear();
  }

  signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    this.#cache.clear();
  }

  /**
   * GET with revalidation. Returns { data, changed }: changed is false when the server answered
   * 304 and data is the cached copy, so a view can skip re-rendering.
   */
  async get(path, params) {
    const url = withQuery(BASE + path, params);
    const cached = this.#cache.get(url);
    const headers = cached?.etag ? { 'If-None-Match': cached.etag } : {};
    const response = await this.#send('GET', url, undefined, headers);
    if (response.status === 304 && cached) {
      return { data: cached.data, changed: false };
    }
    const data = await readJson(response);
    const etag = response.headers.get('ETag');
    if (etag) {
      this.#cache.set(url, { etag, data });
      // Bound the cache: paging and filtering create many URLs, only recent ones matter.
      if (this.#cache.size > 200) this.#cache.delete(this.#cache.keys().next().value);
    }
    return { data, changed: true };
  }

  /** GET without the cache: for a single read whose freshness matters (e.g. right after an action). */
  async getFresh(path, params) {
    const response = await this.#send('GET', withQuery(BASE + path, params));
    return readJson(response);
  }

  async post(path, body) {
    const response = await this.#send('POST', BASE + path, body ?? {});
    return readJson(response);
  }

  async patch(path, body) {
    const response = await this.#send('PATCH', BASE + path, body);
    return readJson(response);
  }

  async #send(method, url, body, extraHeaders = {}) {
    const headers = { Accept: 'application/json', ...extraHeaders };
    const key = this.key;
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, { title: 'The server cannot be reached', detail: String(error.message ?? error) }, url);
    }
    if (response.ok || response.status === 304) return response;
    const problem = await readProblem(response);
    const error = new ApiError(response.status, problem, url);
    if (response.status === 401) this.#onUnauthorized(error);
    throw error;
  }
}

async function readJson(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function readProblem(response) {
  const text = await response.text().catch(() => '');
  if (!text) return null;
  try {
    const json = JSON.parse(text);
    if (json && typeof json === 'object') return json;
  } catch {
    // Not JSON (a proxy's HTML page, say): show its first line rather than nothing.
  }
  return { title: describeStatus(response.status), detail: text.split('\n')[0].slice(0, 200) };
}

function withQuery(url, params) {
  if (!params) return url;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${url}?${text}` : url;
}
