/** A browser as the console's server sees one: a cookie jar, the CSRF token, an Origin. */
import type { ApiResponse, RunningServer } from './server.js';

export interface Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  /** The last Set-Cookie the server sent. */
  setCookie: string | undefined;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; csrf?: string | false; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  login(email: string, password?: string): Promise<ApiResponse>;
}

export function browser(api: RunningServer): Browser {
  const self: Browser = {
    cookie: undefined,
    csrf: undefined,
    setCookie: undefined,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { origin: api.url, ...options.headers };
      if (self.cookie !== undefined) headers['cookie'] = self.cookie;
      const csrf = options.csrf === undefined ? self.csrf : options.csrf;
      if (csrf !== false && csrf !== undefined && method !== 'GET') headers['x-csrf-token'] = csrf;
      const response = await api.call(method, path, {
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      const set = response.headers.get('set-cookie');
      if (set !== null) {
        self.setCookie = set;
        const value = /^cioc_session=([^;]*)/.exec(set)?.[1] ?? '';
        self.cookie = value === '' ? undefined : `cioc_session=${value}`;
      }
      if (typeof response.json?.csrfToken === 'string') self.csrf = response.json.csrfToken as string;
      return response;
    },
    login(email, password = 'a long password') {
      return self.call('POST', '/api/session', { body: { email, password } });
    },
  };
  return self;
}
