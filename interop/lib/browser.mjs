// A small browser stand-in: follows redirects one at a time, keeps cookies per name,
// and submits the login form the way a browser would (same-origin POST).
export class Browser {
  constructor() {
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => a.trim().toLowerCase() === 'max-age=0');
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /** GETs `url` and follows same-server redirects until one leaves `origin`; returns that URL or the last response. */
  async follow(url, origin) {
    let res = await this.request(url);
    while (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url);
      if (next.origin !== origin) return { left: next };
      url = next.href;
      res = await this.request(url);
    }
    return { res, url };
  }

  /** Fills and posts the login form of `html` (found at `pageUrl`), then follows redirects. */
  async login(html, pageUrl, email, password, origin) {
    const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1];
    const body = new URLSearchParams({
      csrf: field('csrf'),
      state: field('state').replaceAll('&amp;', '&'),
      email,
      password,
    });
    const res = await this.request(new URL('/u/login', pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin' },
      body,
    });
    if (res.status !== 303) return { res };
    return this.follow(new URL(res.headers.get('location'), pageUrl).href, origin);
  }
}
